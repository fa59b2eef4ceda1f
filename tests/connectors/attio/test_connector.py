"""The Attio connector against the Attio simulator, over real HTTP on loopback."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import formatdate
from typing import Any

import httpx
import pytest

from cardfile.connectors.attio import AttioConnector
from cardfile.connectors.attio.auth import TOKEN_URL, token_url
from cardfile.connectors.attio.errors import ERRORS, read_message
from cardfile.connectors.attio.fields import field_of
from cardfile.connectors.attio.records import json_ready, key_values, was_created
from cardfile.connectors.base import (
    Connection,
    OAuthClient,
    OAuthTokens,
    Outcome,
    RateLimit,
    RecordResult,
)
from cardfile.connectors.errors import Action, ConnectionBroken
from cardfile.connectors.registry import connector_class
from cardfile.types import AttributeType
from tests.connectors.attio.conftest import Workspace, running

pytestmark = pytest.mark.anyio


def _company(n: int, **extra: Any) -> dict[str, Any]:
    return {"domains": [f"c{n}.example.com"], "name": f"Company {n}", **extra}


def _person(n: int, **extra: Any) -> dict[str, Any]:
    return {"email_addresses": [f"person{n}@example.com"], "name": f"Number {n}, Person", **extra}


def _ok(results: list[RecordResult]) -> None:
    failed = [r.error for r in results if r.outcome is Outcome.FAILED]
    assert not failed, failed


def _stored(ws: Workspace, entity: str, slug: str, field: str) -> dict[str, list[Any]]:
    """Each stored record's id → the ``field`` of its ``slug`` values."""
    return {
        record["record_id"][0]["value"]: [v[field] for v in record[slug]]
        for record in ws.sim.records(entity)
    }


# Registration and configuration


async def test_the_registry_finds_the_connector_and_its_capabilities() -> None:
    assert connector_class("attio") is AttioConnector
    caps = AttioConnector.capabilities
    assert caps.batch_size == 1
    assert (caps.writes, caps.reads) == (RateLimit(25, 1), RateLimit(100, 1))
    assert caps.entities == {"people", "companies", "users", "workspaces", "deals"}
    assert caps.match_keys == {
        "people": ("email_addresses",),
        "companies": ("domains",),
        "users": ("user_id",),
        "workspaces": ("workspace_id",),
        "deals": ("record_id",),
    }
    assert caps.lists and not caps.reads_changes
    assert caps.finds and caps.removes and caps.record_id_key == "record_id"
    assert AttioConnector.default_base_url == "https://api.attio.com"


