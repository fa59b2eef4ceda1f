"""A workspace's syncs: their definitions, stored as written and found by name.

The definition's shape is checked by ``sync.spec`` before it reaches here; this module only
keeps it, scoped to the workspace, with the connection it names resolved to its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardfile.store.errors import Conflict, NotFound
from cardfile.store.schema import Connection, Sync, utcnow


@dataclass(frozen=True)
class StoredSync:
    """A sync as callers see it: its definition (connection by name) and its row's facts."""

    id: int
    workspace_id: int
    name: str
    connection_id: int
    connection: str
    provider: str
    definition: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _definition(row: Sync, connection: Connection) -> dict[str, Any]:
    return {
        "name": row.name,
        "source": row.source,
        "connection": connection.name,
        "entity": row.entity,
        "mode": row.mode,
        "match": dict(row.match),
        "mappings": list(row.mappings),
        "filter": list(row.filter or []),
        "schedule": row.schedule,
        "enabled": row.enabled,
    }


def _stored(row: Sync, connection: Connection) -> StoredSync:
    return StoredSync(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        connection_id=connection.id,
        connection=connection.name,
        provider=connection.provider,
        definition=_definition(row, connection),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _connection(session: Session, workspace_id: int, name: str) -> Connection:
    row = session.scalar(
        select(Connection).where(Connection.workspace_id == workspace_id, Connection.name == name)
    )
    if row is None:
        raise NotFound(f"no connection '{name}' in this workspace", field="connection")
    return row


def _row(session: Session, workspace_id: int, name: str) -> Sync:
    row = session.scalar(select(Sync).where(Sync.workspace_id == workspace_id, Sync.name == name))
    if row is None:
        raise NotFound(f"no sync '{name}' in this workspace", field="name")
    return row


def _apply(row: Sync, definition: dict[str, Any], connection: Connection) -> None:
    row.name = definition["name"]
    row.source = definition["source"]
    row.connection_id = connection.id
    row.entity = definition["entity"]
    row.mode = definition["mode"]
    row.match = dict(definition["match"])
    row.mappings = list(definition["mappings"])
    row.filter = list(definition.get("filter") or [])
    row.schedule = definition.get("schedule", "manual")
    row.enabled = bool(definition.get("enabled", True))


def save(
    session: Session, workspace_id: int, definition: dict[str, Any]
) -> tuple[StoredSync, bool]:
    """Create the sync ``definition["name"]``, or replace its definition; True when created.

    ``definition`` is a checked definition (``SyncSpec.as_dict()``).
    """
    connection = _connection(session, workspace_id, definition["connection"])
    row = session.scalar(
        select(Sync).where(Sync.workspace_id == workspace_id, Sync.name == definition["name"])
    )
    created = row is None
    if row is None:
        row = Sync(workspace_id=workspace_id)
        session.add(row)
    _apply(row, definition, connection)
    row.updated_at = utcnow()
    session.flush()
    return _stored(row, connection), created


def rename(
    session: Session, workspace_id: int, name: str, definition: dict[str, Any]
) -> StoredSync:
    """Replace the definition of the sync ``name`` (its name may change with it)."""
    row = _row(session, workspace_id, name)
    if definition["name"] != name:
        clash = session.scalar(
            select(Sync.id).where(
                Sync.workspace_id == workspace_id, Sync.name == definition["name"]
            )
        )
        if clash is not None:
            raise Conflict(f"a sync named '{definition['name']}' exists", field="name")
    connection = _connection(session, workspace_id, definition["connection"])
    _apply(row, definition, connection)
    row.updated_at = utcnow()
    session.flush()
    return _stored(row, connection)


def get(session: Session, workspace_id: int, name: str) -> StoredSync:
    """The workspace's sync ``name``."""
    row = _row(session, workspace_id, name)
    connection = session.get(Connection, row.connection_id)
    assert connection is not None  # the foreign key cascades
    return _stored(row, connection)


def by_id(session: Session, sync_id: int) -> StoredSync:
    """A sync by id, for workers (which act for whichever workspace queued the run)."""
    row = session.get(Sync, sync_id)
    if row is None:
        raise NotFound(f"no sync {sync_id}", field="sync")
    connection = session.get(Connection, row.connection_id)
    assert connection is not None
    return _stored(row, connection)


def list_for(session: Session, workspace_id: int) -> list[StoredSync]:
    """The workspace's syncs by name."""
    rows = session.execute(
        select(Sync, Connection)
        .join(Connection, Connection.id == Sync.connection_id)
        .where(Sync.workspace_id == workspace_id)
        .order_by(Sync.name)
    )
    return [_stored(sync, connection) for sync, connection in rows]


def scheduled(session: Session) -> list[StoredSync]:
    """Every enabled sync with a schedule, across workspaces (for the scheduler)."""
    rows = session.execute(
        select(Sync, Connection)
        .join(Connection, Connection.id == Sync.connection_id)
        .where(Sync.enabled.is_(True), Sync.schedule != "manual")
        .order_by(Sync.id)
    )
    return [_stored(sync, connection) for sync, connection in rows]


def delete(session: Session, workspace_id: int, name: str) -> None:
    """Delete the sync, its runs and its per-record state."""
    session.delete(_row(session, workspace_id, name))
    session.flush()
