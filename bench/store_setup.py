"""A migrated Cardfile store with one workspace, as every benchmark starts from."""

from __future__ import annotations

from sqlalchemy import Engine, select

from cardfile.store import workspaces
from cardfile.store.db import create_store_engine, migrate, session_factory, transaction
from cardfile.store.schema import Workspace

SLUG = "bench"


def prepare(url: str) -> tuple[Engine, int]:
    """Migrate the empty database at ``url`` and create the benchmark's workspace."""
    engine = create_store_engine(url)
    migrate(engine)
    with transaction(session_factory(engine)) as session:
        workspace = workspaces.create(session, name="Benchmark", slug=SLUG)
        workspace_id = workspace.id
    return engine, workspace_id


def workspace_id(engine: Engine) -> int:
    """The id of the workspace ``prepare`` created."""
    with session_factory(engine)() as session:
        found = session.scalar(select(Workspace.id).where(Workspace.slug == SLUG))
    if found is None:
        raise LookupError(f"no workspace '{SLUG}' in {engine.url}")
    return found
