"""The event log: tracking events as accepted, in the order they arrived.

An event is stored whole before the API answers 200, so an accepted event survives the process.
A source's ``messageId`` is stored once: a client's retry of an event already stored is
dropped by the database's unique index, in the same statement, at no extra cost.

Applying events to the hub (``ingest.events``) reads them back oldest first, per workspace,
and settles each with what it did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cardfile.store.schema import Event, table_of

PENDING = "pending"
APPLIED = "applied"
IGNORED = "ignored"
FAILED = "failed"


@dataclass(frozen=True)
class NewEvent:
    """An event ready to be stored: the fields the log indexes, and the whole message."""

    workspace_id: int
    source_id: int
    message_id: str
    type: str
    user_id: str | None
    anonymous_id: str | None
    payload: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class Settled:
    """What applying one event to the hub did."""

    event_id: int
    status: str  # APPLIED, IGNORED or FAILED
    detail: str | None = None


def _insert_ignoring_duplicates(session: Session) -> Insert:
    table = table_of(Event)
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(
            index_elements=["source_id", "message_id"]
        )
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=["source_id", "message_id"])


def append(session: Session, events: Sequence[NewEvent]) -> None:
    """Store ``events``; one whose source already holds its ``message_id`` is dropped."""
    if not events:
        return
    session.execute(
        _insert_ignoring_duplicates(session),
        [
            {
                "workspace_id": e.workspace_id,
                "source_id": e.source_id,
                "message_id": e.message_id,
                "type": e.type,
                "user_id": e.user_id,
                "anonymous_id": e.anonymous_id,
                "payload": e.payload,
                "received_at": e.received_at,
                "hub_status": PENDING,
            }
            for e in events
        ],
    )


def pending(session: Session, workspace_id: int, *, limit: int = 500) -> list[Event]:
    """The workspace's oldest events not yet applied to the hub."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.workspace_id == workspace_id, Event.hub_status == PENDING)
            .order_by(Event.id)
            .limit(limit)
        )
    )


def workspaces_pending(session: Session) -> list[int]:
    """The workspaces with events not yet applied to the hub."""
    return list(
        session.scalars(select(Event.workspace_id).where(Event.hub_status == PENDING).distinct())
    )


def settle(session: Session, outcomes: Sequence[Settled]) -> None:
    """Record what applying each event did."""
    if not outcomes:
        return
    # Core's executemany, not the ORM's bulk update: that one re-checks the session after
    # every batch, which cost more than the update itself.
    table = table_of(Event)
    session.execute(
        update(table)
        .where(table.c.id == bindparam("event_id"))
        .values(hub_status=bindparam("status"), hub_detail=bindparam("detail")),
        [{"event_id": o.event_id, "status": o.status, "detail": o.detail} for o in outcomes],
    )


def recent(
    session: Session, source_id: int, *, limit: int = 50, before: int | None = None
) -> list[Event]:
    """A source's newest events, newest first; ``before`` an event id to page back from."""
    query = select(Event).where(Event.source_id == source_id)
    if before is not None:
        query = query.where(Event.id < before)
    return list(session.scalars(query.order_by(Event.id.desc()).limit(limit)))


def by_message_id(session: Session, source_id: int, message_id: str) -> Event | None:
    """A source's event by its ``messageId``."""
    return session.scalar(
        select(Event).where(Event.source_id == source_id, Event.message_id == message_id)
    )


_APPLY_LOCK = 0x6576  # "ev": the advisory lock space of applying events


def lock_for_applying(session: Session, workspace_id: int) -> None:
    """Hold, until the transaction ends, the right to apply the workspace's events, so two
    workers never apply the same events (or one user's out of order). SQLite needs nothing:
    a writing transaction holds the whole database."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            {"space": _APPLY_LOCK, "key": workspace_id},
        )
