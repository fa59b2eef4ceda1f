"""``link`` against the Salesforce simulator: a contact's ``AccountId`` set through sObject
Collections updates, 200 a request, missing records ``not_found``, one account per contact."""

from __future__ import annotations

from typing import Any

import pytest

from cardfile.connectors.base import Link, Outcome
from cardfile.connectors.errors import Action
from cardfile.connectors.salesforce import SalesforceConnector
from tests.connectors.salesforce.conftest import Org
from tests.connectors.salesforce.harness import Harness

pytestmark = pytest.mark.anyio


def _to(contact: str, account: str) -> Link:
    return Link("contacts", contact, "companies", account)


def _account_of(org: Org, contact: str) -> Any:
    query = f"SELECT AccountId FROM Contact WHERE Id = '{contact}'"
    response = org.api("GET", "/query", params={"q": query})
    assert response.status_code == 200, response.text
    [row] = response.json()["records"]
    return row["AccountId"]


def _delete(org: Org, record_id: str) -> None:
    response = org.api("DELETE", "/composite/sobjects", params={"ids": record_id})
    assert response.json()[0]["success"], response.text


async def test_a_contact_is_linked_and_the_link_read_back(org: Org) -> None:
    contact = org.create("Contact", LastName="Ann")
    account = org.create("Account", Name="Acme")
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.link([_to(contact[:15], account)])
    assert (result.outcome, result.vendor_id) == (Outcome.UPDATED, contact[:15])
    assert _account_of(org, contact) == account
    [call] = org.sim.calls_to("/composite/sobjects", "PATCH")
    assert call.status == 200


async def test_linking_twice_leaves_one_link_and_relinking_replaces_it(org: Org) -> None:
    contact = org.create("Contact", LastName="Ann")
    acme, globex = org.create("Account", Name="Acme"), org.create("Account", Name="Globex")
    async with SalesforceConnector(org.connection()) as connector:
        first = await connector.link([_to(contact, acme)])
        again = await connector.link([_to(contact, acme)])
        assert _account_of(org, contact) == acme
        moved = await connector.link([_to(contact, globex)])
    assert [r.outcome for r in [*first, *again, *moved]] == [Outcome.UPDATED] * 3
    assert _account_of(org, contact) == globex


async def test_one_contact_linked_twice_in_a_call_ends_with_the_later_link(org: Org) -> None:
    contact = org.create("Contact", LastName="Ann")
    acme, globex = org.create("Account", Name="Acme"), org.create("Account", Name="Globex")
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.link([_to(contact, acme), _to(contact[:15], globex)])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 2
    assert _account_of(org, contact) == globex
    assert len(org.sim.calls_to("/composite/sobjects", "PATCH")) == 2  # one per round


async def test_missing_records_and_targets_fail_alone_as_not_found(org: Org) -> None:
    contact, other = org.create("Contact", LastName="Ann"), org.create("Contact", LastName="Bo")
    gone_contact = org.create("Contact", LastName="Gone")
    account, gone_account = org.create("Account", Name="Acme"), org.create("Account", Name="X")
    _delete(org, gone_contact)
    _delete(org, gone_account)
    links = [
        _to(contact, gone_account),
        _to(gone_contact, account),
        _to("not-an-id", account),
        _to(other, account),
    ]
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.link(links)
    assert [r.outcome for r in results] == [Outcome.FAILED] * 3 + [Outcome.UPDATED]
    errors = [r.error for r in results[:3]]
    assert all(e is not None and e.code == "not_found" for e in errors)
    assert all(e is not None and e.action is Action.REFUSE for e in errors)
    assert errors[0] is not None and "invalid cross reference id" in errors[0].message
    assert errors[1] is not None and errors[1].message == "entity is deleted"
    assert errors[2] is not None and "id value of incorrect type" in errors[2].message
    assert _account_of(org, contact) is None  # the refused link changed nothing
    assert _account_of(org, other) == account
    assert len(org.sim.calls_to("/composite/sobjects", "PATCH")) == 1


