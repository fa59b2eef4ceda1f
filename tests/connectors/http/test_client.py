"""The shared vendor client over real HTTP, against a vendor simulator with faults injected:
timeouts and 5xx retried, 429s waited out, long waits handed back, tokens classified, secrets
kept out of error messages."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from cardfile.connectors.base import RateLimit
from cardfile.connectors.conformance import SimulatorControl
from cardfile.connectors.errors import ConnectionBroken, Refused, RetryLater
from cardfile.connectors.http import BearerToken, ErrorTable, RateBudget, VendorClient

TOKEN = "hubspot-test-token"
DETAILS = "/account-info/v3/details"

pytestmark = pytest.mark.anyio


@pytest.fixture
def vendor(hubspot: str) -> str:
    """The vendor these tests talk to: the HubSpot simulator."""
    return hubspot


@pytest.fixture
def control(vendor: str) -> SimulatorControl:
    made = SimulatorControl(vendor)
    made.reset()
    return made


def _client(vendor: str, token: str = TOKEN, **options: float) -> VendorClient:
    return VendorClient(
        vendor,
        auth=BearerToken(token),
        errors=ErrorTable(),
        writes=RateBudget(RateLimit(100, 1)),
        backoff=0.01,
        secrets=[token],
        **options,  # type: ignore[arg-type]
    )


async def test_a_timeout_is_retried(vendor: str, control: SimulatorControl) -> None:
    control.fail(200, path=DETAILS, delay=1.0)  # answers, but after the client gave up
    client = _client(vendor, timeout=0.3)
    try:
        response = await client.request("GET", DETAILS)
    finally:
        await client.aclose()
    assert response.status_code == 200
    assert client.stats.retried == 1


async def test_server_errors_are_retried_until_the_attempts_run_out(
    vendor: str, control: SimulatorControl
) -> None:
    control.fail(503, times=2, path=DETAILS)
    client = _client(vendor)
    try:
        assert (await client.request("GET", DETAILS)).status_code == 200
        control.fail(502, times=10, path=DETAILS)
        with pytest.raises(RetryLater) as gave_up:
            await client.request("GET", DETAILS)
    finally:
        await client.aclose()
    assert gave_up.value.status == 502
    assert client.stats.requests == 3 + 6


async def test_a_429_waits_as_long_as_the_http_date_says(
    vendor: str, control: SimulatorControl
) -> None:
    control.fail(429, path=DETAILS, headers={"Retry-After": formatdate(usegmt=True)})
    client = _client(vendor)
    try:
        assert (await client.request("GET", DETAILS)).status_code == 200
    finally:
        await client.aclose()
    assert client.stats.rate_limited == 1


async def test_a_wait_past_max_wait_is_handed_back_at_once(
    vendor: str, control: SimulatorControl
) -> None:
    control.fail(429, path=DETAILS, headers={"Retry-After": "3600"})
    client = _client(vendor, max_wait=60)
    try:
        with pytest.raises(RetryLater) as later:
            await client.request("GET", DETAILS)
    finally:
        await client.aclose()
    assert later.value.retry_after == 3600
    assert client.stats.requests == 1


async def test_a_refused_static_token_breaks_the_connection(vendor: str) -> None:
    client = _client(vendor, token="not-the-token-123")
    try:
        with pytest.raises(ConnectionBroken) as broken:
            await client.request("GET", DETAILS)
    finally:
        await client.aclose()
    assert broken.value.status == 401
    assert "not-the-token-123" not in str(broken.value)


async def test_a_refusal_is_raised_with_the_vendors_words(vendor: str) -> None:
    client = _client(vendor)
    try:
        with pytest.raises(Refused) as refused:
            await client.request("POST", "/crm/v3/objects/companies/batch/upsert", json={})
    finally:
        await client.aclose()
    assert refused.value.status == 400
    assert refused.value.message


async def test_a_vendor_echoing_a_secret_is_masked(vendor: str, control: SimulatorControl) -> None:
    control.refuse("email", "a@example.com", f"this portal does not accept {TOKEN}")
    client = _client(vendor)
    body = {
        "inputs": [
            {"id": "a@example.com", "idProperty": "email", "properties": {"email": "a@example.com"}}
        ]
    }
    try:
        with pytest.raises(Refused) as refused:
            await client.request("POST", "/crm/v3/objects/contacts/batch/upsert", json=body)
    finally:
        await client.aclose()
    assert TOKEN not in str(refused.value)
    assert "this portal does not accept [redacted]" in refused.value.message
