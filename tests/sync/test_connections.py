"""A stored connection made into a connector; refreshed OAuth tokens are stored back."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connector, OAuthTokens
from cardfile.connectors.conformance import SimulatorControl
from cardfile.store import connections
from cardfile.store.db import transaction
from cardfile.store.errors import NotFound
from cardfile.store.vault import Vault, VaultError
from cardfile.sync.connections import connection_for, open_connector
from tests.conftest import Tenant, make_tenant

VAULT = Vault("sync test secret")


async def _check_twice(connector: Connector, control: SimulatorControl) -> list[bool]:
    async with connector:
        first = await connector.check()
        control.expire_tokens()
        second = await connector.check()
    return [first.healthy, second.healthy]


def _grant_credentials(hubspot: str, grant: dict[str, Any]) -> dict[str, Any]:
    return {
        "oauth": {
            "access_token": grant["access_token"],
            "refresh_token": grant["refresh_token"],
            "expires_at": time.time() + grant["expires_in"],
        },
        "oauth_client": {
            "client_id": "sim-client",
            "client_secret": "sim-secret",
            "token_url": f"{hubspot}/oauth/v1/token",
        },
    }


def _store(
    sessions: sessionmaker[Session], tenant: Tenant, credentials: dict[str, Any], base_url: str
) -> None:
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials=credentials,
            base_url=base_url,
            settings={"requests_per_10s": "50"},
        )


def _stored(sessions: sessionmaker[Session], tenant: Tenant) -> dict[str, Any]:
    with sessions() as session:
        return connections.get(session, tenant.workspace_id, "hubspot").credentials(VAULT)


def test_a_refreshed_grant_is_stored_for_the_next_run(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> None:
    control = SimulatorControl(hubspot)
    grant = control.grant()
    _store(sessions, tenant, _grant_credentials(hubspot, grant), hubspot)
    connector = open_connector(sessions, tenant.workspace_id, "hubspot", VAULT)
    assert asyncio.run(_check_twice(connector, control)) == [True, True]
    stored = _stored(sessions, tenant)
    assert stored["oauth"]["access_token"] != grant["access_token"]
    assert stored["oauth"]["refresh_token"] != grant["refresh_token"]
    assert stored["oauth_client"]["client_secret"] == "sim-secret"


def test_a_stored_token_becomes_the_connection_a_connector_is_built_from(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _store(sessions, tenant, {"token": "pat-na1-sync-1234"}, "http://127.0.0.1:9")
    seen: list[OAuthTokens] = []
    with sessions() as session:
        stored = connections.get(session, tenant.workspace_id, "hubspot")
    connection = connection_for(stored, VAULT, on_tokens=seen.append)
    assert (connection.provider, connection.token) == ("hubspot", "pat-na1-sync-1234")
    assert (connection.oauth, connection.oauth_client) == (None, None)
    assert connection.base_url == "http://127.0.0.1:9"
    assert connection.settings == {"requests_per_10s": "50"}
    assert connection.on_tokens is not None
    connection.on_tokens(OAuthTokens("a"))
    assert seen == [OAuthTokens("a")]
    assert "pat-na1-sync-1234" not in repr(connection)


def test_only_the_workspaces_own_connection_opens(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    other = make_tenant(sessions, "globex")
    _store(sessions, other, {"token": "pat-na1-other-1234"}, "http://127.0.0.1:9")
    with pytest.raises(NotFound):
        open_connector(sessions, tenant.workspace_id, "hubspot", VAULT)


def test_another_secret_key_cannot_open_the_connection(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _store(sessions, tenant, {"token": "pat-na1-sync-1234"}, "http://127.0.0.1:9")
    with pytest.raises(VaultError) as refused:
        open_connector(sessions, tenant.workspace_id, "hubspot", Vault("another key"))
    assert "pat-na1-sync-1234" not in str(refused.value)


def test_a_grant_refreshed_after_removal_does_not_bring_the_connection_back(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> None:
    control = SimulatorControl(hubspot)
    _store(sessions, tenant, _grant_credentials(hubspot, control.grant()), hubspot)
    connector = open_connector(sessions, tenant.workspace_id, "hubspot", VAULT)
    with transaction(sessions) as session:
        connections.remove(session, tenant.workspace_id, "hubspot")
    assert asyncio.run(_check_twice(connector, control)) == [True, True]
    with sessions() as session:
        assert connections.list_for(session, tenant.workspace_id) == []
