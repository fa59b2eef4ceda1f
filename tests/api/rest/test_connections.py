"""``/api/v1/connections`` over real HTTP, against the HubSpot simulator on loopback."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store.schema import Connection
from tests.conftest import LiveServer, Tenant, make_tenant

TOKEN = "hubspot-test-token"


@pytest.fixture
def api(server: LiveServer, tenant: Tenant) -> httpx.Client:
    return httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {tenant.key}"}
    )


def test_a_connection_is_created_checked_listed_and_deleted(
    api: httpx.Client, hubspot: str, sessions: sessionmaker[Session]
) -> None:
    made = api.post(
        "/connections", json={"provider": "hubspot", "token": TOKEN, "base_url": hubspot}
    )
    assert made.status_code == 201, made.text
    data = made.json()["data"]
    assert (data["name"], data["provider"], data["status"]) == ("hubspot", "hubspot", "healthy")
    assert "HubSpot portal" in data["status_message"]
    assert TOKEN not in made.text
    listed = api.get("/connections")
    assert [c["name"] for c in listed.json()["data"]] == ["hubspot"]
    assert TOKEN not in listed.text
    with sessions() as session:
        sealed = session.scalar(select(Connection.credentials))
    assert sealed is not None and TOKEN not in sealed
    assert api.get("/crm-syncs").json()["data"][0]["provider"] == "hubspot"
    assert api.delete("/connections/hubspot").json() == {"data": {"deleted": True}}
    assert api.get("/connections").json() == {"data": []}
    gone = api.delete("/connections/hubspot")
    assert gone.status_code == 404
    assert gone.json() == {"detail": "no connection named 'hubspot' in this workspace"}


def test_a_refused_token_is_stored_broken_with_the_vendors_words(
    api: httpx.Client, hubspot: str
) -> None:
    made = api.post(
        "/connections", json={"provider": "hubspot", "token": "bad-token-99", "base_url": hubspot}
    )
    assert made.status_code == 201
    data = made.json()["data"]
    assert data["status"] == "broken"
    assert "Authentication credentials not found" in data["status_message"]
    assert "bad-token-99" not in made.text


def test_bad_requests_get_graph8s_error_shapes(api: httpx.Client, hubspot: str) -> None:
    unknown = api.post("/connections", json={"provider": "nocrm", "token": "x"})
    assert unknown.status_code == 400
    assert "known:" in unknown.json()["detail"]
    missing = api.post("/connections", json={"provider": "hubspot"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "token"]
    body = {"provider": "hubspot", "token": TOKEN, "base_url": hubspot}
    assert api.post("/connections", json=body).status_code == 201
    again = api.post("/connections", json=body)
    assert again.status_code == 409
    assert "already has a connection named 'hubspot'" in again.json()["detail"]


def test_workspaces_see_only_their_own_connections(
    api: httpx.Client, hubspot: str, server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    api.post("/connections", json={"provider": "hubspot", "token": TOKEN, "base_url": hubspot})
    other = make_tenant(sessions, "globex")
    theirs = httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {other.key}"}
    )
    assert theirs.get("/connections").json() == {"data": []}
    assert theirs.delete("/connections/hubspot").status_code == 404
    assert [c["name"] for c in api.get("/connections").json()["data"]] == ["hubspot"]
