"""Syncs managed through GraphQL against the live server and the HubSpot simulator: saved
after the check against the vendor's fields, run by the server's workers, another workspace
kept out."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.store import companies
from cardfile.store.db import transaction
from tests.api.graphql.conftest import Client
from tests.api.rest.test_crm_syncs import TOKEN, _connect
from tests.conftest import LiveServer, Tenant, make_tenant

DEFINITION: dict[str, Any] = {
    "name": "out",
    "source": "companies",
    "connection": "hubspot",
    "entity": "companies",
    "match": {"hub": "domain", "vendor": "domain"},
    "mappings": [{"to": "name", "field": "name"}],
}
SAVE = (
    "mutation($d: JSON!) { saveSync(definition: $d) { name provider definition lastRun { id } } }"
)
RUN = 'mutation { runSync(name: "out") { id status } }'
RUN_STATE = "query($id: ID!) { syncRun(id: $id) { status finishedAt counts } }"


def _set_up(
    server: LiveServer, sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> None:
    SimulatorControl(hubspot).reset()
    _connect(sessions, server, tenant, hubspot, TOKEN)
    with transaction(sessions) as session:
        for n in range(5):
            companies.create(
                session, tenant.workspace_id, {"name": f"Co {n}", "domain": f"co{n}.example.com"}
            )


def test_a_sync_is_saved_run_and_read_back(
    client: Client,
    server: LiveServer,
    sessions: sessionmaker[Session],
    tenant: Tenant,
    hubspot: str,
) -> None:
    _set_up(server, sessions, tenant, hubspot)
    saved = client.ok(SAVE, {"d": DEFINITION})["saveSync"]
    assert (saved["name"], saved["provider"], saved["lastRun"]) == ("out", "hubspot", None)
    assert saved["definition"]["match"] == {"hub": "domain", "vendor": "domain"}

    run_id = client.ok(RUN)["runSync"]["id"]
    deadline = time.monotonic() + 30
    while True:
        state = client.ok(RUN_STATE, {"id": run_id})["syncRun"]
        if state["finishedAt"]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert (state["status"], state["counts"]["created"]) == ("succeeded", 5)
    assert SimulatorControl(hubspot).stored("companies") == 5
    (listed,) = client.ok("{ syncs { name lastRun { id status } } }")["syncs"]
    assert listed["lastRun"] == {"id": run_id, "status": "succeeded"}


def test_a_bad_mapping_is_refused_naming_the_field(
    client: Client,
    server: LiveServer,
    sessions: sessionmaker[Session],
    tenant: Tenant,
    hubspot: str,
) -> None:
    _set_up(server, sessions, tenant, hubspot)
    bad = {**DEFINITION, "mappings": [{"to": "no_such_property", "field": "name"}]}
    refused = client.error(SAVE, {"d": bad})
    assert refused["message"].startswith("mappings[0].to: the vendor has no field")
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"
    assert client.ok("{ syncs { name } }")["syncs"] == []


def test_another_workspace_cannot_see_or_run_the_sync(
    client: Client,
    server: LiveServer,
    sessions: sessionmaker[Session],
    tenant: Tenant,
    hubspot: str,
) -> None:
    _set_up(server, sessions, tenant, hubspot)
    client.ok(SAVE, {"d": DEFINITION})
    other = Client(server, make_tenant(sessions, "other-co").key)
    assert other.ok("{ syncs { name } }")["syncs"] == []
    assert other.error('{ sync(name: "out") { name } }')["extensions"]["code"] == "NOT_FOUND"
    assert other.error(RUN)["extensions"]["code"] == "NOT_FOUND"
