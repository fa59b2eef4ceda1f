"""A workspace with a source and a destination on a vendor simulator, events put in the log
as the tracking API stores them, and the two jobs (apply, deliver) run in the test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.jobs.deliveries import deliver
from cardfile.jobs.events import apply_pending
from cardfile.store import connections, destinations, events, sources
from cardfile.store.db import transaction
from cardfile.store.destinations import StoredDestination
from cardfile.store.schema import utcnow
from cardfile.store.vault import Vault
from cardfile.sync.actions import definitions
from tests.conftest import Tenant

VAULT = Vault("actions test secret")


@dataclass
class Pipe:
    """A source wired to a destination on a simulator."""

    sessions: sessionmaker[Session]
    tenant: Tenant
    source_id: int
    provider: str
    base_url: str
    vault: Vault = VAULT
    warnings: list[str] = field(default_factory=list)

    def destination(self, actions: list[dict[str, Any]], name: str = "out") -> StoredDestination:
        stored, _, warnings = asyncio.run(
            definitions.save(
                self.sessions,
                self.vault,
                self.tenant.workspace_id,
                {"name": name, "source": "web", "connection": self.provider, "actions": actions},
            )
        )
        self.warnings = warnings
        return stored

    def send(self, *payloads: dict[str, Any], at: datetime | None = None) -> None:
        """Store events as the intake does, then apply them (hub, deliveries)."""
        now = at or utcnow()
        rows = []
        for payload in payloads:
            message = {"messageId": str(uuid.uuid4()), **payload}
            rows.append(
                events.NewEvent(
                    workspace_id=self.tenant.workspace_id,
                    source_id=self.source_id,
                    message_id=message["messageId"],
                    type=message["type"],
                    user_id=message.get("userId"),
                    anonymous_id=message.get("anonymousId"),
                    payload=message,
                    received_at=now,
                )
            )
        with transaction(self.sessions) as session:
            events.append(session, rows)
        apply_pending(self.sessions, self.tenant.workspace_id)

    def deliver(self, destination: StoredDestination) -> datetime | None:
        return asyncio.run(deliver(self.sessions, self.vault, destination.id))

    def deliveries(self, destination: StoredDestination) -> list[dict[str, Any]]:
        """Every delivery of the destination, oldest event first."""
        from sqlalchemy import select

        from cardfile.store.schema import Delivery, DestinationAction

        with self.sessions() as session:
            rows = session.execute(
                select(Delivery, DestinationAction.name)
                .join(DestinationAction, DestinationAction.id == Delivery.action_id)
                .where(Delivery.destination_id == destination.id)
                .order_by(Delivery.event_id, DestinationAction.position)
            ).all()
        return [
            {
                "action": name,
                "status": d.status,
                "error": d.error,
                "attempts": d.attempts,
                "detail": d.detail,
                "event_id": d.event_id,
            }
            for d, name in rows
        ]

    def reload_by_name(self, name: str) -> StoredDestination:
        with self.sessions() as session:
            return destinations.get(session, self.tenant.workspace_id, name)

    def reload(self, destination: StoredDestination) -> StoredDestination:
        with self.sessions() as session:
            found = destinations.by_id(session, destination.id)
        assert found is not None
        return found


def make_pipe(
    sessions: sessionmaker[Session],
    tenant: Tenant,
    provider: str,
    base_url: str,
    token: str,
    vault: Vault = VAULT,
) -> Pipe:
    with transaction(sessions) as session:
        source = sources.create(session, workspace_id=tenant.workspace_id, name="web")
        connections.add(
            session,
            vault,
            workspace_id=tenant.workspace_id,
            provider=provider,
            credentials={"token": token},
            base_url=base_url,
        )
        return Pipe(sessions, tenant, source.id, provider, base_url, vault)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def attio_url() -> Iterator[str]:
    from simulators.attio import create_app
    from simulators.kit import serve

    with serve(create_app()) as url:
        yield url


@pytest.fixture
def attio_pipe(sessions: sessionmaker[Session], tenant: Tenant, attio_url: str) -> Pipe:
    from cardfile.connectors.conformance import SimulatorControl

    SimulatorControl(attio_url).reset()
    return make_pipe(sessions, tenant, "attio", attio_url, "attio-test-token")
