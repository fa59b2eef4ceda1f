"""graph8's CRM Syncs endpoints over real HTTP, against the HubSpot simulator on loopback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.store import companies, connections, people
from cardfile.store.db import transaction
from cardfile.store.vault import Vault
from tests.conftest import LiveServer, Tenant, make_tenant

TOKEN = "hubspot-test-token"


@pytest.fixture
def crm(
    server: LiveServer, sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> httpx.Client:
    """The tenant's REST client, its workspace connected to the HubSpot simulator."""
    SimulatorControl(hubspot).reset()
    _connect(sessions, server, tenant, hubspot, TOKEN)
    return httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {tenant.key}"}
    )


def _connect(
    sessions: sessionmaker[Session], server: LiveServer, tenant: Tenant, base: str, token: str
) -> None:
    with transaction(sessions) as session:
        connections.add(
            session,
            Vault(server.settings.resolved_secret_key()),
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials={"token": token},
            base_url=base,
        )


def test_the_list_shows_connected_providers_only(crm: httpx.Client) -> None:
    answer = crm.get("/crm-syncs")
    assert answer.status_code == 200
    (sync,) = answer.json()["data"]
    assert (sync["provider"], sync["status"]) == ("hubspot", "connected")
    assert sync["connection_id"].startswith("cf-conn-")
    assert sync["connected_at"] is not None


def test_contacts_are_pushed_and_a_bad_record_is_reported_alone(
    crm: httpx.Client, hubspot: str
) -> None:
    answer = crm.post(
        "/crm-syncs/hubspot/contacts/push",
        json={
            "records": [
                {"email": "jane@acme.com", "firstname": "Jane", "lastname": "Smith"},
                {"email": "not-an-email", "firstname": "Bad"},
                {"email": "bob@acme.com", "firstname": "Bob", "lastname": "Jones"},
            ]
        },
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert (data["pushed_count"], data["failed_count"]) == (2, 1)
    (error,) = data["errors"]
    assert error["record"] == "not-an-email"
    assert "not-an-email" in error["error"] and "invalid" in error["error"].lower()
    assert SimulatorControl(hubspot).stored("contacts") == 2
    assert data["hub"] == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}


