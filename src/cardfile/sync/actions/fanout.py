"""Events handed to the destinations of their source: a delivery for every action whose
trigger selects the event.

An action that does not select an event gets no row (most events are tracks most actions
ignore); the debugger works out why from the trigger (:func:`skipped_because`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from cardfile.store import deliveries, destinations
from cardfile.store.deliveries import NewDelivery
from cardfile.store.destinations import StoredAction, StoredDestination
from cardfile.store.schema import Event
from cardfile.sync.actions.spec import trigger_of


def chain_of(payload: Mapping[str, Any]) -> str:
    """The user an event is about, whose events are delivered in order."""
    for key in ("userId", "anonymousId"):
        value = payload.get(key)
        if value not in (None, ""):
            return f"{key[0]}:{value}"[:255]
    return "-"


def refused_by_integrations(
    destination: StoredDestination, payload: Mapping[str, Any]
) -> str | None:
    """Why the event's ``integrations`` keep it from the destination (None: they do not).

    As Segment reads them: a key naming the destination (or its vendor) decides; else
    ``All`` does; else the event goes everywhere.
    """
    integrations = payload.get("integrations")
    if not isinstance(integrations, Mapping):
        return None
    for name in (destination.name, destination.provider):
        for key, value in integrations.items():
            if key.lower() == name.lower():
                return None if value is not False else f"integrations.{key} is false"
    if integrations.get("All") is False:
        return "integrations.All is false"
    return None


def skipped_because(
    destination: StoredDestination, action: StoredAction, payload: Mapping[str, Any]
) -> str | None:
    """Why ``action`` does not take the event (None: it does)."""
    if not destination.enabled:
        return "the destination is disabled"
    if not action.enabled:
        return "the action is disabled"
    refused = refused_by_integrations(destination, payload)
    if refused:
        return refused
    return trigger_of(action.trigger, "identify", "trigger").refuses(payload)


def fan_out(session: Session, events: Sequence[Event]) -> set[int]:
    """Create the deliveries of ``events``; the destinations that have new ones."""
    routes = destinations.routes(session, sorted({e.source_id for e in events}))
    rows: list[NewDelivery] = []
    for event in events:
        for destination in routes.get(event.source_id, ()):
            for action in destination.actions:
                if skipped_because(destination, action, event.payload) is None:
                    rows.append(
                        NewDelivery(
                            event.id,
                            action.id,
                            destination.id,
                            chain_of(event.payload),
                            deliveries.PENDING,
                        )
                    )
    deliveries.add(session, rows)
    return {row.destination_id for row in rows}
