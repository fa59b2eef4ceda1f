"""Delivering a destination's events: the due deliveries read, carried out against the
vendor (``sync.actions.delivery``), and their outcomes stored, slice after slice.

One worker at a time holds a destination (a lease in the store, renewed each slice, so a
dead worker's runs out); a second task for the same destination gives way at once. The
holder looks again after giving the lease up, so deliveries made due while it was finishing
are not left for the sweep.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connector
from cardfile.store import deliveries, destinations
from cardfile.store.db import in_transaction
from cardfile.store.deliveries import Due
from cardfile.store.destinations import StoredDestination
from cardfile.store.schema import utcnow
from cardfile.store.vault import Vault
from cardfile.sync.actions.delivery import Deliverer, Report
from cardfile.sync.actions.fanout import chain_of
from cardfile.sync.actions.kinds import USER
from cardfile.sync.connections import open_connector

LEASE_SECONDS = 300.0
SLICE = 500


async def deliver(
    sessions: sessionmaker[Session], vault: Vault, destination_id: int, *, slice_size: int = SLICE
) -> datetime | None:
    """Deliver the destination's due events; when it has more to try (None: nothing, or
    another worker holds it)."""
    owner = str(uuid.uuid4())
    connector: Connector | None = None

    def take(
        session: Session, now: datetime
    ) -> tuple[StoredDestination, list[Due], dict[str, str]] | None:
        if not destinations.take_lease(session, destination_id, owner, seconds=LEASE_SECONDS):
            return None
        destination = destinations.by_id(session, destination_id)
        if destination is None:
            return None
        deliveries.wake_due(session, destination_id, now)
        due = deliveries.ready(session, destination_id, now, limit=slice_size)
        users = {str(d.event.payload["userId"]) for d in due if d.event.payload.get("userId")}
        return destination, due, deliveries.known(session, destination_id, USER, users)

    def keep(session: Session, report: Report, now: datetime) -> None:
        deliveries.settle(session, report.outcomes)
        for kind, ids in report.learned.items():
            deliveries.remember(session, destination_id, kind, ids)
        woken = {chain_of({"userId": user}) for user in report.learned.get(USER, {})}
        deliveries.wake(session, destination_id, woken, now)

    try:
        while True:
            now = utcnow()
            taken = await asyncio.to_thread(in_transaction, sessions, partial(take, now=now))
            if taken is None:
                return None
            destination, due, users = taken
            if not due:
                break
            if connector is None:
                connector = await asyncio.to_thread(
                    open_connector,
                    sessions,
                    destination.workspace_id,
                    destination.connection,
                    vault,
                )
            report = await Deliverer(connector, destination_id, users, now).deliver(due)
            await asyncio.to_thread(in_transaction, sessions, partial(keep, report=report, now=now))
    finally:
        if connector is not None:
            await connector.aclose()
        await asyncio.to_thread(
            in_transaction,
            sessions,
            lambda s: destinations.release_lease(s, destination_id, owner),
        )
    with sessions() as session:
        return deliveries.next_due(session, destination_id, utcnow())
