"""Deliveries: what each destination action did, or has still to do, with each event; and
the vendor ids of users and groups the actions learned on the way.

A destination's pending deliveries are read oldest event first. One user's events are
delivered in order: a delivery waiting out a retry holds back the later ones of its chain
(see :func:`ready`); a delivery *waiting* for a user the vendor does not know yet does not,
and is woken when that user's identify is delivered (:func:`wake`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from cardfile.store.schema import (
    Delivery,
    Destination,
    DestinationAction,
    DestinationIdentity,
    Event,
    as_utc,
    table_of,
    utcnow,
)

PENDING = "pending"
WAITING = "waiting"  # for a user the vendor does not know yet
SENT = "sent"
SKIPPED = "skipped"
FAILED = "failed"  # refused for good: fix the mapping, then replay
DEAD = "dead"  # retries spent
REPLAYABLE = (FAILED, DEAD)
STATUSES = (PENDING, WAITING, SENT, SKIPPED, FAILED, DEAD)
READY_PROBE = 500  # pending deliveries read to tell whether one is ready (held chains skipped)


@dataclass(frozen=True)
class NewDelivery:
    """A delivery to create when an event is handed to a destination."""

    event_id: int
    action_id: int
    destination_id: int
    chain: str
    status: str  # PENDING, or SKIPPED with ``error`` saying why
    error: str | None = None


@dataclass(frozen=True)
class Due:
    """A pending delivery ready to go, with its event and action."""

    event_id: int
    action_id: int
    chain: str
    attempts: int
    event: Event
    action: DestinationAction


@dataclass(frozen=True)
class Outcome:
    """What one attempt at a delivery came to."""

    event_id: int
    action_id: int
    status: str
    attempts: int
    error: str | None = None
    detail: dict[str, Any] | None = None
    retry_at: datetime | None = None


def add(session: Session, rows: Sequence[NewDelivery]) -> None:
    """Create deliveries (an event handed to the destinations of its source)."""
    if not rows:
        return
    now = utcnow()
    session.execute(
        table_of(Delivery).insert(),
        [
            {
                "event_id": r.event_id,
                "action_id": r.action_id,
                "destination_id": r.destination_id,
                "chain": r.chain,
                "status": r.status,
                "attempts": 0,
                "error": r.error,
                "updated_at": now,
            }
            for r in rows
        ],
    )


def ready(session: Session, destination_id: int, now: datetime, *, limit: int) -> list[Due]:
    """The destination's next deliveries to attempt, oldest event first (then the action's
    order), leaving out every chain whose oldest pending delivery waits for a retry time."""
    rows = session.execute(
        select(Delivery, Event, DestinationAction)
        .join(Event, Event.id == Delivery.event_id)
        .join(DestinationAction, DestinationAction.id == Delivery.action_id)
        .where(Delivery.destination_id == destination_id, Delivery.status == PENDING)
        .order_by(Delivery.event_id, DestinationAction.position, Delivery.action_id)
        .limit(limit)
    ).all()
    held: set[str] = set()
    found: list[Due] = []
    for delivery, event, action in rows:
        if delivery.chain in held:
            continue
        if delivery.retry_at is not None and as_utc(delivery.retry_at) > now:
            held.add(delivery.chain)
            continue
        found.append(
            Due(
                delivery.event_id,
                delivery.action_id,
                delivery.chain,
                delivery.attempts,
                event,
                action,
            )
        )
    return found


def next_due(session: Session, destination_id: int, now: datetime) -> datetime | None:
    """When the destination next has a delivery to try: ``now`` when one is ready, else the
    earliest retry time of a pending or waiting one (a chain held behind its oldest delivery
    is due when that one is), None when nothing is left to try."""
    if ready(session, destination_id, now, limit=READY_PROBE):
        return now
    earliest = session.scalar(
        select(func.min(Delivery.retry_at)).where(
            Delivery.destination_id == destination_id,
            Delivery.status.in_((PENDING, WAITING)),
            Delivery.retry_at > now,
        )
    )
    return as_utc(earliest) if earliest is not None else None


def settle(session: Session, outcomes: Sequence[Outcome]) -> None:
    """Record what each attempt came to."""
    if not outcomes:
        return
    now = utcnow()
    # One executemany, as ``events.settle`` does, rather than a statement per delivery.
    table = table_of(Delivery)
    session.execute(
        update(table)
        .where(table.c.event_id == bindparam("b_event"), table.c.action_id == bindparam("b_action"))
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempts"),
            error=bindparam("b_error"),
            detail=bindparam("b_detail", type_=table.c.detail.type),
            retry_at=bindparam("b_retry_at", type_=table.c.retry_at.type),
            updated_at=now,
        ),
        [
            {
                "b_event": o.event_id,
                "b_action": o.action_id,
                "b_status": o.status,
                "b_attempts": o.attempts,
                "b_error": o.error,
                "b_detail": o.detail,
                "b_retry_at": o.retry_at,
            }
            for o in outcomes
        ],
    )


def wake(session: Session, destination_id: int, chains: Collection[str], now: datetime) -> int:
    """Make the deliveries waiting in ``chains`` (for their user) pending again, to go now."""
    if not chains:
        return 0
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.destination_id == destination_id,
            Delivery.status == WAITING,
            Delivery.chain.in_(set(chains)),
        )
        .values(status=PENDING, retry_at=now, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0))


def wake_due(session: Session, destination_id: int, now: datetime) -> int:
    """Make waiting deliveries whose wait is over pending again."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.destination_id == destination_id,
            Delivery.status == WAITING,
            Delivery.retry_at <= now,
        )
        .values(status=PENDING, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0))


