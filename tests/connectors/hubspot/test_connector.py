"""The HubSpot connector against the HubSpot simulator, over real HTTP on loopback."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from simulators.hubspot import records as sim_records

from cardfile.connectors.base import OAuthClient, OAuthTokens, Outcome, RateLimit
from cardfile.connectors.errors import Action, ConnectionBroken
from cardfile.connectors.http import RateBudget
from cardfile.connectors.hubspot import HubSpotConnector
from cardfile.connectors.hubspot.errors import (
    ERRORS,
    read_message,
    read_rate_headers,
    seconds_to_utc_midnight,
    wait_for,
)
from cardfile.connectors.hubspot.records import UnsendableValue, value_text
from cardfile.connectors.registry import connector_class
from cardfile.types import AttributeType, Option
from tests.connectors.hubspot.conftest import Portal, running

pytestmark = pytest.mark.anyio


def _company(n: int, **extra: Any) -> dict[str, Any]:
    return {"cardfile_id": f"c-{n}", "name": f"Company {n}", "domain": f"c{n}.example.com", **extra}


def _contact(n: int, **extra: Any) -> dict[str, Any]:
    return {"email": f"person{n}@example.com", "firstname": f"Person {n}", **extra}


def _stored_ids(portal: Portal, entity: str, key: str) -> dict[str, str]:
    return {r[key]: r["hs_object_id"] for r in portal.sim.records(entity) if key in r}


# Registration and configuration


async def test_the_registry_finds_the_connector() -> None:
    assert connector_class("hubspot") is HubSpotConnector
    caps = HubSpotConnector.capabilities
    assert caps.batch_size == 100
    assert caps.writes == caps.reads == RateLimit(190, 10)
    assert caps.entities == {"companies", "contacts"}
    assert caps.match_keys["contacts"] == ("email", "hs_object_id")
    assert caps.lists and caps.reads_changes


async def test_reads_and_writes_spend_one_budget_which_a_setting_may_lower(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        assert connector.client.reads is connector.client.writes is connector.budget
        assert connector.budget.limit == RateLimit(190, 10)
    lowered = portal.connection(settings={"requests_per_10s": 100})
    async with HubSpotConnector(lowered) as connector:
        assert connector.budget.limit == RateLimit(100, 10)


async def test_the_budget_narrows_to_a_smaller_window_hubspot_reports() -> None:
    with running(ten_second_limit=50) as portal:
        async with HubSpotConnector(portal.connection()) as connector:
            await connector.check()
            assert connector.budget.limit.requests == 50


# check


async def test_check_with_a_good_token_names_the_portal(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        health = await connector.check()
    assert health.healthy
    assert health.message == f"HubSpot portal {portal.sim.portal_id} (STANDARD)"
    assert health.account == str(portal.sim.portal_id)


async def test_check_with_a_bad_token_says_so_in_hubspots_words(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection(token="wrong-token")) as connector:
        health = await connector.check()
    assert not health.healthy
    assert health.message.startswith("Authentication credentials not found")


async def test_check_without_any_token_is_unhealthy_not_an_exception(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection(token=None)) as connector:
        health = await connector.check()
        assert connector.client.stats.retried == 0
    assert not health.healthy
    assert health.message.startswith("Authentication credentials not found")


# fields


async def test_fields_map_hubspot_types_with_their_options(portal: Portal) -> None:
    portal.api(
        "POST",
        "/crm/v3/properties/contacts",
        json={
            "name": "renewal_date",
            "label": "Renewal date",
            "type": "date",
            "fieldType": "date",
            "groupName": "contactinformation",
        },
    )
    async with HubSpotConnector(portal.connection()) as connector:
        contacts = {f.name: f for f in await connector.fields("contacts")}
        companies = {f.name: f for f in await connector.fields("companies")}

    email = contacts["email"]
    assert (email.type, email.unique, email.required) == (AttributeType.EMAIL, True, False)
    assert email.label == "Email"
    stage = contacts["lifecyclestage"]
    assert stage.type is AttributeType.SELECT
    assert Option(id="lead", title="Lead") in stage.options
    role = contacts["hs_buying_role"]
    assert (role.type, role.multiple) == (AttributeType.MULTI_SELECT, True)
    assert Option(id="DECISION_MAKER", title="Decision Maker") in role.options
    assert contacts["phone"].type is AttributeType.PHONE_NUMBER
    assert contacts["renewal_date"].type is AttributeType.DATE
    created = contacts["createdate"]
    assert (created.type, created.read_only) == (AttributeType.TIMESTAMP, True)
    assert contacts["hs_object_id"].unique and contacts["hs_object_id"].read_only
    assert contacts["hs_sequences_is_enrolled"].type is AttributeType.CHECKBOX
    assert contacts["hs_sequences_is_enrolled"].read_only

    assert companies["domain"].type is AttributeType.DOMAIN
    assert not companies["domain"].unique
    assert companies["cardfile_id"].unique
    assert companies["numberofemployees"].type is AttributeType.NUMBER
    assert companies["is_public"].type is AttributeType.CHECKBOX
    assert companies["industry"].vendor_type == "enumeration/select"
    assert not any(f.required for f in [*contacts.values(), *companies.values()])


# upsert


async def test_upsert_creates_then_updates_the_same_records(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        created = await connector.upsert("contacts", [_contact(n) for n in range(3)], "email")
        changed = [_contact(n, lastname="Changed", lifecyclestage="lead") for n in range(3)]
        updated = await connector.upsert("contacts", changed, "email")
    assert [r.outcome for r in created] == [Outcome.CREATED] * 3
    assert [r.outcome for r in updated] == [Outcome.UPDATED] * 3
    assert [r.vendor_id for r in updated] == [r.vendor_id for r in created]
    assert all(r.vendor_id for r in created)
    stored = portal.sim.records("contacts")
    assert len(stored) == 3
    assert {r["lastname"] for r in stored} == {"Changed"}
    assert _stored_ids(portal, "contacts", "email")["person1@example.com"] == created[1].vendor_id


async def test_values_are_sent_as_hubspots_strings_and_none_clears(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        record = _company(1, numberofemployees=12, is_public=True, description="Old")
        await connector.upsert("companies", [record], "cardfile_id")
        again = await connector.upsert("companies", [_company(1, description=None)], "cardfile_id")
    assert again[0].outcome is Outcome.UPDATED
    stored = portal.sim.records("companies")[0]
    assert stored["numberofemployees"] == "12"
    assert stored["is_public"] == "true"
    assert "description" not in stored


async def test_a_refused_record_fails_alone_with_hubspots_message(portal: Portal) -> None:
    portal.control(
        "refusals", {"field": "email", "value": "person1@example.com", "message": "Nope"}
    )
    records = [_contact(0), _contact(1), _contact(2, lifecyclestage="not-a-stage")]
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert("contacts", [*records, _contact(3)], "email")
    assert results[0].outcome is Outcome.CREATED
    assert results[3].outcome is Outcome.CREATED
    refused, invalid = results[1], results[2]
    assert refused.outcome is Outcome.FAILED and refused.error is not None
    assert refused.error.message == "Nope"
    assert refused.error.action is Action.REFUSE
    assert invalid.outcome is Outcome.FAILED and invalid.error is not None
    assert "not-a-stage was not one of the allowed options" in invalid.error.message
    assert invalid.error.code == "VALIDATION_ERROR"
    assert len(portal.sim.records("contacts")) == 2


async def test_250_records_go_in_3_batches_and_come_back_in_input_order(portal: Portal) -> None:
    records = [_company(n) for n in range(250)]
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert("companies", records, "cardfile_id")
    assert [r.outcome for r in results] == [Outcome.CREATED] * 250
    assert len(portal.sim.calls_to("batch/upsert")) == 3
    ids = _stored_ids(portal, "companies", "cardfile_id")
    assert [r.vendor_id for r in results] == [ids[f"c-{n}"] for n in range(250)]


async def test_duplicate_keys_in_one_call_are_sent_once_and_share_the_result(
    portal: Portal,
) -> None:
    records = [_contact(1), _contact(2), {"email": "PERSON1@example.com", "lastname": "Later"}]
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert("contacts", records, "email")
    assert results[0] == results[2]
    assert results[0].outcome is Outcome.CREATED
    assert len(portal.sim.records("contacts")) == 2
    first = next(r for r in portal.sim.records("contacts") if r["email"] == "person1@example.com")
    assert (first["firstname"], first["lastname"]) == ("Person 1", "Later")


async def test_a_record_without_its_match_key_fails_without_a_request(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert("contacts", [{"firstname": "Nobody"}], "email")
    assert results[0].outcome is Outcome.FAILED
    assert results[0].error is not None and "email" in results[0].error.message
    assert list(portal.sim.calls) == []


async def test_a_value_hubspot_cannot_store_fails_that_record_only(portal: Portal) -> None:
    records = [_contact(1, firstname={"nested": "map"}), _contact(2)]
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert("contacts", records, "email")
    assert results[0].outcome is Outcome.FAILED
    assert results[0].error is not None and "firstname" in results[0].error.message
    assert results[1].outcome is Outcome.CREATED


async def test_a_key_hubspot_does_not_keep_unique_is_refused_for_every_record(
    portal: Portal,
) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert("contacts", [_contact(1), _contact(2)], "firstname")
    assert all(r.outcome is Outcome.FAILED for r in results)
    assert results[0].error is not None and "firstname" in results[0].error.message
    assert portal.sim.calls_to("batch/") == []


async def test_companies_match_on_domain_through_a_search_updating_the_oldest(
    portal: Portal,
) -> None:
    twins = [
        {"name": "Old", "domain": "twin.example.com"},
        {"name": "New", "domain": "twin.example.com"},
    ]
    made = portal.api(
        "POST",
        "/crm/v3/objects/companies/batch/create",
        json={"inputs": [{"properties": p} for p in twins]},
    ).json()
    oldest = min((r["id"] for r in made["results"]), key=int)
    records = [
        {"domain": "TWIN.example.com", "industry": "RETAIL"},
        {"domain": "fresh.example.com", "name": "Fresh"},
    ]
    async with HubSpotConnector(portal.connection()) as connector:
        first = await connector.upsert("companies", records, "domain")
        again = await connector.upsert("companies", records, "domain")
    assert [r.outcome for r in first] == [Outcome.UPDATED, Outcome.CREATED]
    assert first[0].vendor_id == oldest
    assert [r.outcome for r in again] == [Outcome.UPDATED, Outcome.UPDATED]
    assert [r.vendor_id for r in again] == [r.vendor_id for r in first]
    assert len(portal.sim.records("companies")) == 3
    assert portal.sim.calls_to("batch/upsert") == []


async def test_hs_object_id_updates_records_that_carry_one_and_creates_the_rest(
    portal: Portal,
) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        first = await connector.upsert("companies", [_company(1)], "cardfile_id")
        record_id = first[0].vendor_id
        records = [{"hs_object_id": record_id, "name": "Renamed"}, {"name": "Brand new"}]
        results = await connector.upsert("companies", records, "hs_object_id")
    assert [r.outcome for r in results] == [Outcome.UPDATED, Outcome.CREATED]
    assert results[0].vendor_id == record_id
    names = {r["name"] for r in portal.sim.records("companies")}
    assert names == {"Renamed", "Brand new"}


async def test_an_unknown_record_id_fails_with_hubspots_not_found(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert(
            "companies", [{"hs_object_id": "999", "name": "X"}], "hs_object_id"
        )
    assert results[0].outcome is Outcome.FAILED
    assert results[0].error is not None and results[0].error.code == "OBJECT_NOT_FOUND"


# Limits, faults and tokens


async def test_a_full_window_is_waited_out_and_no_record_is_lost() -> None:
    with running(ten_second_limit=3, interval_seconds=2.0) as portal:
        for _ in range(3):  # another client of the portal fills the window first
            portal.api("GET", "/crm/v3/objects/companies")
        records = [_company(n) for n in range(250)]
        async with HubSpotConnector(portal.connection()) as connector:
            results = await connector.upsert("companies", records, "cardfile_id")
            assert connector.client.stats.rate_limited >= 1
        assert [r.outcome for r in results] == [Outcome.CREATED] * 250
        assert portal.sim.stats()["rate_limited"] >= 1
        assert len(portal.sim.records("companies")) == 250


async def test_a_daily_limit_fails_the_records_for_a_later_run_at_once() -> None:
    # The property created for the test and the connector's look at the properties spend it.
    with running(daily_limit=2) as portal:
        async with HubSpotConnector(portal.connection()) as connector:
            results = await connector.upsert("companies", [_company(1), _company(2)], "cardfile_id")
            assert connector.client.stats.rate_limited == 1  # given up on at once, not waited
        assert [r.outcome for r in results] == [Outcome.FAILED] * 2
        for result in results:
            assert result.error is not None
            assert result.error.action is Action.RETRY
            assert result.error.code == "RATE_LIMIT"
            assert result.error.message == "You have reached your daily limit."
        assert portal.sim.records("companies") == []


async def test_server_errors_are_retried_and_the_records_land_once(portal: Portal) -> None:
    portal.control("faults", {"status": 503, "times": 2, "path": "/batch/upsert"})
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert("companies", [_company(1), _company(2)], "cardfile_id")
        assert connector.client.stats.retried == 2
    assert [r.outcome for r in results] == [Outcome.CREATED] * 2
    assert len(portal.sim.records("companies")) == 2


async def test_an_expired_oauth_token_is_refreshed_mid_call(portal: Portal) -> None:
    grant = portal.control("tokens/grant")
    seen: list[OAuthTokens] = []
    connection = portal.connection(
        token=None,
        oauth=OAuthTokens(grant["access_token"], grant["refresh_token"], time.time() + 1800),
        oauth_client=OAuthClient("sim-client", "sim-secret"),
        on_tokens=seen.append,
    )
    async with HubSpotConnector(connection) as connector:
        first = await connector.upsert("contacts", [_contact(1)], "email")
        portal.control("tokens/expire")
        second = await connector.upsert("contacts", [_contact(2), _contact(3)], "email")
        assert connector.client.stats.refreshed == 1
    assert [r.outcome for r in [*first, *second]] == [Outcome.CREATED] * 3
    assert len(seen) == 1
    assert seen[0].access_token != grant["access_token"]
    assert portal.sim.stats()["refreshes"] == 1


async def test_a_refused_refresh_breaks_the_call_instead_of_failing_records(
    portal: Portal,
) -> None:
    grant = portal.control("tokens/grant")
    connection = portal.connection(
        token=None,
        oauth=OAuthTokens(grant["access_token"], grant["refresh_token"], time.time() + 1800),
        oauth_client=OAuthClient("sim-client", "wrong-secret"),
    )
    portal.control("tokens/expire")
    async with HubSpotConnector(connection) as connector:
        with pytest.raises(ConnectionBroken, match="client secret"):
            await connector.upsert("contacts", [_contact(1)], "email")


# Lists


async def test_list_members_are_added_and_removed_and_a_missing_id_is_named(
    portal: Portal,
) -> None:
    listed = portal.api(
        "POST",
        "/crm/v3/lists",
        json={"name": "VIP", "objectTypeId": "0-1", "processingType": "MANUAL"},
    ).json()["list"]
    async with HubSpotConnector(portal.connection()) as connector:
        made = await connector.upsert("contacts", [_contact(n) for n in range(3)], "email")
        ids = [r.vendor_id for r in made if r.vendor_id]
        added = await connector.update_list(listed["listId"], [*ids, "999"], [])
        removed = await connector.update_list(listed["listId"], [], [ids[0]])
    assert [(r.record_id, r.added, r.ok) for r in added] == [
        (ids[0], True, True),
        (ids[1], True, True),
        (ids[2], True, True),
        ("999", True, False),
    ]
    assert added[3].error is not None and "999" in added[3].error.message
    assert [(r.record_id, r.added, r.ok) for r in removed] == [(ids[0], False, True)]
    members = portal.api("GET", f"/crm/v3/lists/{listed['listId']}/memberships").json()
    assert sorted(m["recordId"] for m in members["results"]) == sorted(ids[1:])


async def test_a_list_hubspot_refuses_fails_every_id_with_its_message(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.update_list("404", ["1", "2"], ["3"])
    assert [(r.record_id, r.added, r.ok) for r in results] == [
        ("1", True, False),
        ("2", True, False),
        ("3", False, False),
    ]
    assert results[0].error is not None and "404" in results[0].error.message


# Changes


async def _read_all(
    connector: HubSpotConnector, entity: str, since: str | None
) -> tuple[list[str], str | None]:
    ids: list[str] = []
    cursor = since
    for _ in range(100):
        page = await connector.read_changes(entity, cursor)
        ids += [record_id for record_id, _ in page.records]
        cursor = page.cursor
        if not page.more:
            return ids, cursor
    raise AssertionError("read_changes never ended")


async def test_read_changes_pages_through_every_record_once_then_only_changes(
    portal: Portal,
) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        made = await connector.upsert("contacts", [_contact(n) for n in range(250)], "email")
        ids, cursor = await _read_all(connector, "contacts", None)
        assert sorted(ids) == sorted(r.vendor_id for r in made if r.vendor_id)
        assert len(ids) == len(set(ids)) == 250

        await connector.upsert(
            "contacts", [_contact(7, lastname="New"), _contact(9, lastname="New")], "email"
        )
        page = await connector.read_changes("contacts", cursor)
        assert sorted(record_id for record_id, _ in page.records) == sorted(
            [made[7].vendor_id, made[9].vendor_id]
        )
        assert all(values["lastname"] == "New" for _, values in page.records)
        assert not page.more
        quiet = await connector.read_changes("contacts", page.cursor)
    assert quiet.records == []
    assert quiet.cursor == page.cursor


async def test_read_changes_splits_records_modified_in_the_same_millisecond(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen = int(time.time() * 1000)
    monkeypatch.setattr(sim_records, "now_ms", lambda: frozen)
    with running() as portal:
        async with HubSpotConnector(portal.connection()) as connector:
            made = await connector.upsert(
                "companies", [_company(n) for n in range(230)], "cardfile_id"
            )
            ids, _ = await _read_all(connector, "companies", None)
    assert len(ids) == len(set(ids)) == 230
    assert set(ids) == {r.vendor_id for r in made}


async def test_read_changes_takes_an_iso_timestamp_or_milliseconds(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection()) as connector:
        await connector.upsert("contacts", [_contact(1)], "email")
        later = datetime(2999, 1, 1, tzinfo=UTC)
        future_iso = await connector.read_changes("contacts", later.isoformat())
        future_ms = await connector.read_changes("contacts", str(int(later.timestamp() * 1000)))
        past = await connector.read_changes("contacts", "2000-01-01T00:00:00Z")
    assert future_iso.records == future_ms.records == []
    assert [values["email"] for _, values in past.records] == ["person1@example.com"]
    assert past.cursor and "/" in past.cursor


# Pieces


def test_values_become_hubspots_strings() -> None:
    assert value_text(None) == ""
    assert value_text(True) == "true"
    assert value_text(3.0) == "3"
    assert value_text(2.5) == "2.5"
    assert value_text(["A", "B"]) == "A;B"
    assert value_text(date(2024, 5, 1)) == "2024-05-01"
    assert value_text(datetime(2024, 5, 1, 12, 0, tzinfo=UTC)) == "2024-05-01T12:00:00.000Z"
    with pytest.raises(UnsendableValue):
        value_text({"a": 1})
    with pytest.raises(UnsendableValue):
        value_text(float("nan"))


def _answer(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_a_401_means_refresh_only_when_hubspot_says_the_token_expired() -> None:
    expired = _answer(401, {"category": "EXPIRED_AUTHENTICATION", "message": "expired"})
    invalid = _answer(401, {"category": "INVALID_AUTHENTICATION", "message": "bad"})
    assert ERRORS.action(expired) is Action.REFRESH
    assert ERRORS.action(invalid) is Action.BROKEN
    assert ERRORS.action(_answer(429, {})) is Action.RATE_LIMITED
    assert ERRORS.action(_answer(207, {})) is None
    assert read_message(invalid) == ("bad", "INVALID_AUTHENTICATION")
    assert read_message(_answer(400, {"status": "BAD_REFRESH_TOKEN", "message": "m"})) == (
        "m",
        "BAD_REFRESH_TOKEN",
    )


def test_a_429_waits_by_its_policy() -> None:
    rolling = _answer(
        429,
        {"policyName": "TEN_SECONDLY_ROLLING"},
        {"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"},
    )
    # The burst window names no wait: the budget, filled by the 429's headers, decides.
    assert wait_for(rolling) is None
    assert wait_for(_answer(429, {"policyName": "SECONDLY"})) == 1.0
    daily = wait_for(_answer(429, {"policyName": "DAILY"}))
    assert daily is not None and 0 < daily <= 86_400
    assert seconds_to_utc_midnight(datetime(2024, 1, 1, 23, 0, tzinfo=UTC)) == 3600
    assert wait_for(_answer(423, {})) == 2.0


def test_the_rate_headers_feed_the_budget() -> None:
    budget = RateBudget(RateLimit(190, 10))
    headers = httpx.Headers(
        {
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        }
    )
    read_rate_headers(headers, budget)
    assert budget.limit == RateLimit(100, 10)
    assert budget.delay() > 0  # the vendor's window is full: the next request must wait
