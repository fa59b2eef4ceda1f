"""A stored connection made into a connector; refreshed OAuth tokens are stored back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from simulators.hubspot import create_app
from simulators.kit import serve
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connector
from cardfile.connectors.conformance import SimulatorControl
from cardfile.store import connections
from cardfile.store.db import transaction
from cardfile.store.vault import Vault
from cardfile.sync.connections import open_connector
from tests.conftest import Tenant

VAULT = Vault("sync test secret")


@pytest.fixture(scope="module")
def hubspot() -> Iterator[str]:
    with serve(create_app()) as base_url:
        yield base_url


async def _check_twice(connector: Connector, control: SimulatorControl) -> list[bool]:
    async with connector:
        first = await connector.check()
        control.expire_tokens()
        second = await connector.check()
    return [first.healthy, second.healthy]


def test_a_refreshed_grant_is_stored_for_the_next_run(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> None:
    control = SimulatorControl(hubspot)
    grant = control.grant()
    credentials = {
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
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials=credentials,
            base_url=hubspot,
        )
    connector = open_connector(sessions, tenant.workspace_id, "hubspot", VAULT)
    assert asyncio.run(_check_twice(connector, control)) == [True, True]
    with sessions() as session:
        stored = connections.get(session, tenant.workspace_id, "hubspot").credentials(VAULT)
    assert stored["oauth"]["access_token"] != grant["access_token"]
    assert stored["oauth"]["refresh_token"] != grant["refresh_token"]
    assert stored["oauth_client"]["client_secret"] == "sim-secret"