async def test_other_refusals_keep_salesforces_code(org: Org) -> None:
    contact = org.create("Contact", LastName="Kept")
    account = org.create("Account", Name="Acme")
    org.control("refusals", {"field": "LastName", "value": "Kept", "message": "Frozen"})
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.link([_to(contact, account)])
    assert result.error is not None
    assert (result.error.code, result.error.message) == (
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Frozen",
    )


async def test_pairs_salesforce_cannot_link_and_blank_ids_fail_without_a_request(
    org: Org,
) -> None:
    contact = org.create("Contact", LastName="Ann")
    account = org.create("Account", Name="Acme")
    links = [
        Link("leads", contact, "companies", account),
        Link("companies", account, "contacts", contact),
        _to(contact, " "),
        _to("", account),
    ]
    async with SalesforceConnector(org.connection()) as connector:
        assert connector.capabilities.links == {"contacts": ("companies",)}
        assert (connector.capabilities.people, connector.capabilities.companies) == (
            "contacts",
            "companies",
        )
        results = await connector.link(links)
    assert [r.outcome for r in results] == [Outcome.FAILED] * 4
    assert (
        results[0].error is not None and "links contacts to companies" in results[0].error.message
    )
    assert [r.error.code for r in results[2:] if r.error] == ["not_found", "not_found"]
    assert org.sim.calls_to("/composite/sobjects") == []
    assert _account_of(org, contact) is None


async def test_links_go_200_to_a_request(org: Org) -> None:
    account = org.create("Account", Name="Acme")
    records = [{"LastName": f"P{n}", "Email": f"p{n}@example.com"} for n in range(201)]
    async with SalesforceConnector(org.connection()) as connector:
        made = await connector.upsert("contacts", records, "Email")
        results = await connector.link([_to(str(r.vendor_id), account) for r in made])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 201
    assert {r["AccountId"] for r in org.sim.records("Contact")} == {account}
    assert len(org.sim.calls_to("/composite/sobjects", "PATCH")) == 2


async def test_a_throttle_and_a_server_error_are_waited_out(org: Org) -> None:
    contact = org.create("Contact", LastName="Ann")
    account = org.create("Account", Name="Acme")
    org.control("faults", {"status": 429, "path": "/composite/sobjects", "method": "PATCH"})
    org.control("faults", {"status": 503, "path": "/composite/sobjects", "method": "PATCH"})
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.link([_to(contact, account)])
        assert connector.client.stats.rate_limited == 1
        assert connector.client.stats.retried >= 1
    assert result.outcome is Outcome.UPDATED
    assert _account_of(org, contact) == account
    statuses = [c.status for c in org.sim.calls_to("/composite/sobjects", "PATCH")]
    assert statuses[-1] == 200


async def test_a_spent_day_fails_each_link_for_a_later_run(org: Org) -> None:
    contact = org.create("Contact", LastName="Ann")
    account = org.create("Account", Name="Acme")
    org.sim.daily.limit = org.sim.daily.used
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.link([_to(contact, account)])
    assert result.error is not None
    assert (result.error.code, result.error.action) == ("REQUEST_LIMIT_EXCEEDED", Action.RETRY)


async def test_the_harness_reads_links_back_through_soql(org: Org) -> None:
    harness = Harness(org.url)
    (entity, key, person), (target, target_key, company) = harness.link_records(1)
    async with SalesforceConnector(org.connection()) as connector:
        [made] = await connector.upsert(entity, [person], key)
        [firm] = await connector.upsert(target, [company], target_key)
        assert harness.linked(entity, str(made.vendor_id), target) == []
        await connector.link([Link(entity, str(made.vendor_id), target, str(firm.vendor_id))])
    assert harness.linked(entity, str(made.vendor_id), target) == [firm.vendor_id]
    assert harness.link_records(2) != harness.link_records(1)
