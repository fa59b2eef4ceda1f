"""``/api/v1/destinations``, replay and the event debugger over real HTTP, with the Attio
simulator as the vendor and the server's own workers delivering."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.store.vault import Vault
from tests.conftest import LiveServer, Tenant, make_tenant
from tests.sync.actions.conftest import Pipe, make_pipe

DEFINITION: dict[str, Any] = {
    "name": "attio",
    "source": "web",
    "connection": "attio",
    "actions": [
        {
            "name": "identify",
            "kind": "identify_user",
            "person_attributes": {"job_title": "traits.title"},
        },
        {"name": "group", "kind": "group_workspace"},
    ],
}


@pytest.fixture(scope="module")
def attio() -> Iterator[str]:
    from simulators.attio import create_app
    from simulators.kit import serve

    with serve(create_app()) as url:
        yield url


@pytest.fixture
def pipe(server: LiveServer, sessions: sessionmaker[Session], tenant: Tenant, attio: str) -> Pipe:
    SimulatorControl(attio).reset()
    vault = Vault(server.settings.resolved_secret_key())
    return make_pipe(sessions, tenant, "attio", attio, "attio-test-token", vault)


def _client(server: LiveServer, tenant: Tenant) -> httpx.Client:
    return httpx.Client(
        base_url=f"{server.url}/api/v1",
        headers={"Authorization": f"Bearer {tenant.key}"},
        timeout=30,
    )


def _until(check: Any, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_destination_is_created_checked_and_read_back(
    pipe: Pipe, server: LiveServer, tenant: Tenant
) -> None:
    with _client(server, tenant) as api:
        created = api.post("/destinations", json=DEFINITION)
        assert created.status_code == 201, created.text
        body = created.json()["data"]
        assert body["provider"] == "attio"
        assert [a["name"] for a in body["actions"]] == ["identify", "group"]
        assert body["actions"][0]["trigger"] == {"type": "identify", "condition": []}
        assert body["actions"][0]["email"] == ["traits.email", "email"]
        assert api.post("/destinations", json=DEFINITION).status_code == 409
        listed = api.get("/destinations").json()["data"]
        assert [d["name"] for d in listed] == ["attio"]

        bad = {
            **DEFINITION,
            "actions": [{**DEFINITION["actions"][0], "person_attributes": {"nope": "traits.x"}}],
        }
        refused = api.put("/destinations/attio", json=bad)
        assert refused.status_code == 422
        assert "'nope'" in refused.json()["detail"]
        wrong_kind = {
            **DEFINITION,
            "actions": [{"name": "c", "kind": "upsert_contact", "match_key": "email"}],
            "connection": "nowhere",
        }
        assert api.put("/destinations/attio", json=wrong_kind).status_code == 422
        assert api.put("/destinations/other", json=DEFINITION).status_code == 422
        assert api.delete("/destinations/attio").json()["data"] == {"deleted": True}
        assert api.get("/destinations/attio").status_code == 404


def test_the_debugger_shows_what_each_action_did_and_replay_sends_again(
    pipe: Pipe, server: LiveServer, tenant: Tenant, sessions: sessionmaker[Session]
) -> None:
    with _client(server, tenant) as api:
        assert api.post("/destinations", json=DEFINITION).status_code == 201
        destination = pipe.reload_by_name("attio")
        pipe.send(
            {"type": "identify", "userId": "u1", "traits": {"name": "no email"}},
            {"type": "track", "userId": "u1", "event": "Signed up"},
        )
        pipe.deliver(destination)
        page = api.get("/sources/web/events", params={"limit": 10}).json()["data"]
        track, identify = page["events"]
        assert track["type"] == "track"
        assert {a["action"]: a["status"] for a in track["actions"]} == {
            "identify": "skipped",
            "group": "skipped",
        }
        assert "trigger takes identify" in track["actions"][0]["error"]
        assert identify["hub_status"] in ("applied", "failed")
        (failed,) = [a for a in identify["actions"] if a["action"] == "identify"]
        assert failed["status"] == "failed"
        assert "no email" in failed["error"]
        assert page["next_before"] is None

        # Fix the mapping (the email is in traits.name here, say), then replay.
        fixed = {
            **DEFINITION,
            "actions": [
                {**DEFINITION["actions"][0], "email": "traits.mail"},
                DEFINITION["actions"][1],
            ],
        }
        assert api.put("/destinations/attio", json=fixed).status_code == 200
        with sessions() as session:
            from sqlalchemy import update

            from cardfile.store.schema import Event

            event = session.get(Event, identify["event_id"])
            assert event is not None
        with sessions.begin() as session:
            session.execute(
                update(Event)
                .where(Event.id == identify["event_id"])
                .values(payload={**identify["payload"], "traits": {"mail": "u1@acme.com"}})
            )
        replayed = api.post("/destinations/attio/replay", json={})
        assert replayed.json()["data"] == {"replayed": 1}

        def sent() -> bool:
            events = api.get("/sources/web/events").json()["data"]["events"]
            statuses = {a["action"]: a["status"] for a in events[-1]["actions"]}
            return statuses.get("identify") == "sent"

        assert _until(sent)


def test_another_workspace_sees_no_destination_and_no_source(
    pipe: Pipe, server: LiveServer, tenant: Tenant, sessions: sessionmaker[Session]
) -> None:
    other = make_tenant(sessions, "globex")
    with _client(server, tenant) as api:
        assert api.post("/destinations", json=DEFINITION).status_code == 201
    with _client(server, other) as api:
        assert api.get("/destinations").json()["data"] == []
        assert api.get("/destinations/attio").status_code == 404
        assert api.get("/sources/web/events").status_code == 404
        assert api.post("/destinations/attio/replay", json={}).status_code == 404
        # The other workspace has no connection or source of that name either.
        assert api.post("/destinations", json=DEFINITION).status_code == 422
