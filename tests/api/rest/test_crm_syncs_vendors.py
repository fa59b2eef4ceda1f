"""graph8's CRM Syncs endpoints for every connector, over real HTTP against each vendor's
simulator: status, fields, and a contacts push where one record the vendor refuses fails
alone, with the vendor's words, and the others reach the vendor and the hub."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from simulators.kit import serve
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.store import connections, people
from cardfile.store.db import transaction
from cardfile.store.vault import Vault
from tests.conftest import LiveServer, Tenant

# provider -> (token, the stats key of contacts, a contact in the vendor's own field names)
VENDORS: dict[str, tuple[str, str, Any]] = {
    "hubspot": ("hubspot-test-token", "contacts", lambda n: {"email": f"p{n}@acme.com",
                                                             "lastname": f"P{n}"}),
    "attio": ("attio-test-token", "people", lambda n: {"email_addresses": [f"p{n}@acme.com"],
                                                        "job_title": f"P{n}"}),
    "salesforce": ("salesforce-test-token", "contacts", lambda n: {"Email": f"p{n}@acme.com",
                                                                   "LastName": f"P{n}"}),
    "pipedrive": ("pipedrive-test-token", "contacts", lambda n: {"emails": f"p{n}@acme.com",
                                                                 "name": f"P{n}"}),
    "zoho": ("zoho-test-token", "contacts", lambda n: {"Email": f"p{n}@acme.com",
                                                       "Last_Name": f"P{n}"}),
    "sugarcrm": ("admin:sugar-sim-password", "contacts", lambda n: {"email": f"p{n}@acme.com",
                                                                    "last_name": f"P{n}"}),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(VENDORS))
def vendor(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    app = importlib.import_module(f"simulators.{request.param}").create_app()
    with serve(app) as base_url:
        yield request.param, base_url


@pytest.fixture
def crm(
    server: LiveServer,
    sessions: sessionmaker[Session],
    tenant: Tenant,
    vendor: tuple[str, str],
) -> httpx.Client:
    provider, base_url = vendor
    SimulatorControl(base_url).reset()
    with transaction(sessions) as session:
        connections.add(
            session,
            Vault(server.settings.resolved_secret_key()),
            workspace_id=tenant.workspace_id,
            provider=provider,
            credentials={"token": VENDORS[provider][0]},
            base_url=base_url,
        )
    return httpx.Client(
        base_url=f"{server.url}/api/v1",
        headers={"Authorization": f"Bearer {tenant.key}"},
        timeout=60,
    )


def test_status_fields_and_a_push_with_one_refusal(
    crm: httpx.Client,
    vendor: tuple[str, str],
    sessions: sessionmaker[Session],
    tenant: Tenant,
) -> None:
    provider, base_url = vendor
    _, stats_key, contact = VENDORS[provider]
    status = crm.get(f"/crm-syncs/{provider}/status").json()["data"]
    assert status["connected"] is True, status

    fields = crm.get(f"/crm-syncs/{provider}/fields", params={"entity_type": "contacts"})
    assert fields.status_code == 200, fields.text
    assert len(fields.json()["data"]["fields"]) >= 3

    records = [contact(0), {**contact(1), "no_such_field_x": "1"}, contact(2)]
    pushed = crm.post(f"/crm-syncs/{provider}/contacts/push", json={"records": records})
    assert pushed.status_code == 200, pushed.text
    data = pushed.json()["data"]
    assert (data["pushed_count"], data["failed_count"]) == (2, 1), data
    (error,) = data["errors"]
    assert "no_such_field_x" in error["error"], error
    assert SimulatorControl(base_url).stored(stats_key) == 2
    assert data["hub"]["created"] == 2
    with sessions() as session:
        assert people.match(session, tenant.workspace_id, email="p2@acme.com") is not None
