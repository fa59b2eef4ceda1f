"""Upserts against the Salesforce simulator: each way of matching, batching, per-record
refusals in Salesforce's words, whole-request refusals, throttles and the daily allocation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from cardfile.connectors.base import Outcome
from cardfile.connectors.errors import Action, ConnectionBroken
from cardfile.connectors.salesforce import SalesforceConnector
from cardfile.connectors.salesforce.records import failure, value_json
from cardfile.connectors.values import UnsendableValue
from tests.connectors.salesforce.conftest import Org

pytestmark = pytest.mark.anyio


def _contact(n: int, **extra: Any) -> dict[str, Any]:
    return {"Email": f"person{n}@example.com", "LastName": f"Person {n}", **extra}


def _stored(org: Org, sobject: str) -> list[dict[str, Any]]:
    return org.sim.records(sobject)


# Matching on keys Salesforce does not keep unique: search, then write


async def test_contacts_match_on_email_and_a_resend_updates_instead_of_duplicating(
    org: Org,
) -> None:
    records = [_contact(n) for n in range(3)]
    async with SalesforceConnector(org.connection()) as connector:
        first = await connector.upsert("contacts", records, "Email")
        again = await connector.upsert(
            "contacts",
            [{**r, "Email": r["Email"].upper(), "Title": "CTO"} for r in records],
            "Email",
        )
    assert [r.outcome for r in first] == [Outcome.CREATED] * 3
    assert [r.outcome for r in again] == [Outcome.UPDATED] * 3
    assert [r.vendor_id for r in again] == [r.vendor_id for r in first]
    stored = _stored(org, "Contact")
    assert len(stored) == 3
    assert {r["Title"] for r in stored} == {"CTO"}
    queries = org.sim.calls_to("/query")
    assert len(queries) == 2  # one SOQL query per call finds the three keys


async def test_the_oldest_record_holding_a_key_is_the_one_updated(org: Org) -> None:
    oldest = org.create("Contact", LastName="Old", Email="dup@example.com")
    org.create("Contact", LastName="New", Email="dup@example.com")
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.upsert(
            "contacts", [_contact(0, Email="dup@example.com")], "Email"
        )
    assert (result.outcome, result.vendor_id) == (Outcome.UPDATED, oldest)
    assert len(_stored(org, "Contact")) == 2


async def test_records_sharing_a_key_in_one_call_are_sent_once(org: Org) -> None:
    records = [_contact(1), _contact(2), _contact(1, Title="CEO")]
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", records, "Email")
    assert results[0] == results[2]
    assert results[0].outcome is Outcome.CREATED
    stored = {r["Email"]: r for r in _stored(org, "Contact")}
    assert len(stored) == 2
    assert stored["person1@example.com"]["Title"] == "CEO"  # later values win


async def test_companies_match_on_website_or_name(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        made = await connector.upsert(
            "companies", [{"Name": "Acme", "Website": "acme.com"}], "Website"
        )
        by_site = await connector.upsert(
            "companies", [{"Name": "Acme Inc", "Website": "ACME.com"}], "Website"
        )
        by_name = await connector.upsert(
            "companies", [{"Name": "acme inc", "Industry": "Technology"}], "Name"
        )
    assert made[0].outcome is Outcome.CREATED
    assert by_site[0].outcome is by_name[0].outcome is Outcome.UPDATED
    assert by_site[0].vendor_id == by_name[0].vendor_id == made[0].vendor_id
    [account] = _stored(org, "Account")
    assert account["Industry"] == "Technology"


async def test_searches_follow_next_records_url_across_query_pages(org: Org) -> None:
    org.sim.query_page = 5
    records = [_contact(n) for n in range(12)]
    async with SalesforceConnector(org.connection()) as connector:
        first = await connector.upsert("contacts", records, "Email")
        again = await connector.upsert("contacts", records, "Email")
    assert [r.outcome for r in again] == [Outcome.UPDATED] * 12
    assert [r.vendor_id for r in again] == [r.vendor_id for r in first]
    assert len(org.sim.calls_to("/query/")) == 2  # the second call's pages two and three


async def test_a_key_that_is_neither_external_nor_a_lookup_is_refused_without_writing(
    org: Org,
) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [_contact(0)], "Title")
        unknown = await connector.upsert("contacts", [_contact(0)], "No_Field__c")
    for result in (*results, *unknown):
        assert result.outcome is Outcome.FAILED and result.error is not None
        assert "Salesforce cannot match contacts" in result.error.message
    assert org.sim.calls_to("/composite") == []


async def test_a_record_without_its_key_fails_alone(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [{"LastName": "X"}, _contact(1)], "Email")
    assert results[0].error is not None and "has no Email" in results[0].error.message
    assert results[1].outcome is Outcome.CREATED


# Matching on an external id: Salesforce's own upsert


async def test_an_external_id_field_upserts_in_one_request_per_200(org: Org) -> None:
    records = [{"Cardfile_Id__c": f"c-{n}", "Name": f"Company {n}"} for n in range(450)]
    async with SalesforceConnector(org.connection()) as connector:
        first = await connector.upsert("companies", records, "Cardfile_Id__c")
        again = await connector.upsert("companies", records, "Cardfile_Id__c")
    assert {r.outcome for r in first} == {Outcome.CREATED}
    assert {r.outcome for r in again} == {Outcome.UPDATED}
    assert [r.vendor_id for r in again] == [r.vendor_id for r in first]
    upserts = org.sim.calls_to("/composite/sobjects/Account/Cardfile_Id__c", "PATCH")
    assert len(upserts) == 6  # 200 + 200 + 50, twice
    assert org.sim.calls_to("/query") == []
    assert len(_stored(org, "Account")) == 450


async def test_an_id_carried_by_an_external_id_record_is_left_out(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.upsert(
            "companies", [{"Cardfile_Id__c": "c-1", "Name": "A", "Id": "001xx"}], "Cardfile_Id__c"
        )
    assert result.outcome is Outcome.CREATED


# Matching on Id


async def test_records_with_an_id_are_updated_and_the_others_created(org: Org) -> None:
    existing = org.create(
        "Opportunity", Name="Old", StageName="Prospecting", CloseDate="2026-01-01"
    )
    records: list[dict[str, Any]] = [
        {"Id": existing, "Name": "Renewal", "Amount": Decimal("1200.50")},
        {"Name": "New", "StageName": "Qualification", "CloseDate": date(2026, 3, 1)},
        {"Id": existing[:15], "Probability": 40},
        {"Id": "006xxxxxxxxxxxxAAA", "Name": "Gone"},
        {"Id": "not-an-id", "Name": "Bad"},
    ]
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("deals", records, "Id")
    assert [r.outcome for r in results[:3]] == [Outcome.UPDATED, Outcome.CREATED, Outcome.UPDATED]
    assert results[0].vendor_id == results[2].vendor_id == existing
    assert results[3].outcome is Outcome.FAILED and results[3].error is not None
    assert (results[3].error.code, results[3].error.message) == (
        "ENTITY_IS_DELETED",
        "entity is deleted",
    )
    assert results[4].error is not None and results[4].error.code == "MALFORMED_ID"
    deals = {r["Id"]: r for r in _stored(org, "Opportunity")}
    assert deals[existing]["Amount"] == 1200.5
    assert deals[existing]["Probability"] == 40
    assert deals[existing]["Name"] == "Renewal"


# Refusals


async def test_per_record_refusals_keep_salesforces_message_and_code(org: Org) -> None:
    records = [
        _contact(0, Email="not-an-email"),
        _contact(1),
        {"Email": "nolast@example.com"},
        _contact(3, Interests__c=["Product", "Gossip"]),
    ]
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", records, "Email")
    errors = [r.error for r in results]
    assert errors[0] is not None and errors[0].code == "INVALID_EMAIL_ADDRESS"
    assert errors[0].message == "Email: invalid email address: not-an-email"
    assert errors[0].action is Action.REFUSE and errors[0].status == 200
    assert results[1].outcome is Outcome.CREATED
    assert errors[2] is not None and errors[2].message == "Required fields are missing: [LastName]"
    assert errors[3] is not None
    assert (
        errors[3].message
        == "Interests: bad value for restricted picklist field: Gossip (Interests__c)"
    )


async def test_an_unknown_field_fails_only_the_records_carrying_it(org: Org) -> None:
    records = [_contact(0), _contact(1, Nickname__c="Bo"), _contact(2), _contact(3, Other__c=1)]
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", records, "Email")
    assert [r.outcome for r in results] == [
        Outcome.CREATED,
        Outcome.FAILED,
        Outcome.CREATED,
        Outcome.FAILED,
    ]
    assert results[1].error is not None
    assert results[1].error.message == "No such column 'Nickname__c' on sobject of type Contact"
    assert results[1].error.code == "INVALID_FIELD"
    assert results[3].error is not None and "'Other__c'" in results[3].error.message
    creates = org.sim.calls_to("/composite/sobjects", "POST")
    assert [c.status for c in creates] == [400, 400, 200]


async def test_a_value_salesforce_cannot_read_fails_only_its_record(org: Org) -> None:
    records = [_contact(n) for n in range(8)]
    records[5] = _contact(5, Score__c="high")
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", records, "Email")
    assert [r.outcome for r in results] == [Outcome.CREATED] * 5 + [Outcome.FAILED] + [
        Outcome.CREATED
    ] * 2
    error = results[5].error
    assert error is not None and error.code == "JSON_PARSER_ERROR"
    assert "Cannot deserialize instance of double from VALUE_STRING value high" in error.message
    assert len(org.sim.records("Contact")) == 7
    assert len(org.sim.calls_to("/composite/sobjects", "POST")) == 2


async def test_a_whole_request_refusal_naming_no_record_is_narrowed_down_by_halves(
    org: Org,
) -> None:
    org.control("faults", {"status": 400, "times": 2, "path": "/composite", "method": "POST"})
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [_contact(n) for n in range(4)], "Email")
        assert connector.client.stats.requests == 1 + 5  # the query, then the creates:
    # 4 refused, then 2 refused (records 0 and 1), then 1 + 1 + the other 2 saved
    assert [r.outcome for r in results] == [Outcome.CREATED] * 4
    saved = org.sim.calls_to("/composite/sobjects", "POST")  # faults answer before the org
    assert [c.status for c in saved] == [200, 200, 200]


async def test_a_value_with_no_salesforce_form_fails_without_a_request(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert(
            "contacts", [_contact(0, Title={"a": 1}), _contact(1, Score__c=float("nan"))], "Email"
        )
    assert all(r.outcome is Outcome.FAILED for r in results)
    assert results[0].error is not None and "Title" in results[0].error.message
    assert org.sim.calls_to("/composite") == []


def test_values_take_salesforces_json_forms() -> None:
    assert value_json(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000Z"
    assert value_json(date(2026, 1, 2)) == "2026-01-02"
    assert value_json(["Product", "Events"]) == "Product;Events"
    assert value_json(Decimal("3")) == 3 and value_json(Decimal("2.5")) == 2.5
    assert value_json(None) is None and value_json(True) is True
    with pytest.raises(UnsendableValue):
        value_json(Decimal("NaN"))


def test_a_locked_row_is_a_record_to_retry_and_a_duplicate_one_to_refuse() -> None:
    locked = failure([{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain"}], 200)
    assert locked.action is Action.RETRY
    duplicate = failure(
        [{"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?"}], 200
    )
    assert duplicate.action is Action.REFUSE and duplicate.code == "DUPLICATES_DETECTED"


# Faults and limits


async def test_a_forbidden_answer_other_than_a_limit_breaks_the_connection(org: Org) -> None:
    org.control("faults", {"status": 403, "path": "/composite"})
    async with SalesforceConnector(org.connection()) as connector:
        with pytest.raises(ConnectionBroken, match="REST API is not enabled"):
            await connector.upsert("contacts", [_contact(0)], "Email")


async def test_a_concurrency_throttle_is_waited_out(org: Org) -> None:
    org.control("faults", {"status": 429, "times": 1, "path": "/composite"})
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [_contact(0)], "Email")
        assert connector.client.stats.rate_limited == 1
    assert results[0].outcome is Outcome.CREATED


async def test_the_daily_limit_ends_the_call_at_once_for_a_later_run(org: Org) -> None:
    org.sim.daily.limit = 2
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.upsert("contacts", [_contact(n) for n in range(3)], "Email")
        assert connector.budget.remaining == 0  # the query and the create spent the day
    assert [r.outcome for r in results] == [Outcome.CREATED] * 3
    async with SalesforceConnector(org.connection()) as connector:  # knows no count yet
        again = await connector.upsert("contacts", [_contact(9)], "Email")
        assert connector.client.stats.rate_limited == 1
        assert connector.client.stats.retried == 0  # not waited for: a day is too long
    [error] = [r.error for r in again]
    assert error is not None
    assert error.code == "REQUEST_LIMIT_EXCEEDED" and error.action is Action.RETRY
    assert error.message == "TotalRequests Limit exceeded."
    assert org.sim.rate_limited == 1


async def test_the_budget_stops_before_the_reserve_salesforce_reports(org: Org) -> None:
    settings = {"daily_api_reserve": 99_999}
    async with SalesforceConnector(org.connection(settings=settings)) as connector:
        assert (await connector.check()).healthy  # leaves 99,999: the reserve
        sent = org.sim.requests
        results = await connector.upsert("contacts", [_contact(0)], "Email")
    [error] = [r.error for r in results]
    assert error is not None and error.action is Action.RETRY
    assert "1 of 100000 requests used" in error.message
    assert "99999 kept for the org's other integrations" in error.message
    assert org.sim.requests == sent  # nothing was sent
