"""The Zoho CRM connector against the Zoho CRM simulator, over real HTTP on loopback."""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from cardfile.connectors.base import (
    Connection,
    Identity,
    OAuthClient,
    OAuthTokens,
    Outcome,
    RateLimit,
)
from cardfile.connectors.errors import Action, ConnectionBroken, Refused
from cardfile.connectors.http.auth import request_grant, tokens_of
from cardfile.connectors.http.redaction import MASK, redact
from cardfile.connectors.registry import connector_class
from cardfile.connectors.values import UnsendableValue
from cardfile.connectors.zoho import ZohoConnector
from cardfile.connectors.zoho.auth import accounts_server
from cardfile.connectors.zoho.errors import CONCURRENCY_WAIT, ERRORS, read_message
from cardfile.connectors.zoho.records import json_ready
from cardfile.types import AttributeType, Option
from tests.connectors.zoho.conftest import Org, running

pytestmark = pytest.mark.anyio


def _person(n: int, **extra: Any) -> dict[str, Any]:
    return {"Email": f"person{n}@example.com", "Last_Name": f"Person {n}", **extra}


def _account(n: int, **extra: Any) -> dict[str, Any]:
    return {"Account_Name": f"Company {n}", "Website": f"c{n}.example.com", **extra}


def _response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("POST", "https://www.zohoapis.com/crm/v8/Contacts/upsert")
    return httpx.Response(status, json=body, headers=headers, request=request)


# Registration, configuration and the data centres


async def test_the_registry_finds_the_connector_and_its_capabilities() -> None:
    assert connector_class("zoho") is ZohoConnector
    caps = ZohoConnector.capabilities
    assert caps.batch_size == 100
    assert caps.writes == RateLimit(5_000, 86_400)
    assert caps.reads == RateLimit(50_000, 86_400)
    assert caps.entities == {"contacts", "companies", "leads", "deals"}
    assert caps.match_keys == {
        "contacts": ("Email",),
        "companies": ("Account_Name",),
        "leads": ("Email",),
        "deals": ("Deal_Name",),
    }
    assert caps.lists and not caps.reads_changes