async def test_writes_and_reads_spend_two_budgets(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        assert connector.client.writes is connector.write_budget
        assert connector.client.reads is connector.read_budget
        assert connector.write_budget is not connector.read_budget
        assert connector.write_budget.limit == RateLimit(25, 1)
        assert connector.read_budget.limit == RateLimit(100, 1)


# check


async def test_check_with_a_good_token_names_the_workspace(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        health = await connector.check()
    assert health.healthy
    assert health.message == "Attio workspace Cardfile Simulated Workspace"
    assert health.account == ws.api("GET", "/v2/self").json()["workspace_id"]


async def test_check_with_a_bad_token_is_unhealthy_without_raising(ws: Workspace) -> None:
    async with AttioConnector(ws.connection(token="not-a-token")) as connector:
        health = await connector.check()
    assert not health.healthy
    assert "not active" in health.message


async def test_check_without_a_token_reports_attios_401(ws: Workspace) -> None:
    async with AttioConnector(ws.connection(token=None)) as connector:
        health = await connector.check()
    assert not health.healthy
    assert "Missing access token" in health.message


# fields


async def test_fields_map_attio_types_with_options_and_statuses(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        people = {f.name: f for f in await connector.fields("people")}
        companies = {f.name: f for f in await connector.fields("companies")}
        deals = {f.name: f for f in await connector.fields("deals")}
    email = people["email_addresses"]
    assert (email.type, email.unique, email.multiple) == (AttributeType.EMAIL, True, True)
    assert people["name"].type is AttributeType.PERSONAL_NAME
    assert people["company"].type is AttributeType.RECORD_REFERENCE
    assert people["phone_numbers"].type is AttributeType.PHONE_NUMBER
    assert people["primary_location"].type is AttributeType.LOCATION
    assert people["first_interaction"].type is None and people["first_interaction"].read_only
    assert people["record_id"].unique and people["record_id"].read_only
    categories = companies["categories"]
    assert categories.type is AttributeType.MULTI_SELECT and categories.multiple
    assert "SaaS" in [o.title for o in categories.options]
    assert all(len(o.id) == 36 for o in categories.options)  # Attio's option ids
    assert companies["employee_range"].type is AttributeType.SELECT
    assert companies["domains"].type is AttributeType.DOMAIN
    assert companies["funding_raised_usd"].type is AttributeType.CURRENCY
    assert companies["foundation_date"].type is AttributeType.DATE
    stage = deals["stage"]
    assert stage.type is AttributeType.STATUS and stage.required
    assert [o.title for o in stage.options] == ["Lead", "In Progress", "Won 🎉", "Lost"]
    assert deals["owner"].type is AttributeType.ACTOR_REFERENCE
    assert all(f.label for f in companies.values())


def test_attio_types_map_to_cardfile_types() -> None:
    base = {"api_slug": "x", "title": "X", "is_writable": True}
    multi = field_of({**base, "type": "select", "is_multiselect": True})
    single = field_of({**base, "type": "select", "is_multiselect": False})
    interaction = field_of({**base, "type": "interaction", "is_writable": False})
    assert (multi.type, single.type) == (AttributeType.MULTI_SELECT, AttributeType.SELECT)
    assert interaction.type is None and interaction.read_only
    options = field_of(
        {**base, "type": "select"},
        [
            {"id": {"option_id": "o-1"}, "title": "Gold", "is_archived": False},
            {"id": {"option_id": "o-2"}, "title": "Old", "is_archived": True},
            {"id": {"option_id": "o-3"}, "title": "gold", "is_archived": False},
        ],
    ).options
    assert [(o.id, o.title) for o in options] == [("o-1", "Gold")]


# upsert


async def test_people_are_asserted_by_email_created_then_updated(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        created = await connector.upsert("people", [_person(1), _person(2)], "email_addresses")
        changed = [_person(1, job_title="Engineer"), _person(2, job_title="Designer")]
        updated = await connector.upsert("people", changed, "email_addresses")
    _ok(created)
    _ok(updated)
    assert [r.outcome for r in created] == [Outcome.CREATED] * 2
    assert [r.outcome for r in updated] == [Outcome.UPDATED] * 2
    assert [r.vendor_id for r in updated] == [r.vendor_id for r in created]
    titles = _stored(ws, "people", "job_title", "value")
    assert sorted(v for values in titles.values() for v in values) == ["Designer", "Engineer"]
    assert ws.stats()["records"]["people"] == 2


async def test_companies_are_asserted_by_domain_without_duplicates(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        first = await connector.upsert("companies", [_company(1)], "domains")
        again = await connector.upsert(
            "companies", [{"domains": ["C1.Example.com"], "name": "Renamed"}], "domains"
        )
    _ok(first)
    _ok(again)
    assert again[0].vendor_id == first[0].vendor_id
    assert again[0].outcome is Outcome.UPDATED
    assert ws.stats()["records"]["companies"] == 1
    assert _stored(ws, "companies", "name", "value") == {first[0].vendor_id: ["Renamed"]}


async def test_another_connector_sees_changed_records_as_updated(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        _ok(await connector.upsert("companies", [_company(1)], "domains"))
    async with AttioConnector(ws.connection()) as later:
        results = await later.upsert("companies", [_company(1, name="Changed")], "domains")
    assert [r.outcome for r in results] == [Outcome.UPDATED]


def test_was_created_weighs_created_at_against_the_date_header_and_value_ages() -> None:
    def body(created: str, active: str) -> dict[str, Any]:
        values = {"name": [{"active_from": active, "value": "x"}]}
        return {"data": {"created_at": created, "values": values}}

    answered = "Tue, 23 May 2023 14:42:01 GMT"
    fresh = "2023-05-23T14:42:00.900000000Z"
    assert was_created(body(fresh, fresh), answered)
    assert not was_created(body("2023-05-23T14:41:00.000000000Z", fresh), answered)
    assert not was_created(body(fresh, "2023-05-23T14:42:00.950000000Z"), answered)
    assert was_created(body(fresh, fresh), None)


async def test_records_sharing_a_key_in_one_call_are_sent_in_turn(ws: Workspace) -> None:
    records = [_company(1), _company(1, name="Second"), _company(2)]
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert("companies", records, "domains")
    _ok(results)
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.UPDATED, Outcome.CREATED]
    assert results[0].vendor_id == results[1].vendor_id
    assert ws.stats()["records"]["companies"] == 2
    assert _stored(ws, "companies", "name", "value")[str(results[0].vendor_id)] == ["Second"]


async def test_a_refused_record_keeps_the_others_and_carries_attios_message(
    ws: Workspace,
) -> None:
    ws.control(
        "refusals",
        {"field": "domains", "value": "c1.example.com", "message": "Refused by Attio here"},
    )
    records = [_company(0), _company(1), _company(2), _company(3, categories=["Nope"])]
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert("companies", records, "domains")
    outcomes = [r.outcome for r in results]
    assert outcomes == [Outcome.CREATED, Outcome.FAILED, Outcome.CREATED, Outcome.FAILED]
    refused, invalid = results[1].error, results[3].error
    assert refused is not None and invalid is not None
    assert (refused.message, refused.status, refused.action) == (
        "Refused by Attio here",
        400,
        Action.REFUSE,
    )
    assert invalid.message == 'Cannot find select attribute with select option title "Nope".'
    assert invalid.code == "value_not_found"
    assert ws.stats()["records"]["companies"] == 2


async def test_an_invalid_value_fails_with_attios_validation_message(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert(
            "people", [_person(1), {"email_addresses": ["not-an-email"]}], "email_addresses"
        )
    assert results[0].outcome is Outcome.CREATED
    error = results[1].error
    assert error is not None and error.code == "validation_type"
    assert '"not-an-email" is not a valid email address' in error.message


async def test_a_record_without_its_match_key_fails_without_a_request(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert("companies", [{"name": "Keyless"}], "domains")
    error = results[0].error
    assert results[0].outcome is Outcome.FAILED and error is not None
    assert error.message == "the record has no domains, its match key"
    assert ws.sim.calls_to("/records") == []


async def test_a_key_attio_does_not_keep_unique_fails_every_record(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert("companies", [_company(1), _company(2)], "name")
    assert all(r.outcome is Outcome.FAILED for r in results)
    error = results[0].error
    assert error is not None and "not a unique, writable attribute" in error.message
    assert ws.sim.calls_to("/records") == []


async def test_a_custom_attribute_attio_reports_unique_is_a_match_key(ws: Workspace) -> None:
    made = ws.api(
        "POST",
        "/v2/objects/companies/attributes",
        json={
            "data": {
                "title": "Cardfile id",
                "description": None,
                "api_slug": "cardfile_id",
                "type": "text",
                "is_required": False,
                "is_unique": True,
                "is_multiselect": False,
                "config": {},
            }
        },
    )
    assert made.status_code in (200, 409), made.text
    async with AttioConnector(ws.connection()) as connector:
        first = await connector.upsert(
            "companies", [{"cardfile_id": "k-1", "name": "A"}], "cardfile_id"
        )
        again = await connector.upsert(
            "companies", [{"cardfile_id": "k-1", "name": "B"}], "cardfile_id"
        )
    assert (first[0].outcome, again[0].outcome) == (Outcome.CREATED, Outcome.UPDATED)
    assert ws.stats()["records"]["companies"] == 1


async def test_python_values_are_sent_as_json(ws: Workspace) -> None:
    record = _company(1, foundation_date=date(2020, 5, 17), funding_raised_usd=Decimal("12.5"))
    async with AttioConnector(ws.connection()) as connector:
        _ok(await connector.upsert("companies", [record], "domains"))
    stored = ws.sim.records("companies")[0]
    assert stored["foundation_date"][0]["value"] == "2020-05-17"
    assert stored["funding_raised_usd"][0]["currency_value"] == 12.5


def test_values_and_keys_are_read_as_attio_compares_them() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert json_ready({"a": (date(2024, 1, 2), Decimal("3"), moment)}) == {
        "a": ["2024-01-02", 3, "2024-01-02T03:04:05Z"]
    }
    assert key_values(["A@Example.com", {"domain": "X.io"}, None, ""]) == [
        "a@example.com",
        "x.io",
    ]


async def test_deals_match_on_record_id_updating_by_id_and_creating_the_rest(
    ws: Workspace,
) -> None:
    deal = {"name": "Deal", "stage": "Lead", "owner": "owner@cardfile.example"}
    async with AttioConnector(ws.connection()) as connector:
        created = await connector.upsert("deals", [deal], "record_id")
        record_id = created[0].vendor_id
        updated = await connector.upsert(
            "deals", [{"record_id": record_id, "stage": "Lost"}], "record_id"
        )
        ghost = "891dcbfc-9141-415d-9b2a-2238a6cc012d"
        missing = await connector.upsert("deals", [{"record_id": ghost, "name": "x"}], "record_id")
    assert created[0].outcome is Outcome.CREATED
    assert (updated[0].outcome, updated[0].vendor_id) == (Outcome.UPDATED, record_id)
    error = missing[0].error
    assert missing[0].outcome is Outcome.FAILED and error is not None
    assert (error.status, error.action) == (404, Action.REFUSE)
    assert error.message == f'Record with ID "{ghost}" not found.'
    assert ws.stats()["records"]["deals"] == 1


async def test_sixty_writes_at_25_per_second_all_land_paced_by_the_client() -> None:
    with running() as ws:
        records = [_company(n) for n in range(60)]
        async with AttioConnector(ws.connection()) as connector:
            results = await connector.upsert("companies", records, "domains")
            client_429s = connector.client.stats.rate_limited
        _ok(results)
        assert [r.outcome for r in results] == [Outcome.CREATED] * 60
        assert len({r.vendor_id for r in results}) == 60
        assert ws.stats()["records"]["companies"] == 60
        assert ws.stats()["rate_limited"] <= 2
        assert client_429s <= 2


async def test_a_429_with_an_http_date_retry_after_is_honoured(ws: Workspace) -> None:
    retry_at = formatdate(time.time() + 1, usegmt=True)
    ws.control(
        "faults",
        {"status": 429, "times": 2, "path": "/records", "headers": {"Retry-After": retry_at}},
    )
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert("companies", [_company(n) for n in range(3)], "domains")
        assert connector.client.stats.rate_limited == 2
    _ok(results)
    assert ws.stats()["records"]["companies"] == 3


async def test_server_errors_are_retried_and_the_records_land_once(ws: Workspace) -> None:
    ws.control("faults", {"status": 503, "times": 2, "path": "/records"})
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert("companies", [_company(1), _company(2)], "domains")
        assert connector.client.stats.retried >= 2
    _ok(results)
    assert ws.stats()["records"]["companies"] == 2


def _oauth(ws: Workspace, seen: list[OAuthTokens]) -> Connection:
    grant = ws.control("tokens/grant")
    return ws.connection(
        token=None,
        oauth=OAuthTokens(
            grant["access_token"], grant["refresh_token"], time.time() + grant["expires_in"]
        ),
        # No token URL: the connector takes the overridden base URL's /oauth/token.
        oauth_client=OAuthClient("sim-client", "sim-secret"),
        on_tokens=seen.append,
    )


async def test_an_expired_oauth_token_is_refreshed_mid_call(ws: Workspace) -> None:
    seen: list[OAuthTokens] = []
    async with AttioConnector(_oauth(ws, seen)) as connector:
        _ok(await connector.upsert("companies", [_company(1)], "domains"))
        ws.control("tokens/expire")
        results = await connector.upsert("companies", [_company(n) for n in range(2, 6)], "domains")
    _ok(results)
    assert len(seen) == 1 and seen[0].refresh_token
    assert ws.stats()["refreshes"] == 1
    assert ws.stats()["records"]["companies"] == 5


async def test_check_refreshes_an_oauth_token_attio_reports_inactive(ws: Workspace) -> None:
    seen: list[OAuthTokens] = []
    async with AttioConnector(_oauth(ws, seen)) as connector:
        ws.control("tokens/expire")
        health = await connector.check()
    assert health.healthy, health.message
    assert len(seen) == 1


async def test_a_refused_static_token_breaks_the_upsert(ws: Workspace) -> None:
    async with AttioConnector(ws.connection(token="not-a-token")) as connector:
        with pytest.raises(ConnectionBroken) as raised:
            await connector.upsert("companies", [_company(1)], "domains")
    assert raised.value.status == 401


async def test_objects_not_activated_fail_each_record_with_how_to_activate() -> None:
    with running(activated={"people", "companies"}) as ws:
        async with AttioConnector(ws.connection()) as connector:
            users = await connector.upsert(
                "users", [{"user_id": "u-1"}, {"user_id": "u-2"}], "user_id"
            )
            workspaces = await connector.upsert(
                "workspaces", [{"workspace_id": "w-1"}], "workspace_id"
            )
            with pytest.raises(ConnectionBroken, match="not activated"):
                await connector.fields("users")
            _ok(await connector.upsert("people", [_person(1)], "email_addresses"))
        assert all(r.outcome is Outcome.FAILED for r in [*users, *workspaces])
        error = users[0].error
        assert error is not None and error.action is Action.BROKEN
        assert error.message == (
            "the 'users' object is not activated in this Attio workspace; "
            "activate it under Settings → Objects"
        )
        assert workspaces[0].error is not None
        assert "'workspaces' object is not activated" in workspaces[0].error.message
        assert ws.sim.calls_to("/v2/objects/users") == []
        assert ws.sim.calls_to("/v2/objects/workspaces") == []
        assert len(ws.sim.calls_to("/v2/objects", "GET")) == 1  # read once, then cached


# Lists


async def test_list_members_are_added_once_and_removed(ws: Workspace) -> None:
    list_id = ws.new_list()
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert("companies", [_company(n) for n in range(3)], "domains")
        ids = [str(r.vendor_id) for r in results]
        added = await connector.update_list(list_id, ids, [])
        again = await connector.update_list("prospects", ids, [])
        assert all(r.ok and r.added for r in [*added, *again]), [*added, *again]
        assert sorted(ws.entries(list_id)) == sorted(ids)
        removed = await connector.update_list(list_id, [], ids[1:])
        assert all(r.ok and not r.added for r in removed), removed
        assert [r.record_id for r in removed] == ids[1:]
        twice = await connector.update_list(list_id, [], ids[1:])
        assert all(r.ok for r in twice)
    assert ws.entries(list_id) == ids[:1]


async def test_a_record_entered_twice_is_a_member_and_both_entries_go(ws: Workspace) -> None:
    list_id = ws.new_list()
    async with AttioConnector(ws.connection()) as connector:
        record_id = str(
            (await connector.upsert("companies", [_company(1)], "domains"))[0].vendor_id
        )
        body = {
            "data": {
                "parent_record_id": record_id,
                "parent_object": "companies",
                "entry_values": {},
            }
        }
        for _ in range(2):
            assert ws.api("POST", f"/v2/lists/{list_id}/entries", json=body).status_code == 200
        added = await connector.update_list(list_id, [record_id], [])
        assert added[0].ok, added
        assert ws.entries(list_id) == [record_id, record_id]
        removed = await connector.update_list(list_id, [], [record_id])
    assert removed[0].ok, removed
    assert ws.entries(list_id) == []


async def test_list_failures_carry_attios_message_per_id(ws: Workspace) -> None:
    list_id = ws.new_list()
    ghost = "891dcbfc-9141-415d-9b2a-2238a6cc012d"
    async with AttioConnector(ws.connection()) as connector:
        unknown = await connector.update_list("nowhere", ["a"], ["b"])
        missing = await connector.update_list(list_id, [ghost], [ghost])
    assert [(r.added, r.ok) for r in unknown] == [(True, False), (False, False)]
    assert unknown[0].error is not None
    assert unknown[0].error.message == 'List with slug/ID "nowhere" not found.'
    assert not missing[0].ok and missing[0].error is not None
    assert missing[0].error.message == f'Parent record with slug/ID "{ghost}" not found.'
    assert not missing[1].ok and missing[1].error is not None
    assert missing[1].error.message == f'Record with ID "{ghost}" not found.'


# Errors and auth


def _answer(status: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("GET", "https://x"))


def test_a_404_breaks_the_connection_only_for_a_missing_object() -> None:
    missing_object = {"code": "not_found", "message": 'Object with slug/ID "users" not found.'}
    missing_record = {"code": "not_found", "message": 'Record with ID "r" not found.'}
    assert ERRORS.action(_answer(404, missing_object)) is Action.BROKEN
    assert ERRORS.action(_answer(404, missing_record)) is Action.REFUSE
    assert ERRORS.action(_answer(401, {})) is Action.REFRESH
    assert ERRORS.action(_answer(429, {})) is Action.RATE_LIMITED
    assert ERRORS.action(_answer(400, {})) is Action.REFUSE
    assert ERRORS.action(_answer(503, {})) is Action.RETRY
    limited = httpx.Response(
        429,
        headers={"Retry-After": formatdate(time.time() + 30, usegmt=True)},
        request=httpx.Request("GET", "https://x"),
    )
    wait = ERRORS.wait(limited)
    assert wait is not None and 25 <= wait <= 31
    assert read_message(_answer(400, {"code": "validation_type", "message": "Bad"})) == (
        "Bad",
        "validation_type",
    )
    oauth = {"error": "invalid_grant", "error_description": "expired"}
    assert read_message(_answer(400, oauth)) == ("expired", "invalid_grant")


def test_the_token_url_is_the_clients_then_the_base_urls_then_attios() -> None:
    client = OAuthClient("id", "secret", token_url="https://auth.example/token")
    tokens = OAuthTokens("at", "rt")
    own = Connection("attio", oauth=tokens, oauth_client=client, base_url="http://127.0.0.1:1")
    local = Connection(
        "attio", oauth=tokens, oauth_client=OAuthClient("id", "s"), base_url="http://h:1/"
    )
    public = Connection("attio", oauth=tokens, oauth_client=OAuthClient("id", "s"))
    assert token_url(own) == "https://auth.example/token"
    assert token_url(local) == "http://h:1/oauth/token"
    assert token_url(public) == TOKEN_URL == "https://app.attio.com/oauth/token"
