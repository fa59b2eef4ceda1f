"""Pipedrive's error rows, its rate headers and limits, against the simulator."""

from __future__ import annotations

import httpx
import pytest

from cardfile.connectors.base import OAuthTokens, Outcome, RateLimit
from cardfile.connectors.errors import Action, ConnectionBroken
from cardfile.connectors.http import RateBudget
from cardfile.connectors.pipedrive import PipedriveConnector
from cardfile.connectors.pipedrive.errors import (
    ERRORS,
    read_message,
    read_rate_headers,
    wait_for,
)
from cardfile.connectors.registry import connect
from tests.connectors.pipedrive.conftest import Company, running

pytestmark = pytest.mark.anyio

PERSON = {"name": "Ann", "emails": "ann@acme.com"}


def _answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("GET", "https://api.pipedrive.com/api/v2/persons")
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (400, Action.REFUSE),
        (401, Action.REFRESH),
        (402, Action.BROKEN),
        (403, Action.BROKEN),
        (404, Action.REFUSE),
        (410, Action.BROKEN),
        (422, Action.REFUSE),
        (429, Action.RATE_LIMITED),
        (500, Action.RETRY),
        (503, Action.RETRY),
    ],
)
def test_the_error_table(status: int, action: Action) -> None:
    assert ERRORS.action(_answer(status, {"success": False, "error": "x"})) is action


def test_a_429_waits_for_x_ratelimit_reset() -> None:
    assert wait_for(_answer(429, {}, {"x-ratelimit-reset": "2"})) == 2.0
    assert ERRORS.wait(_answer(429, {}, {"Retry-After": "3"})) == 3.0
    assert wait_for(_answer(200, {}, {"x-ratelimit-reset": "2"})) is None