async def test_the_edition_and_credits_set_the_budgets_and_concurrency(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        assert connector.concurrency == 5  # Free, the lowest, by default
    settings = {"edition": "Enterprise", "credits_per_day": 70_000}
    async with ZohoConnector(org.connection(settings=settings)) as connector:
        assert connector.concurrency == 10  # writes share a sub-concurrency of 10
        assert connector.write_budget.limit == RateLimit(7_000, 86_400)
        assert connector.read_budget.limit == RateLimit(70_000, 86_400)
    for wrong in ({"edition": "gold"}, {"concurrency": 0}, {"list_members": "Deals"}):
        with pytest.raises(ValueError, match="must"):
            ZohoConnector(org.connection(settings=wrong))


@pytest.mark.parametrize(
    ("api", "accounts"),
    [
        ("https://www.zohoapis.com", "https://accounts.zoho.com"),
        ("https://www.zohoapis.eu", "https://accounts.zoho.eu"),
        ("https://www.zohoapis.com.au/", "https://accounts.zoho.com.au"),
        ("https://www.zohoapis.in", "https://accounts.zoho.in"),
        ("https://www.zohoapis.jp", "https://accounts.zoho.jp"),
        ("https://www.zohoapis.com.cn", "https://accounts.zoho.com.cn"),
        ("https://www.zohoapis.ca", "https://accounts.zohocloud.ca"),
        ("https://sandbox.zohoapis.sa", "https://accounts.zoho.sa"),
        ("http://127.0.0.1:8105/", "http://127.0.0.1:8105"),
    ],
)
async def test_the_accounts_server_follows_the_data_centre(api: str, accounts: str) -> None:
    assert accounts_server(api) == accounts
    assert ZohoConnector.authorize_url(api) == f"{accounts}/oauth/v2/auth"
    async with ZohoConnector(Connection(provider="zoho", token="t", base_url=api)) as connector:
        assert connector.token_url() == f"{accounts}/oauth/v2/token"


async def test_the_default_data_centre_and_the_clients_own_token_url() -> None:
    assert ZohoConnector.authorize_url(None) == "https://accounts.zoho.com/oauth/v2/auth"
    client = OAuthClient("id", "secret", token_url="https://accounts.zoho.eu/oauth/v2/token")
    connection = Connection(provider="zoho", oauth=OAuthTokens("a"), oauth_client=client)
    async with ZohoConnector(connection) as connector:
        assert connector.token_url() == "https://accounts.zoho.eu/oauth/v2/token"


async def test_the_grant_names_the_api_domain() -> None:
    grant = {"access_token": "a", "api_domain": "https://www.zohoapis.eu"}
    assert ZohoConnector.base_url_of_grant(grant) == "https://www.zohoapis.eu"
    assert ZohoConnector.base_url_of_grant({"access_token": "a"}) is None


# check


async def test_check_with_a_good_token_names_the_org(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        health = await connector.check()
    assert health.healthy
    assert health.message == "Zoho CRM org Cardfile Simulated Org (20099887766)"
    assert health.account == "20099887766"
    assert org.sim.calls_to("/crm/v8/org")


async def test_check_with_a_bad_token_says_so_in_zohos_words(org: Org) -> None:
    async with ZohoConnector(org.connection(token="1000.wrong")) as connector:
        health = await connector.check()
    assert not health.healthy
    assert health.message == "invalid oauth token"


async def test_check_without_a_token_is_unhealthy_not_an_exception(org: Org) -> None:
    async with ZohoConnector(org.connection(token=None)) as connector:
        health = await connector.check()
        assert connector.client.stats.retried == 0
    assert (health.healthy, health.message) == (False, "Authentication failed")


# fields


async def test_fields_map_zoho_types_flags_and_picklists(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        contacts = {f.name: f for f in await connector.fields("contacts")}
        companies = {f.name: f for f in await connector.fields("companies")}
        deals = {f.name: f for f in await connector.fields("deals")}
        with pytest.raises(Refused, match="not 'people'"):
            await connector.fields("people")
    email = contacts["Email"]
    assert (email.type, email.unique, email.required, email.vendor_type) == (
        AttributeType.EMAIL,
        True,
        False,
        "email",
    )
    assert contacts["Last_Name"].required
    assert contacts["Lead_Source"].type is AttributeType.SELECT
    assert contacts["Lead_Source"].options[0] == Option(id="Advertisement", title="Advertisement")
    assert all(o.id != "-None-" for o in contacts["Lead_Source"].options)
    interests = contacts["Interests"]
    assert (interests.type, interests.multiple) == (AttributeType.MULTI_SELECT, True)
    assert contacts["Full_Name"].read_only and contacts["Created_Time"].read_only
    assert contacts["Account_Name"].type is AttributeType.RECORD_REFERENCE
    assert contacts["Owner"].type is AttributeType.ACTOR_REFERENCE
    assert contacts["Date_of_Birth"].type is AttributeType.DATE
    assert contacts["Email_Opt_Out"].type is AttributeType.CHECKBOX
    assert contacts["Cardfile_Score"].type is AttributeType.NUMBER
    assert companies["Website"].type is AttributeType.DOMAIN
    assert companies["Annual_Revenue"].type is AttributeType.CURRENCY
    assert companies["Account_Name"].unique and companies["Cardfile_ID"].unique
    assert not companies["Phone"].unique
    assert deals["Stage"].required and deals["Deal_Name"].unique


# upsert


async def test_upsert_creates_then_updates_the_same_records(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        created = await connector.upsert("contacts", [_person(1), _person(2)], "Email")
        changed = [_person(1, Title="CEO"), {"Email": "PERSON2@example.com", "Title": "CTO"}]
        updated = await connector.upsert("contacts", changed, "Email")
    assert [r.outcome for r in created] == [Outcome.CREATED] * 2
    assert [r.outcome for r in updated] == [Outcome.UPDATED] * 2
    assert [r.vendor_id for r in updated] == [r.vendor_id for r in created]
    assert sorted(r["Title"] for r in org.sim.records("Contacts")) == ["CEO", "CTO"]
    [call] = org.sim.calls_to("/crm/v8/Contacts/upsert")[:1]
    assert call.status == 200


async def test_the_match_key_is_sent_as_the_duplicate_check_field(org: Org) -> None:
    org.api(
        "POST",
        "/crm/v8/Accounts/upsert",
        json={"data": [{"Account_Name": "Old name", "Cardfile_ID": "c-1"}]},
    )
    async with ZohoConnector(org.connection()) as connector:
        [renamed] = await connector.upsert(
            "companies", [{"Account_Name": "New name", "Cardfile_ID": "c-1"}], "Cardfile_ID"
        )
        [fresh] = await connector.upsert("companies", [_account(1)], "Account_Name")
    assert renamed.outcome is Outcome.UPDATED
    assert fresh.outcome is Outcome.CREATED
    assert [r["Account_Name"] for r in org.sim.records("Accounts")] == ["New name", "Company 1"]


async def test_python_values_are_sent_in_zohos_forms(org: Org) -> None:
    record = _person(
        1,
        Date_of_Birth=date(1990, 5, 17),
        Cardfile_Score=Decimal(42),
        Interests=("Billing", "Support"),
        Email_Opt_Out=True,
    )
    async with ZohoConnector(org.connection()) as connector:
        [result] = await connector.upsert("contacts", [record], "Email")
        deal = {
            "Deal_Name": "Big one",
            "Stage": "Qualification",
            "Amount": Decimal("1250.50"),
            "Closing_Date": datetime(2026, 1, 2, tzinfo=UTC).date(),
            "Contact_Name": {"id": result.vendor_id},
        }
        [made] = await connector.upsert("deals", [deal], "Deal_Name")
    assert made.outcome is Outcome.CREATED, made.error
    [stored] = org.sim.records("Contacts")
    assert stored["Date_of_Birth"] == "1990-05-17"
    assert stored["Cardfile_Score"] == 42
    assert stored["Interests"] == ["Billing", "Support"]
    [held] = org.sim.records("Deals")
    assert held["Amount"] == 1250.5
    assert held["Contact_Name"] == {"name": "Person 1", "id": result.vendor_id}


async def test_the_trigger_setting_names_the_automations_zoho_runs(org: Org) -> None:
    for trigger, works in (("workflow, approval", True), ([], True), ("cleanup", False)):
        settings: dict[str, Any] = {"trigger": trigger}
        async with ZohoConnector(org.connection(settings=settings)) as connector:
            [result] = await connector.upsert("contacts", [_person(1)], "Email")
        assert (result.outcome is not Outcome.FAILED) is works, result.error
        if not works:
            assert result.error is not None
            assert result.error.message == "invalid data (parameter trigger)"


async def test_250_records_go_in_3_batches_and_come_back_in_input_order(org: Org) -> None:
    records = [_person(n) for n in range(250)]
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", records, "Email")
    assert len(org.sim.calls_to("/crm/v8/Contacts/upsert")) == 3
    by_email = {r["Email"]: r["id"] for r in org.sim.records("Contacts")}
    assert [r.vendor_id for r in results] == [by_email[p["Email"]] for p in records]


async def test_repeated_keys_in_one_call_are_sent_once_and_share_the_result(org: Org) -> None:
    records = [_person(1), _person(2), {"Email": "Person1@Example.com", "Title": "Later"}]
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", records, "Email")
    assert results[0] == results[2]
    assert results[0].outcome is Outcome.CREATED
    assert [r["Title"] for r in org.sim.records("Contacts") if r.get("Title")] == ["Later"]


async def test_records_that_cannot_be_sent_fail_alone_without_a_request(org: Org) -> None:
    records = [
        {"Last_Name": "No email"},
        _person(1, Favourite_Colour="teal"),
        _person(2, Cardfile_Score=math.nan),
        _person(3),
    ]
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", records, "Email")
    messages = [r.error.message if r.error else None for r in results]
    assert messages[0] == "the record has no Email, its match key"
    assert messages[1] is not None and "no field Favourite_Colour" in messages[1]
    assert messages[2] is not None and "Cardfile_Score" in messages[2]
    assert results[3].outcome is Outcome.CREATED
    [call] = org.sim.calls_to("/upsert")
    assert call.status == 200


async def test_an_unknown_field_asks_zoho_for_its_fields_again_only_once(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        await connector.fields("contacts")  # cached: a field added later is not in it
        for n in range(3):
            await connector.upsert("contacts", [_person(n, Favourite_Colour="teal")], "Email")
    assert len(org.sim.calls_to("/crm/v8/settings/fields")) == 2


async def test_leads_are_linked_to_a_campaign_with_the_list_members_setting(org: Org) -> None:
    campaign = org.campaign()
    settings = {"list_members": "Leads"}
    async with ZohoConnector(org.connection(settings=settings)) as connector:
        [lead] = await connector.upsert("leads", [_person(1, Company="Acme")], "Email")
        [added] = await connector.update_list(campaign, [str(lead.vendor_id)], [])
    assert added.ok
    assert list(org.sim.members[("Campaigns", campaign, "Leads")]) == [lead.vendor_id]


async def test_a_key_zoho_does_not_check_duplicates_on_fails_every_record(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [_person(1), _person(2)], "Title")
    assert all(r.outcome is Outcome.FAILED for r in results)
    assert results[0].error is not None and "use Email" in results[0].error.message
    assert not org.sim.calls_to("/upsert")


async def test_zohos_refusals_reach_each_record_with_the_field_named(org: Org) -> None:
    org.api("POST", "/crm/v8/Accounts/upsert", json={"data": [_account(1, Cardfile_ID="c-1")]})
    holder = org.sim.records("Accounts")[0]["id"]
    records = [
        _account(2, Employees="many"),
        _account(3, Cardfile_ID="c-1"),
        _account(4, Industry="Mining"),
        _account(5),
    ]
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("companies", records, "Account_Name")
    errors = [r.error for r in results[:3]]
    assert [e.code if e else None for e in errors] == [
        "INVALID_DATA",
        "DUPLICATE_DATA",
        "INVALID_DATA",
    ]
    assert (
        errors[0] is not None and errors[0].message == "invalid data (Employees, expected integer)"
    )
    assert errors[1] is not None
    assert errors[1].message == f"duplicate data (Cardfile_ID, held by record {holder})"
    assert all(e is not None and e.status == 207 and e.action is Action.REFUSE for e in errors)
    assert results[3].outcome is Outcome.CREATED


async def test_a_batch_zoho_refuses_whole_fails_each_record_with_its_own_error(org: Org) -> None:
    records = [{"Email": "a@example.com"}, {"Email": "b@example.com"}]
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", records, "Email")
    assert [r.error.message if r.error else None for r in results] == [
        "required field not found (Last_Name)"
    ] * 2
    assert all(r.error is not None and r.error.status == 400 for r in results)


async def test_an_injected_refusal_carries_its_message(org: Org) -> None:
    org.control("refusals", {"field": "Email", "value": "person1@example.com", "message": "Nope"})
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [_person(0), _person(1)], "Email")
    assert results[0].outcome is Outcome.CREATED
    assert results[1].error is not None and results[1].error.message == "Nope"


# Limits, faults and tokens


async def test_the_concurrency_setting_keeps_requests_under_zohos_limit() -> None:
    with running(concurrency=1, latency=0.05) as org:
        settings = {"concurrency": 1}
        async with ZohoConnector(org.connection(settings=settings)) as connector:
            results = await connector.upsert("contacts", [_person(n) for n in range(250)], "Email")
            assert connector.client.stats.rate_limited == 0
        assert all(r.outcome is Outcome.CREATED for r in results)
        assert org.sim.rate_limited == 0


async def test_requests_over_zohos_concurrency_are_throttled_then_retried() -> None:
    with running(concurrency=1, latency=0.1) as org:
        settings = {"concurrency": 3}
        async with ZohoConnector(org.connection(settings=settings)) as connector:
            results = await connector.upsert("contacts", [_person(n) for n in range(250)], "Email")
            assert connector.client.stats.rate_limited >= 1
        assert all(r.outcome is Outcome.CREATED for r in results)
        assert len(org.sim.records("Contacts")) == 250


async def test_spent_credits_fail_the_records_for_a_later_run_at_once() -> None:
    with running(credits=2) as org:
        async with ZohoConnector(org.connection()) as connector:
            first = await connector.upsert("contacts", [_person(1)], "Email")
            later = await connector.upsert("contacts", [_person(2), _person(3)], "Email")
            assert connector.client.stats.retried == 0
        assert first[0].outcome is Outcome.CREATED
        assert all(r.error is not None and r.error.action is Action.RETRY for r in later)
        assert later[0].error is not None and "API credits" in later[0].error.message


async def test_server_errors_are_retried_and_the_records_land_once(org: Org) -> None:
    org.control("faults", {"status": 503, "path": "/crm/v8/Contacts/upsert"})
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [_person(1), _person(2)], "Email")
        assert connector.client.stats.retried == 1
    assert all(r.outcome is Outcome.CREATED for r in results)
    assert len(org.sim.records("Contacts")) == 2


async def test_an_expired_oauth_token_is_refreshed_keeping_the_refresh_token(org: Org) -> None:
    grant = org.control("tokens/grant")
    seen: list[OAuthTokens] = []
    connection = org.connection(
        token=None,
        oauth=OAuthTokens(grant["access_token"], grant["refresh_token"], time.time() + 3600),
        oauth_client=OAuthClient("sim-client", "sim-secret"),
        on_tokens=seen.append,
    )
    async with ZohoConnector(connection) as connector:
        await connector.upsert("contacts", [_person(1)], "Email")
        org.control("tokens/expire")
        [result] = await connector.upsert("contacts", [_person(2)], "Email")
        assert connector.client.stats.refreshed == 1
    assert result.outcome is Outcome.CREATED
    [renewed] = seen
    assert renewed.refresh_token == grant["refresh_token"]
    assert renewed.access_token != grant["access_token"]
    assert redact(f"token {renewed.access_token}") == f"token {MASK}"


async def test_the_code_exchange_names_the_api_domain_the_connection_then_uses(org: Org) -> None:
    client = OAuthClient("sim-client", "sim-secret")
    probe = ZohoConnector(Connection(provider="zoho", base_url=org.url))
    token_endpoint = probe.token_url()
    await probe.aclose()
    grant = await request_grant(
        client,
        token_endpoint,
        "client_secret_post",
        "authorization_code",
        code="1000.consent",
        redirect_uri="http://127.0.0.1/callback",
    )
    base_url = ZohoConnector.base_url_of_grant(grant)
    assert base_url == org.url
    connection = Connection(
        provider="zoho", oauth=tokens_of(grant), oauth_client=client, base_url=base_url
    )
    async with ZohoConnector(connection) as connector:
        assert (await connector.check()).healthy


async def test_check_reports_a_refresh_the_accounts_server_refuses(org: Org) -> None:
    grant = org.control("tokens/grant")
    connection = org.connection(
        token=None,
        oauth=OAuthTokens(grant["access_token"], grant["refresh_token"], time.time() + 3600),
        oauth_client=OAuthClient("sim-client", "sim-secret"),
    )
    org.control("reset")  # every grant is forgotten, the refresh token with it
    async with ZohoConnector(connection) as connector:
        health = await connector.check()
    assert not health.healthy
    assert health.message == "the token endpoint refused the refresh_token grant: invalid_code"


async def test_a_refused_static_token_breaks_the_upsert(org: Org) -> None:
    async with ZohoConnector(org.connection(token="1000.revoked")) as connector:
        with pytest.raises(ConnectionBroken, match="invalid oauth token"):
            await connector.upsert("contacts", [_person(1)], "Email")


def test_values_become_zohos_json_forms() -> None:
    moment = datetime(2026, 3, 1, 9, 30, 15, 123456)
    assert json_ready(moment) == "2026-03-01T09:30:15+00:00"
    assert json_ready(Decimal("2.50")) == 2.5
    assert json_ready({"id": Decimal(7)}) == {"id": 7}
    assert json_ready(frozenset({"a"})) == ["a"]
    with pytest.raises(UnsendableValue, match="not a number"):
        json_ready(math.inf)
    with pytest.raises(UnsendableValue, match="no Zoho form"):
        json_ready(object())


def test_the_error_table_reads_zohos_bodies() -> None:
    per_record = {
        "data": [{"code": "MANDATORY_NOT_FOUND", "details": {}, "message": "m", "status": "error"}]
    }
    assert ERRORS.action(_response(400, per_record)) is None
    module = {
        "data": [{"code": "INVALID_MODULE", "details": {}, "message": "m", "status": "error"}]
    }
    assert ERRORS.action(_response(400, module)) is Action.BROKEN
    assert (
        ERRORS.action(_response(400, {"code": "LIMIT_EXCEEDED", "message": "m"})) is Action.REFUSE
    )
    assert ERRORS.action(_response(401, {"code": "INVALID_TOKEN"})) is Action.REFRESH
    assert ERRORS.action(_response(401, {"code": "OAUTH_SCOPE_MISMATCH"})) is Action.BROKEN
    assert ERRORS.action(_response(403, {"code": "NO_PERMISSION"})) is Action.BROKEN
    assert ERRORS.action(_response(429, {"code": "TOO_MANY_REQUESTS"})) is Action.RATE_LIMITED
    assert ERRORS.wait(_response(429, {})) == CONCURRENCY_WAIT
    assert ERRORS.wait(_response(429, {}, {"Retry-After": "7200"})) == 7200
    assert ERRORS.action(_response(502, {})) is Action.RETRY
    assert ERRORS.action(_response(207, per_record)) is None


def test_messages_come_from_the_top_level_data_or_the_accounts_server() -> None:
    top = {"code": "LIMIT_EXCEEDED", "details": {"limit": 100}, "message": "Record count exceeded"}
    assert read_message(_response(400, top)) == ("Record count exceeded", "LIMIT_EXCEEDED")
    wrapped = {
        "data": [{"code": "INVALID_DATA", "details": {"param": "ids"}, "message": "invalid data"}]
    }
    assert read_message(_response(400, wrapped)) == ("invalid data (parameter ids)", "INVALID_DATA")
    assert read_message(_response(200, {"error": "invalid_code"})) == (
        "invalid_code",
        "invalid_code",
    )


# Lists


async def test_contacts_are_linked_to_a_campaign_and_delinked(org: Org) -> None:
    campaign = org.campaign()
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [_person(n) for n in range(3)], "Email")
        ids = [str(r.vendor_id) for r in results]
        added = await connector.update_list(campaign, [*ids, "404"], [])
        again = await connector.update_list(campaign, ids[:1], ids[1:])
    assert [(r.record_id, r.added, r.ok) for r in added[:3]] == [(i, True, True) for i in ids]
    assert added[3].error is not None
    assert added[3].error.message == "the related id given seems to be invalid"
    assert [(r.added, r.ok) for r in again] == [(True, True), (False, True), (False, True)]
    assert list(org.sim.members[("Campaigns", campaign, "Contacts")]) == ids[:1]


async def test_a_campaign_zoho_does_not_have_fails_every_id(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.update_list("404", ["1", "2"], ["3"])
    assert [(r.added, r.ok) for r in results] == [(True, False), (True, False), (False, False)]
    assert all(r.error is not None and r.error.message == "invalid data" for r in results)


# identity


def test_identity_reads_zohos_field_names() -> None:
    connector = ZohoConnector(Connection(provider="zoho", token="t-123456"))
    assert connector.identity(
        "contacts", {"Email": " ann@x.com ", "First_Name": "Ann", "Last_Name": "Lee"}
    ) == Identity(email="ann@x.com", name="Ann Lee")
    assert connector.identity("leads", {"Email": "bo@x.com", "Full_Name": "Bo Diaz"}) == Identity(
        email="bo@x.com", name="Bo Diaz"
    )
    assert connector.identity(
        "companies", {"Account_Name": "Acme", "Website": "https://www.Acme.com/about"}
    ) == Identity(name="Acme", domain="acme.com")
    assert connector.identity("companies", {"Account_Name": {"name": "Acme"}}) == Identity(
        name="Acme"
    )
    assert connector.identity("deals", {"Deal_Name": "Renewal"}) == Identity(name="Renewal")
