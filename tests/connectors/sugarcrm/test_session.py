"""Logging in with the password grant, refreshing, logging in again, and redaction."""

from __future__ import annotations

import logging
import time

import pytest

from cardfile.connectors.base import Connection, OAuthClient, OAuthTokens, Outcome
from cardfile.connectors.errors import ConnectionBroken
from cardfile.connectors.http import redaction
from cardfile.connectors.sugarcrm import SugarCRMConnector
from cardfile.connectors.sugarcrm.auth import credentials_of
from tests.connectors.sugarcrm.conftest import Instance
from tests.connectors.sugarcrm.session import PASSWORD, VERSION

pytestmark = pytest.mark.anyio


def _company(n: int) -> dict[str, str]:
    return {"website": f"s{n}.example.com", "name": f"Session {n}"}


def test_the_token_holds_username_and_password_split_at_the_first_colon() -> None:
    found = credentials_of("jim:pa:ss")
    assert found is not None
    assert (found.username, found.password) == ("jim", "pa:ss")
    assert "pa:ss" not in repr(found)
    assert credentials_of("no-colon") is None
    assert credentials_of(":password") is None
    assert credentials_of("user:") is None


async def test_the_session_logs_in_once_and_sends_oauth_token(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        assert (await connector.check()).healthy
        _ok = await connector.upsert("companies", [_company(1)], "website")
        assert _ok[0].outcome is Outcome.CREATED
        session = connector.session.tokens
    assert session is not None
    assert crm.sim.tokens.check(session.access_token) == "ok"
    # Only the first call logged in; the rest went with its OAuth-Token.
    assert len(crm.sim.calls_to("/oauth2/token")) == 1
    assert session.expires_at is not None and session.expires_at > time.time() + 3000


async def test_an_expired_session_is_refreshed_and_handed_out(crm: Instance) -> None:
    seen: list[OAuthTokens] = []
    async with SugarCRMConnector(crm.connection(on_tokens=seen.append)) as connector:
        await connector.upsert("companies", [_company(1)], "website")
        crm.control("tokens/expire")
        results = await connector.upsert("companies", [_company(2)], "website")
    assert results[0].outcome is Outcome.CREATED
    assert crm.sim.tokens.refreshes == 1
    assert len(seen) == 1
    assert len(crm.sim.calls_to("/oauth2/token")) == 2  # the login and the refresh


async def test_a_refused_refresh_logs_in_again(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        await connector.upsert("companies", [_company(1)], "website")
        crm.sim.tokens = type(crm.sim.tokens)(set(), lifetime=3600)  # every session forgotten
        results = await connector.upsert("companies", [_company(1)], "website")
    assert results[0].outcome is Outcome.UPDATED
    assert crm.sim.tokens.refreshes == 0
    assert [c.status for c in crm.sim.calls_to("/oauth2/token")] == [200, 400, 200]


async def test_a_grant_without_credentials_breaks_when_its_refresh_is_refused(
    crm: Instance,
) -> None:
    grant = crm.control("tokens/grant")
    connection = Connection(
        "sugarcrm",
        oauth=OAuthTokens(grant["access_token"], "sim-rt-spent", time.time() - 1),
        oauth_client=OAuthClient("sim-client", "sim-secret"),
        base_url=crm.url,
    )
    async with SugarCRMConnector(connection) as connector:
        with pytest.raises(ConnectionBroken, match="Invalid refresh token"):
            await connector.upsert("companies", [_company(1)], "website")
        health = await connector.check()
    assert not health.healthy
    assert "Invalid refresh token" in health.message


async def test_the_client_and_platform_come_from_the_settings(crm: Instance) -> None:
    settings = {"client_id": "no-such-client", "requests_per_second": "50"}
    async with SugarCRMConnector(crm.connection(settings=settings)) as connector:
        health = await connector.check()
    assert not health.healthy
    assert "The client credentials are invalid" in health.message


async def test_no_secret_reaches_a_log_line_or_an_error(
    crm: Instance, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cardfile")
    wrong = "admin:a-wrong-password-123"
    async with SugarCRMConnector(crm.connection(token=wrong)) as connector:
        health = await connector.check()
    assert "a-wrong-password-123" not in health.message
    async with SugarCRMConnector(crm.connection()) as connector:
        await connector.check()
        tokens = connector.session.tokens
    assert tokens is not None and tokens.refresh_token is not None
    for secret in (PASSWORD, tokens.access_token, tokens.refresh_token):
        assert redaction.redact(f"x {secret} y") == f"x {redaction.MASK} y"
        assert secret not in caplog.text
    assert PASSWORD not in repr(crm.connection())


async def test_the_pinned_version_is_in_every_path(crm: Instance) -> None:
    settings = {"rest_version": "v11_10", "requests_per_second": "50"}
    async with SugarCRMConnector(crm.connection(settings=settings)) as connector:
        assert (await connector.check()).healthy
        await connector.upsert("companies", [_company(1)], "website")
    paths = {call.path for call in crm.sim.calls}
    assert paths and all(p.startswith("/rest/v11_10/") for p in paths)
    assert not any(VERSION in p for p in paths)