def test_messages_are_pipedrives_words_and_codes() -> None:
    capped = {"success": False, "error": "Not on your plan", "code": "feature_capping_x"}
    assert read_message(_answer(402, capped)) == ("Not on your plan", "feature_capping_x")
    assert read_message(_answer(401, {"error": "unauthorized access", "errorCode": 401})) == (
        "unauthorized access",
        "401",
    )
    oauth = {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    assert read_message(_answer(400, oauth)) == ("Invalid refresh token", "invalid_grant")
    assert read_message(httpx.Response(502, text="Bad gateway")) == ("Bad gateway", None)


def test_the_headers_set_the_budget_to_the_companys_allowance() -> None:
    budget = RateBudget(RateLimit(20, 2.0))
    read_rate_headers(
        httpx.Headers({"x-ratelimit-limit": "80", "x-ratelimit-remaining": "79"}), budget
    )
    assert budget.limit == RateLimit(80, 2.0)
    read_rate_headers(
        httpx.Headers({"x-ratelimit-limit": "4", "x-ratelimit-remaining": "0"}), budget
    )
    assert budget.limit == RateLimit(4, 2.0)
    assert budget.delay() > 0  # the vendor's window is full
    read_rate_headers(httpx.Headers({"x-ratelimit-reset": "1"}), budget)
    assert budget.limit == RateLimit(4, 2.0)


def test_the_budget_starts_at_the_lowest_plan_or_the_configured_one(co: Company) -> None:
    token = connect(co.connection())
    oauth = connect(co.connection(token=None, oauth=OAuthTokens("access-token-1")))
    configured = connect(co.connection(settings={"requests_per_2s": 40}))
    assert isinstance(token, PipedriveConnector) and isinstance(configured, PipedriveConnector)
    assert isinstance(oauth, PipedriveConnector)
    assert token.budget.limit == RateLimit(20, 2.0)
    assert oauth.budget.limit == RateLimit(80, 2.0)
    assert configured.budget.limit == RateLimit(40, 2.0)
    with pytest.raises(ValueError, match="requests_per_2s must be positive"):
        connect(co.connection(settings={"requests_per_2s": 0}))


@pytest.mark.parametrize(
    ("status", "code"), [(402, "feature_capping_api_access"), (403, None), (410, None)]
)
async def test_a_missing_feature_or_permission_breaks_the_call(
    co: Company, status: int, code: str | None
) -> None:
    co.control("faults", {"status": status, "times": 1, "path": "/api/v2/persons"})
    async with connect(co.connection()) as connector:
        with pytest.raises(ConnectionBroken) as broken:
            await connector.upsert("contacts", [PERSON], "emails")
    assert broken.value.status == status
    assert broken.value.error.code == code


async def test_a_lower_plan_is_learnt_from_the_headers_and_paced_to() -> None:
    with running(api_token_burst=4) as company:
        async with connect(company.connection()) as connector:
            assert isinstance(connector, PipedriveConnector)
            records = [{"name": f"P{n}", "emails": f"p{n}@acme.com"} for n in range(3)]
            results = await connector.upsert("contacts", records, "emails")
            assert connector.budget.limit == RateLimit(4, 2.0)
        assert [r.outcome for r in results] == [Outcome.CREATED] * 3
        assert company.sim.stats()["rate_limited"] == 0


async def test_the_search_window_is_waited_out_without_narrowing_the_budget() -> None:
    with running(search_burst=2) as company:
        async with connect(company.connection()) as connector:
            assert isinstance(connector, PipedriveConnector)
            records = [{"name": f"P{n}", "emails": f"p{n}@acme.com"} for n in range(4)]
            results = await connector.upsert("contacts", records, "emails")
            assert connector.budget.limit == RateLimit(20, 2.0)
        assert [r.outcome for r in results] == [Outcome.CREATED] * 4
        assert company.sim.stats()["rate_limited"] >= 1
        assert company.sim.stats()["records"]["contacts"] == 4


async def test_the_days_budget_spent_fails_the_rest_for_a_later_run() -> None:
    with running(daily_tokens=30) as company:
        async with connect(company.connection()) as connector:
            records = [{"name": f"P{n}", "emails": f"p{n}@acme.com"} for n in range(2)]
            results = await connector.upsert("contacts", records, "emails")
    outcomes = sorted(r.outcome for r in results)
    assert outcomes == [Outcome.CREATED, Outcome.FAILED]
    failed = next(r for r in results if r.outcome is Outcome.FAILED)
    assert failed.error is not None
    assert failed.error.action is Action.RETRY
    assert failed.error.message == "Daily API token budget exceeded"


async def test_a_create_whose_answer_was_lost_is_found_not_sent_twice(co: Company) -> None:
    co.control("lost_answers", {"times": 1})
    async with connect(co.connection()) as connector:
        results = await connector.upsert("contacts", [PERSON], "emails")
    assert results[0].outcome is Outcome.CREATED
    assert co.sim.stats()["records"]["contacts"] == 1
    assert len(co.sim.calls_to("/api/v2/persons", "POST")) == 1
    assert len(co.sim.calls_to("/api/v2/persons/search")) == 2


async def test_a_refused_create_is_sent_again(co: Company) -> None:
    co.control("faults", {"status": 503, "times": 1, "path": "/api/v2/persons", "method": "POST"})
    co.control(
        "faults",
        {
            "status": 429,
            "times": 1,
            "path": "/api/v2/persons",
            "method": "POST",
            "headers": {"x-ratelimit-reset": "0"},
        },
    )
    async with connect(co.connection()) as connector:
        assert isinstance(connector, PipedriveConnector)
        results = await connector.upsert("contacts", [PERSON], "emails")
        # search, POST (503), search again (it might be stored), POST (429), POST
        assert connector.client.stats.requests == 5
    assert results[0].outcome is Outcome.CREATED
    assert co.sim.stats()["records"]["contacts"] == 1
    assert len(co.sim.calls_to("/api/v2/persons/search")) == 2


async def test_a_keyless_create_that_may_have_been_stored_is_left_for_a_later_run(
    co: Company,
) -> None:
    co.control("lost_answers", {"times": 1})
    async with connect(co.connection()) as connector:
        results = await connector.upsert("companies", [{"name": "No id"}], "id")
    assert results[0].outcome is Outcome.FAILED
    assert results[0].error is not None and results[0].error.action is Action.RETRY
    assert co.sim.stats()["records"]["companies"] == 1
