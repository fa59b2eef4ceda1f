"""Seed 002 end to end over real HTTP: the official Segment client sends identify and group
calls to Cardfile, whose own workers apply them to the hub and deliver them to the Attio
simulator, where a person, a user, a company and a workspace arrive linked."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from segment.analytics import Client
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.store import connections
from cardfile.store.db import transaction
from cardfile.store.schema import Person
from cardfile.store.vault import Vault
from tests.api.tracking.conftest import Source
from tests.conftest import LiveServer, Tenant

DESTINATION = {
    "name": "attio",
    "source": "website",
    "connection": "attio",
    "actions": [
        {"name": "identify", "kind": "identify_user"},
        {
            "name": "group",
            "kind": "group_workspace",
            "workspace_attributes": {"name": "traits.name"},
        },
    ],
}


@pytest.fixture(scope="module")
def attio() -> Iterator[str]:
    from simulators.attio import create_app
    from simulators.kit import serve

    with serve(create_app()) as url:
        yield url


def test_sdk_events_reach_the_hub_and_attio(
    server: LiveServer,
    source: Source,
    tenant: Tenant,
    sessions: sessionmaker[Session],
    attio: str,
) -> None:
    control = SimulatorControl(attio)
    control.reset()
    with transaction(sessions) as session:
        connections.add(
            session,
            Vault(server.settings.resolved_secret_key()),
            workspace_id=tenant.workspace_id,
            provider="attio",
            credentials={"token": "attio-test-token"},
            base_url=attio,
        )
    api = httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {tenant.key}"}
    )
    assert api.post("/destinations", json=DESTINATION).status_code == 201

    client = Client(source.key, host=server.url, max_retries=3)
    for n in range(5):
        client.identify(f"u{n}", {"email": f"user{n}@acme.com", "name": f"User {n}"})
        client.group(f"u{n}", "ws-acme", {"website": "acme.com", "name": "Acme"})
    client.flush()
    client.shutdown()

    deadline = time.monotonic() + 30
    while True:
        events = api.get("/sources/website/events").json()["data"]["events"]
        statuses = [a["status"] for e in events for a in e["actions"] if a["status"] != "skipped"]
        if len(statuses) == 10 and set(statuses) == {"sent"}:
            break
        assert time.monotonic() < deadline, events
        time.sleep(0.2)

    with sessions() as session:
        people = session.scalars(
            select(Person).where(Person.workspace_id == tenant.workspace_id)
        ).all()
    assert sorted(p.email or "" for p in people) == [f"user{n}@acme.com" for n in range(5)]
    assert len({p.company_id for p in people}) == 1
    records = control.stats()["records"]
    assert (records["people"], records["users"], records["companies"], records["workspaces"]) == (
        5,
        5,
        1,
        1,
    )
    workspace = httpx.post(
        f"{attio}/v2/objects/workspaces/records/query",
        headers={"Authorization": "Bearer attio-test-token"},
        json={},
    ).json()["data"][0]["values"]
    assert len(workspace["users"]) == 5
