"""Secrets are masked in one place: log lines and error messages."""

from __future__ import annotations

import logging

import pytest

from cardfile.connectors.base import Connection, OAuthClient, OAuthTokens
from cardfile.connectors.http import redaction


def test_registered_secrets_are_masked_longest_first() -> None:
    redaction.register("pat-na1-secret-token", "pat-na1-secret")
    text = "sent pat-na1-secret-token and pat-na1-secret"
    assert redaction.redact(text) == f"sent {redaction.MASK} and {redaction.MASK}"


def test_short_strings_are_not_taken_for_secrets() -> None:
    redaction.register("abc")
    assert redaction.redact("abc def") == "abc def"


def test_log_lines_of_the_connectors_logger_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    redaction.register("sk-live-do-not-print")
    redaction.install("cardfile.connectors")
    with caplog.at_level(logging.INFO, logger="cardfile.connectors"):
        logging.getLogger("cardfile.connectors").info("token=%s", "sk-live-do-not-print")
    assert "sk-live-do-not-print" not in caplog.text
    assert redaction.MASK in caplog.text


def test_a_connection_lists_its_secrets_and_its_repr_shows_none() -> None:
    connection = Connection(
        provider="hubspot",
        token="tok-123456",
        oauth=OAuthTokens("access-123456", "refresh-123456"),
        oauth_client=OAuthClient("client", "client-secret-1"),
        base_url="http://127.0.0.1:1",
    )
    assert set(connection.secrets()) == {
        "tok-123456",
        "access-123456",
        "refresh-123456",
        "client-secret-1",
    }
    shown = repr(connection)
    assert all(secret not in shown for secret in connection.secrets())


def test_a_vendor_error_never_carries_a_registered_secret() -> None:
    from cardfile.connectors.errors import VendorError

    redaction.register("attio-key-echoed-back")
    error = VendorError("unknown key attio-key-echoed-back", 400)
    assert "attio-key-echoed-back" not in error.message
    assert "attio-key-echoed-back" not in str(error)


def test_tokens_from_a_refresh_are_masked_too(hubspot: str) -> None:
    import asyncio
    import time

    from cardfile.connectors.base import OAuthClient
    from cardfile.connectors.conformance import SimulatorControl
    from cardfile.connectors.registry import connect

    control = SimulatorControl(hubspot)
    grant = control.grant()
    fresh: list[OAuthTokens] = []
    connection = Connection(
        provider="hubspot",
        oauth=OAuthTokens(grant["access_token"], grant["refresh_token"], time.time() + 600),
        oauth_client=OAuthClient("sim-client", "sim-secret"),
        base_url=hubspot,
        on_tokens=fresh.append,
    )

    async def check_after_expiry() -> None:
        async with connect(connection) as connector:
            control.expire_tokens()
            assert (await connector.check()).healthy

    asyncio.run(check_after_expiry())
    (new,) = fresh
    assert new.access_token != grant["access_token"]
    assert redaction.redact(f"token {new.access_token}") == f"token {redaction.MASK}"
