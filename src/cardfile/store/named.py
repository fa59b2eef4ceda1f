"""Rows a workspace names by id or by name (sources, destinations): one lookup for both, and
every query bound to the workspace, so none reaches another workspace's row."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardfile.store.errors import NotFound
from cardfile.store.schema import Base, table_of

N = TypeVar("N", bound=Base)


def by_name(session: Session, model: type[N], workspace_id: int, name: str) -> N | None:
    """The workspace's row of ``model`` called ``name``."""
    columns = table_of(model).c
    return session.scalar(
        select(model).where(columns.workspace_id == workspace_id, columns.name == name)
    )


def by_id_or_name(
    session: Session, model: type[N], workspace_id: int, ref: str | int, what: str
) -> N:
    """The workspace's row of ``model`` whose id (digits) or else name is ``ref``.

    Raises:
        NotFound: The workspace has none (field ``what``).
    """
    columns = table_of(model).c
    row: N | None = None
    if isinstance(ref, int) or str(ref).isdigit():
        row = session.scalar(
            select(model).where(columns.id == int(ref), columns.workspace_id == workspace_id)
        )
    if row is None and isinstance(ref, str):
        row = by_name(session, model, workspace_id, ref)
    if row is None:
        raise NotFound(f"no {what} {ref!r} in this workspace", field=what)
    return row
