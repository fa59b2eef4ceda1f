"""How a Pipedrive connection authenticates: ``x-api-token``, OAuth2 refreshed with HTTP
Basic client credentials, and the company's ``api_domain``."""

from __future__ import annotations

import time

import pytest

from cardfile.connectors.base import Connection, OAuthClient, OAuthTokens
from cardfile.connectors.pipedrive import PipedriveConnector
from cardfile.connectors.pipedrive.auth import TOKEN_URL, auth_for, token_url
from cardfile.connectors.registry import connect
from tests.connectors.pipedrive.conftest import Company

pytestmark = pytest.mark.anyio


def _oauth(co: Company, *, expires_at: float, seen: list[OAuthTokens], refresh: str) -> Connection:
    grant = co.control("tokens/grant")
    return Connection(
        provider="pipedrive",
        oauth=OAuthTokens(grant["access_token"], refresh, expires_at),
        oauth_client=OAuthClient("sim-client", "sim-secret"),
        base_url=co.url,
        on_tokens=seen.append,
    )


async def test_an_api_token_travels_in_x_api_token() -> None:
    auth = auth_for(Connection(provider="pipedrive", token="pd-token-1"))
    assert await auth.headers() == {"x-api-token": "pd-token-1"}
    assert not auth.can_refresh


async def test_a_grant_about_to_end_is_refreshed_first_with_http_basic(co: Company) -> None:
    seen: list[OAuthTokens] = []
    grant = co.control("tokens/grant")
    connection = _oauth(co, expires_at=time.time() - 1, seen=seen, refresh=grant["refresh_token"])
    async with connect(connection) as connector:
        health = await connector.check()
    assert health.healthy, health.message
    assert len(seen) == 1 and seen[0].access_token != grant["access_token"]
    assert co.sim.tokens.refreshes == 1


async def test_a_refused_refresh_is_an_unhealthy_connection_in_pipedrives_words(
    co: Company,
) -> None:
    connection = _oauth(co, expires_at=time.time() - 1, seen=[], refresh="sim-rt-unknown")
    async with connect(connection) as connector:
        health = await connector.check()
    assert not health.healthy
    assert "Invalid refresh token" in health.message
    assert "sim-secret" not in health.message


def test_the_token_endpoint_is_pipedrives_unless_a_simulator_or_proxy_stands_in() -> None:
    def url(**options: object) -> str:
        return token_url(Connection(provider="pipedrive", **options))  # type: ignore[arg-type]

    assert url() == TOKEN_URL
    assert url(base_url="https://acme.pipedrive.com") == TOKEN_URL
    assert url(base_url="http://127.0.0.1:8104/") == "http://127.0.0.1:8104/oauth/token"
    client = OAuthClient("id", "secret", token_url="https://proxy.example/token")
    assert url(base_url="https://acme.pipedrive.com", oauth_client=client) == client.token_url


def test_the_grant_names_the_api_root_and_the_consent_page_is_pipedrives() -> None:
    grant = {"access_token": "a", "api_domain": "https://acme.pipedrive.com/"}
    assert PipedriveConnector.base_url_of_grant(grant) == "https://acme.pipedrive.com"
    assert PipedriveConnector.base_url_of_grant({"access_token": "a"}) is None
    assert PipedriveConnector.authorize_url(None) == "https://oauth.pipedrive.com/oauth/authorize"
    assert PipedriveConnector.oauth_app is not None
    assert PipedriveConnector.oauth_app.auth_method == "client_secret_basic"


def test_secrets_stay_out_of_reprs() -> None:
    connection = Connection(provider="pipedrive", token="pd-secret-token", base_url="http://x")
    assert "pd-secret-token" not in repr(connection)
    assert "pd-secret-token" not in repr(connect(connection).connection)
