"""Connecting with OAuth2's authorization code: the consent link, then the callback that
stores a working connection, against the HubSpot simulator's token endpoint."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import connections
from cardfile.store.vault import Vault
from tests.conftest import LiveServer, Tenant


@pytest.fixture
def api(server: LiveServer, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> httpx.Client:
    monkeypatch.setenv("CARDFILE_HUBSPOT_CLIENT_ID", "sim-client")
    monkeypatch.setenv("CARDFILE_HUBSPOT_CLIENT_SECRET", "sim-secret")
    return httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {tenant.key}"}
    )


def test_the_consent_link_then_the_callback_make_a_working_connection(
    api: httpx.Client,
    hubspot: str,
    server: LiveServer,
    sessions: sessionmaker[Session],
    tenant: Tenant,
) -> None:
    started = api.post("/connections/oauth/hubspot", json={"base_url": hubspot})
    assert started.status_code == 200, started.text
    link = started.json()["data"]
    url = urlsplit(link["connect_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://app.hubspot.com/oauth/authorize"
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert query["client_id"] == "sim-client"
    assert query["redirect_uri"] == link["redirect_uri"]
    assert link["redirect_uri"].endswith("/api/v1/connections/oauth/callback")
    assert "crm.objects.contacts.write" in query["scope"]
    # The user consents at HubSpot, which sends the browser back with a code and the state.
    back = httpx.get(
        f"{server.url}/api/v1/connections/oauth/callback",
        params={"code": "consented-code", "state": query["state"]},
    )
    assert back.status_code == 200, back.text
    made = back.json()["data"]
    assert (made["provider"], made["status"]) == ("hubspot", "healthy")
    with sessions() as session:
        stored = connections.get(session, tenant.workspace_id, "hubspot")
    secrets = stored.credentials(Vault(server.settings.resolved_secret_key()))
    assert secrets["oauth"]["access_token"].startswith("sim-at-")
    assert secrets["oauth_client"]["client_id"] == "sim-client"
    assert "token" not in secrets
    pushed = api.post(
        "/crm-syncs/hubspot/contacts/push", json={"records": [{"email": "oauth@acme.com"}]}
    )
    assert pushed.json()["data"]["pushed_count"] == 1


def test_a_state_that_was_not_issued_here_is_refused(api: httpx.Client, server: LiveServer) -> None:
    back = httpx.get(
        f"{server.url}/api/v1/connections/oauth/callback",
        params={"code": "x", "state": "forged-state"},
    )
    assert back.status_code == 400
    assert "expired or was not issued here" in back.json()["detail"]


def test_without_an_oauth_app_the_link_names_the_settings_to_set(
    api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CARDFILE_ATTIO_CLIENT_ID", raising=False)
    refused = api.post("/connections/oauth/attio", json={})
    assert refused.status_code == 400
    assert "CARDFILE_ATTIO_CLIENT_ID" in refused.json()["detail"]
