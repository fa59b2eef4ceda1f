"""A workspace's destinations: a source's events sent to a vendor connection by actions.

The definitions are checked by ``sync.actions.spec`` before they reach here; this module keeps
them, scoped to the workspace, and hands out the lease that lets one worker at a time deliver
a destination's events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from cardfile.store import named
from cardfile.store.errors import Conflict
from cardfile.store.schema import (
    Connection,
    Destination,
    DestinationAction,
    Source,
    as_utc,
    utcnow,
)


@dataclass(frozen=True)
class StoredAction:
    """One action of a destination, as its definition reads."""

    id: int
    name: str
    kind: str
    trigger: dict[str, Any]
    settings: dict[str, Any]
    enabled: bool


@dataclass(frozen=True)
class StoredDestination:
    """A destination as callers see it: its definition (source and connection by name) and
    its actions in order."""

    id: int
    workspace_id: int
    name: str
    source_id: int
    source: str
    connection_id: int
    connection: str
    provider: str
    enabled: bool
    actions: tuple[StoredAction, ...]
    created_at: datetime
    updated_at: datetime

    def definition(self) -> dict[str, Any]:
        """The definition as it was saved: what ``cardfile destinations apply`` reads."""
        return {
            "name": self.name,
            "source": self.source,
            "connection": self.connection,
            "enabled": self.enabled,
            "actions": [
                {
                    "name": a.name,
                    "kind": a.kind,
                    "trigger": a.trigger,
                    "enabled": a.enabled,
                    **a.settings,
                }
                for a in self.actions
            ],
        }


def _stored(session: Session, row: Destination) -> StoredDestination:
    source = session.get_one(Source, row.source_id)  # foreign keys hold both
    connection = session.get_one(Connection, row.connection_id)
    actions = session.scalars(
        select(DestinationAction)
        .where(DestinationAction.destination_id == row.id)
        .order_by(DestinationAction.position, DestinationAction.id)
    )
    return StoredDestination(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        source_id=source.id,
        source=source.name,
        connection_id=connection.id,
        connection=connection.name,
        provider=connection.provider,
        enabled=row.enabled,
        actions=tuple(
            StoredAction(a.id, a.name, a.kind, dict(a.trigger), dict(a.settings), a.enabled)
            for a in actions
        ),
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def _row(session: Session, workspace_id: int, ref: str | int) -> Destination:
    return named.by_id_or_name(session, Destination, workspace_id, ref, "destination")


def get(session: Session, workspace_id: int, ref: str | int) -> StoredDestination:
    """The workspace's destination by id or name."""
    return _stored(session, _row(session, workspace_id, ref))


def list_for(session: Session, workspace_id: int) -> list[StoredDestination]:
    """The workspace's destinations, oldest first."""
    rows = session.scalars(
        select(Destination).where(Destination.workspace_id == workspace_id).order_by(Destination.id)
    )
    return [_stored(session, row) for row in rows]


def save(
    session: Session,
    workspace_id: int,
    *,
    name: str,
    source_id: int,
    connection_id: int,
    enabled: bool,
    actions: Sequence[dict[str, Any]],
) -> tuple[StoredDestination, bool]:
    """Create the destination ``name``, or replace its definition; True when created.

    ``actions`` are ``{"name", "kind", "trigger", "settings", "enabled"}``. An action kept by
    name keeps its id, so its deliveries stay attached to it.
    """
    row = named.by_name(session, Destination, workspace_id, name)
    created = row is None
    if row is None:
        row = Destination(workspace_id=workspace_id, name=name)
        session.add(row)
    row.source_id = source_id
    row.connection_id = connection_id
    row.enabled = enabled
    row.updated_at = utcnow()
    session.flush()
    kept = {
        a.name: a
        for a in session.scalars(
            select(DestinationAction).where(DestinationAction.destination_id == row.id)
        )
    }
    names = [a["name"] for a in actions]
    if len(set(names)) != len(names):
        raise Conflict("two actions share a name", field="actions")
    for position, action in enumerate(actions):
        existing = kept.pop(action["name"], None)
        if existing is None:
            existing = DestinationAction(destination_id=row.id, name=action["name"])
            session.add(existing)
        existing.kind = action["kind"]
        existing.trigger = action["trigger"]
        existing.settings = action["settings"]
        existing.enabled = action.get("enabled", True)
        existing.position = position
    for gone in kept.values():
        session.delete(gone)
    session.flush()
    return _stored(session, row), created


def delete(session: Session, workspace_id: int, ref: str | int) -> None:
    """Remove a destination, its actions and their deliveries."""
    session.delete(_row(session, workspace_id, ref))


def routes(session: Session, source_ids: Sequence[int]) -> dict[int, list[StoredDestination]]:
    """The enabled destinations of each source, with their actions."""
    if not source_ids:
        return {}
    rows = session.scalars(
        select(Destination)
        .where(Destination.source_id.in_(set(source_ids)), Destination.enabled.is_(True))
        .order_by(Destination.id)
    )
    found: dict[int, list[StoredDestination]] = {}
    for row in rows:
        found.setdefault(row.source_id, []).append(_stored(session, row))
    return found


def take_lease(session: Session, destination_id: int, owner: str, *, seconds: float) -> bool:
    """Hold (or renew) the right to deliver the destination's events; False while another
    worker holds it."""
    now = utcnow()
    taken = session.execute(
        update(Destination)
        .where(
            Destination.id == destination_id,
            or_(
                Destination.lease_owner.is_(None),
                Destination.lease_owner == owner,
                Destination.lease_until < now,
            ),
        )
        .values(lease_owner=owner, lease_until=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(taken, "rowcount", 0))


def release_lease(session: Session, destination_id: int, owner: str) -> None:
    """Give the lease up (if still held by ``owner``)."""
    session.execute(
        update(Destination)
        .where(Destination.id == destination_id, Destination.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def by_id(session: Session, destination_id: int) -> StoredDestination | None:
    """A destination by id, whichever its workspace (for the workers that deliver it)."""
    row = session.get(Destination, destination_id)
    return _stored(session, row) if row is not None else None
