"""The event debugger: a source's last events, each with what applying it to the hub did and
what every destination action did with it (sent, failed and why, waiting, skipped by its
trigger)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cardfile.store import deliveries, destinations, events, sources
from cardfile.store.schema import as_utc
from cardfile.sync.actions.fanout import skipped_because

NOT_HANDED = "not delivered: the action did not exist when the event was handed on"


@dataclass(frozen=True)
class ActionView:
    """What one action did with the event."""

    destination: str
    action: str
    status: str  # a delivery status, or "skipped"
    attempts: int = 0
    error: str | None = None
    detail: dict[str, Any] | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class EventView:
    """One event as the debugger shows it."""

    id: int
    message_id: str
    type: str
    user_id: str | None
    anonymous_id: str | None
    received_at: datetime
    hub_status: str
    hub_detail: str | None
    payload: dict[str, Any]
    actions: list[ActionView]


def recent(
    session: Session, workspace_id: int, source: str | int, *, limit: int, before: int | None
) -> list[EventView]:
    """The source's newest events (newest first; ``before`` an event id to page back from).

    Raises:
        NotFound: The workspace has no such source.
    """
    found = sources.get(session, workspace_id, source)
    rows = events.recent(session, found.id, limit=limit, before=before)
    told = deliveries.of_events(session, [e.id for e in rows])
    routes = destinations.routes(session, [found.id]).get(found.id, [])
    views = []
    for event in rows:
        done = {(t.destination, t.action): t for t in told.get(event.id, [])}
        actions = [
            ActionView(t.destination, t.action, t.status, t.attempts, t.error, t.detail, t.retry_at)
            for t in done.values()
        ]
        if event.hub_status != events.PENDING:
            for destination in routes:
                for action in destination.actions:
                    if (destination.name, action.name) in done:
                        continue
                    reason = skipped_because(destination, action, event.payload)
                    actions.append(
                        ActionView(destination.name, action.name, "skipped", error=reason)
                        if reason
                        else ActionView(destination.name, action.name, "skipped", error=NOT_HANDED)
                    )
        views.append(
            EventView(
                id=event.id,
                message_id=event.message_id,
                type=event.type,
                user_id=event.user_id,
                anonymous_id=event.anonymous_id,
                received_at=as_utc(event.received_at),
                hub_status=event.hub_status,
                hub_detail=event.hub_detail,
                payload=dict(event.payload),
                actions=actions,
            )
        )
    return views