def test_pushed_records_land_in_the_hub_too(
    crm: httpx.Client, sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    jane = {"email": "Jane@Acme.com", "firstname": "Jane", "lastname": "Smith"}
    crm.post("/crm-syncs/hubspot/contacts/push", json={"records": [jane]})
    again = crm.post(
        "/crm-syncs/hubspot/contacts/push", json={"records": [{**jane, "lastname": "Doe"}]}
    ).json()["data"]
    assert again["hub"]["updated"] == 1
    pushed = crm.post(
        "/crm-syncs/hubspot/companies/push",
        json={"records": [{"name": "Acme Inc", "domain": "acme.com"}]},
    ).json()["data"]
    assert pushed["hub"]["created"] == 1
    with sessions() as session:
        person = people.match(session, tenant.workspace_id, email="jane@acme.com")
        company = companies.match(session, tenant.workspace_id, domain="acme.com")
    assert person is not None and person.name == "Jane Doe"
    assert company is not None and company.name == "Acme Inc"
    assert company.hubspot_id is not None and company.hubspot_id.isdigit()
    # The same company pushed again is matched by its HubSpot id: nothing new in the hub.
    again = crm.post(
        "/crm-syncs/hubspot/companies/push",
        json={"records": [{"name": "Acme Inc", "domain": "acme.com"}]},
    ).json()["data"]
    assert again["hub"] == {"created": 0, "updated": 0, "unchanged": 1, "errors": []}


def test_companies_are_pushed_with_field_renames(crm: httpx.Client, hubspot: str) -> None:
    answer = crm.post(
        "/crm-syncs/hubspot/companies/push",
        json={
            "records": [{"Name": "Acme Inc", "Website": "acme.com"}],
            "provider_fields": {"Name": "name", "Website": "domain"},
        },
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert (data["pushed_count"], data["failed_count"], data["errors"]) == (1, 0, [])
    assert SimulatorControl(hubspot).stored("companies") == 1


def test_list_memberships_are_added_and_removed(crm: httpx.Client, hubspot: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    made = httpx.post(
        f"{hubspot}/crm/v3/lists",
        headers=headers,
        json={"name": "Push", "objectTypeId": "0-1", "processingType": "MANUAL"},
    )
    list_id = str(made.json()["list"]["listId"])
    contacts = httpx.post(
        f"{hubspot}/crm/v3/objects/contacts/batch/create",
        headers=headers,
        json={"inputs": [{"properties": {"email": f"p{i}@acme.com"}} for i in range(2)]},
    )
    ids = [r["id"] for r in contacts.json()["results"]]
    answer = crm.post(
        "/crm-syncs/hubspot/lists/push",
        json={"records": [{"list_id": list_id, "add_contact_ids": ids, "remove_contact_ids": []}]},
    )
    assert answer.json()["data"] == {"added": 2, "removed": 0, "errors": []}
    answer = crm.post(
        "/crm-syncs/hubspot/lists/push",
        json={"records": [{"list_id": list_id, "remove_contact_ids": ids[:1]}]},
    )
    assert answer.json()["data"]["removed"] == 1


def test_fields_are_the_crms_own(crm: httpx.Client) -> None:
    answer = crm.get("/crm-syncs/hubspot/fields", params={"entity_type": "contacts"})
    assert answer.status_code == 200
    fields = {f["slug"]: f for f in answer.json()["data"]["fields"]}
    assert fields["firstname"]["label"] == "First Name"
    assert set(fields["email"]) >= {"name", "slug", "type", "required", "label"}
    assert crm.get("/crm-syncs/hubspot/fields").status_code == 200  # contacts by default
    wrong = crm.get("/crm-syncs/hubspot/fields", params={"entity_type": "tickets"})
    assert wrong.status_code == 422
    assert isinstance(wrong.json()["detail"], list)


def test_status_is_healthy_and_a_bad_token_is_connected_false_not_a_5xx(
    server: LiveServer, sessions: sessionmaker[Session], hubspot: str
) -> None:
    tenant = make_tenant(sessions, "globex")
    _connect(sessions, server, tenant, hubspot, "revoked-token-1")
    client = httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {tenant.key}"}
    )
    answer = client.get("/crm-syncs/hubspot/status")
    assert answer.status_code == 200
    data: dict[str, Any] = answer.json()["data"]
    assert data["connected"] is False
    assert "Authentication credentials not found" in data["message"]
    (listed,) = client.get("/crm-syncs").json()["data"]
    assert listed["status"] == "broken"


def test_status_of_a_good_connection(crm: httpx.Client) -> None:
    data = crm.get("/crm-syncs/hubspot/status").json()["data"]
    assert (data["connected"], data["message"], data["crm_type"]) == (
        True,
        "Connection is healthy",
        "hubspot",
    )


def test_errors_in_graph8s_shape(crm: httpx.Client, server: LiveServer) -> None:
    missing = crm.post("/crm-syncs/salesforce/contacts/push", json={"records": [{"Email": "a"}]})
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": "No active salesforce connection. Connect in Integrations first"
    }
    malformed = crm.post("/crm-syncs/hubspot/contacts/push", json={"recs": []})
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["body", "records"]
    anonymous = httpx.get(f"{server.url}/api/v1/crm-syncs")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "detail": "Missing Authorization header. Use: Authorization: Bearer <api_key>"
    }
    wrong = httpx.get(f"{server.url}/api/v1/crm-syncs", headers={"Authorization": "Bearer no"})
    assert wrong.status_code == 401


def test_no_workspace_sees_anothers_connection(
    crm: httpx.Client, server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    other = make_tenant(sessions, "initech")
    client = httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {other.key}"}
    )
    assert client.get("/crm-syncs").json() == {"data": []}
    assert client.get("/crm-syncs/hubspot/status").status_code == 404
