"""``link`` against the Zoho CRM simulator: contacts' ``Account_Name`` lookup set by record
updates (``PUT /crm/v8/Contacts``), 100 to a request, missing records ``not_found``."""

from __future__ import annotations

from typing import Any

import pytest

from cardfile.connectors.base import Link, Outcome
from cardfile.connectors.errors import Action
from cardfile.connectors.zoho import ZohoConnector
from tests.connectors.zoho.conftest import Org, running
from tests.connectors.zoho.harness import Harness

pytestmark = pytest.mark.anyio


def _to(contact: str, account: str) -> Link:
    return Link("contacts", contact, "companies", account)


def _made(org: Org, module: str, *records: dict[str, Any]) -> list[str]:
    response = org.api("POST", f"/crm/v8/{module}/upsert", json={"data": list(records)})
    assert response.status_code == 200, response.text
    return [str(item["details"]["id"]) for item in response.json()["data"]]


def _contacts(org: Org, n: int) -> list[str]:
    people = [{"Email": f"p{i}@example.com", "Last_Name": f"P{i}"} for i in range(n)]
    return _made(org, "Contacts", *people)


def _account_of(org: Org, contact: str) -> Any:
    params = {"ids": contact, "fields": "Account_Name"}
    response = org.api("GET", "/crm/v8/Contacts", params=params)
    assert response.status_code == 200, response.text
    account = response.json()["data"][0].get("Account_Name")
    return account["id"] if isinstance(account, dict) else account


def _puts(org: Org) -> list[int]:
    return [c.status for c in org.sim.calls_to("/crm/v8/Contacts", "PUT")]


async def test_a_contact_is_linked_and_the_link_read_back(org: Org) -> None:
    [contact] = _contacts(org, 1)
    [account] = _made(org, "Accounts", {"Account_Name": "Acme"})
    async with ZohoConnector(org.connection()) as connector:
        [result] = await connector.link([_to(contact, account)])
    assert (result.outcome, result.vendor_id) == (Outcome.UPDATED, contact)
    assert _account_of(org, contact) == account
    assert _puts(org) == [200]


async def test_linking_twice_leaves_one_link_and_relinking_replaces_it(org: Org) -> None:
    [contact] = _contacts(org, 1)
    acme, globex = _made(org, "Accounts", {"Account_Name": "Acme"}, {"Account_Name": "Globex"})
    async with ZohoConnector(org.connection()) as connector:
        first = await connector.link([_to(contact, acme)])
        again = await connector.link([_to(contact, acme)])
        assert _account_of(org, contact) == acme
        moved = await connector.link([_to(contact, globex)])
    assert [r.outcome for r in [*first, *again, *moved]] == [Outcome.UPDATED] * 3
    assert _account_of(org, contact) == globex


async def test_one_contact_linked_twice_in_a_call_ends_with_the_later_link(org: Org) -> None:
    [contact] = _contacts(org, 1)
    acme, globex = _made(org, "Accounts", {"Account_Name": "Acme"}, {"Account_Name": "Globex"})
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.link([_to(contact, acme), _to(contact, globex)])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 2
    assert _account_of(org, contact) == globex
    assert _puts(org) == [200, 200]


async def test_missing_records_and_targets_fail_alone_as_not_found(org: Org) -> None:
    contact, other, gone = _contacts(org, 3)
    account, gone_account = _made(org, "Accounts", {"Account_Name": "A"}, {"Account_Name": "B"})
    org.api("DELETE", "/crm/v8/Contacts", params={"ids": gone})
    org.api("DELETE", "/crm/v8/Accounts", params={"ids": gone_account})
    links = [
        _to(contact, gone_account),
        _to(gone, account),
        _to("person@example.com", account),
        _to(other, account),
    ]
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.link(links)
    assert [r.outcome for r in results] == [Outcome.FAILED] * 3 + [Outcome.UPDATED]
    errors = [r.error for r in results[:3]]
    assert all(e is not None and e.code == "not_found" for e in errors)
    assert all(e is not None and e.action is Action.REFUSE for e in errors)
    assert errors[0] is not None and errors[0].message.startswith("invalid data (Account_Name")
    assert errors[1] is not None
    assert errors[1].message == "the id given seems to be invalid (id)"
    assert errors[2] is not None and "not the id of a Zoho CRM record" in errors[2].message
    assert _account_of(org, contact) is None
    assert _account_of(org, other) == account
    assert _puts(org) == [207]  # the bad id was not sent