def destinations_due(session: Session, now: datetime) -> list[int]:
    """The destinations with a pending delivery due now, or a wait that is over."""
    return list(
        session.scalars(
            select(Delivery.destination_id)
            .where(
                or_(
                    and_(
                        Delivery.status == PENDING,
                        or_(Delivery.retry_at.is_(None), Delivery.retry_at <= now),
                    ),
                    and_(Delivery.status == WAITING, Delivery.retry_at <= now),
                )
            )
            .distinct()
        )
    )


def replay(
    session: Session,
    workspace_id: int,
    *,
    destination_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    statuses: Collection[str] = REPLAYABLE,
) -> int:
    """Deliver again the workspace's deliveries in ``statuses`` whose event was received in
    [since, until); how many. Their attempts start again from zero."""
    events = select(Event.id).where(Event.workspace_id == workspace_id)
    if since is not None:
        events = events.where(Event.received_at >= since)
    if until is not None:
        events = events.where(Event.received_at < until)
    destinations = select(Destination.id).where(Destination.workspace_id == workspace_id)
    if destination_id is not None:
        destinations = destinations.where(Destination.id == destination_id)
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.destination_id.in_(destinations),
            Delivery.event_id.in_(events),
            Delivery.status.in_(set(statuses)),
        )
        .values(status=PENDING, attempts=0, retry_at=None, error=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class Told:
    """One action's delivery of one event, as the debugger shows it."""

    destination: str
    action: str
    status: str
    attempts: int
    error: str | None
    detail: dict[str, Any] | None
    retry_at: datetime | None
    updated_at: datetime


def of_events(session: Session, event_ids: Iterable[int]) -> dict[int, list[Told]]:
    """What every action did with each event, by event id."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Delivery, DestinationAction.name, Destination.name)
        .join(DestinationAction, DestinationAction.id == Delivery.action_id)
        .join(Destination, Destination.id == Delivery.destination_id)
        .where(Delivery.event_id.in_(ids))
        .order_by(Delivery.event_id, Destination.id, DestinationAction.position)
    ).all()
    found: dict[int, list[Told]] = {}
    for delivery, action, destination in rows:
        found.setdefault(delivery.event_id, []).append(
            Told(
                destination=destination,
                action=action,
                status=delivery.status,
                attempts=delivery.attempts,
                error=delivery.error,
                detail=delivery.detail,
                retry_at=as_utc(delivery.retry_at) if delivery.retry_at else None,
                updated_at=as_utc(delivery.updated_at),
            )
        )
    return found


def counts(session: Session, destination_id: int) -> dict[str, int]:
    """How many of the destination's deliveries are in each status."""
    rows = session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.destination_id == destination_id)
        .group_by(Delivery.status)
    ).all()
    return {status: int(n) for status, n in rows}


def remember(session: Session, destination_id: int, kind: str, ids: dict[str, str]) -> None:
    """Keep the vendor ids of users or groups (``kind``) the destination learned."""
    if not ids:
        return
    now = utcnow()
    known = set(
        session.scalars(
            select(DestinationIdentity.key).where(
                DestinationIdentity.destination_id == destination_id,
                DestinationIdentity.kind == kind,
                DestinationIdentity.key.in_(list(ids)),
            )
        )
    )
    for key, vendor_id in ids.items():
        if key in known:
            session.execute(
                update(DestinationIdentity)
                .where(
                    DestinationIdentity.destination_id == destination_id,
                    DestinationIdentity.kind == kind,
                    DestinationIdentity.key == key,
                )
                .values(vendor_id=vendor_id, updated_at=now)
            )
        else:
            session.add(
                DestinationIdentity(
                    destination_id=destination_id,
                    kind=kind,
                    key=key,
                    vendor_id=vendor_id,
                    updated_at=now,
                )
            )
    session.flush()


def known(
    session: Session, destination_id: int, kind: str, keys: Collection[str]
) -> dict[str, str]:
    """The vendor ids the destination learned for ``keys`` of ``kind``."""
    if not keys:
        return {}
    rows = session.execute(
        select(DestinationIdentity.key, DestinationIdentity.vendor_id).where(
            DestinationIdentity.destination_id == destination_id,
            DestinationIdentity.kind == kind,
            DestinationIdentity.key.in_(list(keys)),
        )
    ).all()
    return {str(key): str(vendor_id) for key, vendor_id in rows}
