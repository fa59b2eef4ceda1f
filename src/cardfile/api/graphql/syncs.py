"""Syncs in GraphQL: the same definitions, runs and checks as REST and the CLI.

A definition is a JSON object in the shape ``docs/syncs.md`` shows; saving it checks it
against the destination's fields (a real call) before it is stored, and a refusal names the
field at fault. Runs are queued for the background workers; poll ``syncRun``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy.orm import Session, sessionmaker
from strawberry.scalars import JSON

from cardfile.api.graphql.context import Resolved, reading, writing
from cardfile.api.graphql.errors import BAD_USER_INPUT, error
from cardfile.jobs.tasks import Jobs
from cardfile.settings import Settings
from cardfile.store import runs, syncs
from cardfile.store.runs import StoredRun
from cardfile.store.syncs import StoredSync
from cardfile.store.vault import Vault
from cardfile.sync import definitions
from cardfile.sync.spec import SpecError


@dataclass(frozen=True)
class Services:
    """What sync resolvers need beyond the request's session: their own sessions for the
    check against the vendor, the vault, and the queue."""

    sessions: sessionmaker[Session]
    settings: Settings
    jobs: Jobs

    def vault(self) -> Vault:
        """The vault vendor credentials are sealed with."""
        return Vault(self.settings.resolved_secret_key())


@strawberry.type
class SyncRun:
    """One run of a sync."""

    id: strawberry.ID
    sync: str
    status: str
    full: bool
    dry_run: bool
    trigger: str
    cancel_requested: bool
    counts: JSON
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, run: StoredRun, sync: str) -> SyncRun:
        """The GraphQL view of a stored run."""
        return cls(
            id=strawberry.ID(run.id),
            sync=sync,
            status=run.status,
            full=run.full,
            dry_run=run.dry_run,
            trigger=run.trigger,
            cancel_requested=run.cancel_requested,
            counts=JSON(run.counts),
            error=run.error,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )


@strawberry.type
class Sync:
    """A sync: its definition (as written) and its latest run."""

    name: str
    provider: str
    definition: JSON
    last_run: SyncRun | None
    created_at: datetime
    updated_at: datetime


def _sync(session: Session, stored: StoredSync) -> Sync:
    latest = runs.list_for(session, stored.id, limit=1)
    return Sync(
        name=stored.name,
        provider=stored.provider,
        definition=JSON(stored.definition),
        last_run=SyncRun.of(latest[0], stored.name) if latest else None,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


def _services(info: Resolved) -> Services:
    found: Services | None = info.context.services
    if found is None:
        raise error("syncs are not served here", BAD_USER_INPUT)
    return found


def list_syncs(info: Resolved) -> list[Sync]:
    """The workspace's syncs."""
    with reading(info) as context:
        found = syncs.list_for(context.session, context.workspace_id)
        return [_sync(context.session, s) for s in found]


def get_sync(info: Resolved, name: str) -> Sync:
    """One sync by name."""
    with reading(info) as context:
        return _sync(context.session, syncs.get(context.session, context.workspace_id, name))


def get_run(info: Resolved, run_id: str) -> SyncRun:
    """One run by id."""
    with reading(info) as context:
        run = runs.get(context.session, context.workspace_id, run_id)
        return SyncRun.of(run, syncs.by_id(context.session, run.sync_id).name)


def save_sync(info: Resolved, definition: dict[str, Any]) -> Sync:
    """Create or replace the sync ``definition`` names, checked against the vendor first."""
    services = _services(info)
    workspace_id = info.context.workspace_id
    try:
        stored, _ = asyncio.run(
            definitions.save(services.sessions, services.vault(), workspace_id, definition)
        )
    except SpecError as refused:
        raise error(
            f"{refused.field}: {refused.message}", BAD_USER_INPUT, field=refused.field
        ) from None
    with reading(info) as context:
        context.session.rollback()  # see what the save committed
        return _sync(context.session, syncs.get(context.session, workspace_id, stored.name))


def delete_sync(info: Resolved, name: str) -> bool:
    """Delete a sync, its runs and its per-record state."""
    with writing(info) as context:
        syncs.delete(context.session, context.workspace_id, name)
    return True


def run_sync(info: Resolved, name: str, full: bool, dry_run: bool) -> SyncRun:
    """Queue a run (or return the one already queued or running)."""
    services = _services(info)
    with writing(info) as context:
        sync = syncs.get(context.session, context.workspace_id, name)
        run, created = runs.start(context.session, sync, full=full, dry_run=dry_run, trigger="api")
    if created:
        services.jobs.sync_run(run.id)
    return SyncRun.of(run, name)


def cancel_run(info: Resolved, run_id: str) -> SyncRun:
    """Ask a run to stop after the batch in flight."""
    with writing(info) as context:
        run = runs.request_cancel(context.session, context.workspace_id, run_id)
        name = syncs.by_id(context.session, run.sync_id).name
    return SyncRun.of(run, name)