async def test_other_refusals_keep_zohos_code(org: Org) -> None:
    [contact] = _contacts(org, 1)
    [account] = _made(org, "Accounts", {"Account_Name": "Acme"})
    org.control("refusals", {"field": "id", "value": contact, "message": "record locked"})
    async with ZohoConnector(org.connection()) as connector:
        [result] = await connector.link([_to(contact, account)])
    assert result.error is not None
    assert (result.error.code, result.error.message) == ("INVALID_DATA", "record locked")


async def test_pairs_zoho_cannot_link_fail_without_a_request(org: Org) -> None:
    [contact] = _contacts(org, 1)
    [account] = _made(org, "Accounts", {"Account_Name": "Acme"})
    async with ZohoConnector(org.connection()) as connector:
        caps = connector.capabilities
        assert (caps.people, caps.companies, caps.links) == (
            "contacts",
            "companies",
            {"contacts": ("companies",)},
        )
        [result] = await connector.link([Link("leads", contact, "companies", account)])
    assert result.error is not None and "links contacts to companies" in result.error.message
    assert _puts(org) == []


async def test_links_go_100_to_a_request(org: Org) -> None:
    contacts = _contacts(org, 100)
    more = _made(org, "Contacts", {"Email": "last@example.com", "Last_Name": "Last"})
    [account] = _made(org, "Accounts", {"Account_Name": "Acme"})
    async with ZohoConnector(org.connection()) as connector:
        results = await connector.link([_to(c, account) for c in [*contacts, *more]])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 101
    assert _puts(org) == [200, 200]
    held = {r["Account_Name"]["id"] for r in org.sim.records("Contacts")}
    assert held == {account}


async def test_a_throttle_and_a_server_error_are_waited_out(org: Org) -> None:
    [contact] = _contacts(org, 1)
    [account] = _made(org, "Accounts", {"Account_Name": "Acme"})
    org.control("faults", {"status": 429, "path": "/crm/v8/Contacts", "method": "PUT"})
    org.control("faults", {"status": 500, "path": "/crm/v8/Contacts", "method": "PUT"})
    async with ZohoConnector(org.connection()) as connector:
        [result] = await connector.link([_to(contact, account)])
        assert connector.client.stats.rate_limited == 1
        assert connector.client.stats.retried == 2
    assert result.outcome is Outcome.UPDATED
    assert _account_of(org, contact) == account


async def test_spent_credits_fail_the_links_for_a_later_run() -> None:
    with running(credits=3) as org:
        [contact] = _contacts(org, 1)
        [account] = _made(org, "Accounts", {"Account_Name": "Acme"})
        async with ZohoConnector(org.connection()) as connector:
            [result] = await connector.link([_to(contact, account)])  # a third credit: fine
            [later] = await connector.link([_to(contact, account)])
    assert result.outcome is Outcome.UPDATED
    assert later.error is not None and later.error.action is Action.RETRY
    assert "API credits" in later.error.message


async def test_the_harness_reads_links_back_through_the_records_api(org: Org) -> None:
    harness = Harness(org.url)
    (entity, key, person), (target, target_key, company) = harness.link_records(1)
    async with ZohoConnector(org.connection()) as connector:
        [made] = await connector.upsert(entity, [person], key)
        [firm] = await connector.upsert(target, [company], target_key)
        assert harness.linked(entity, str(made.vendor_id), target) == []
        await connector.link([Link(entity, str(made.vendor_id), target, str(firm.vendor_id))])
    assert harness.linked(entity, str(made.vendor_id), target) == [firm.vendor_id]
    assert harness.link_records(2) != harness.link_records(1)
