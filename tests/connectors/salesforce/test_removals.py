"""``remove`` against the Salesforce simulator: records deleted by id, 200 a request, an id
already gone counted as removed, refusals in Salesforce's words, ids of other objects kept."""

from __future__ import annotations

import pytest

from cardfile.connectors.base import Outcome
from cardfile.connectors.errors import Action
from cardfile.connectors.salesforce import SalesforceConnector
from tests.connectors.salesforce.conftest import Org

pytestmark = pytest.mark.anyio


def _ids(org: Org, sobject: str) -> list[str]:
    return [str(r["Id"]) for r in org.sim.records(sobject)]


async def test_remove_deletes_the_records_and_counts_an_id_already_gone(org: Org) -> None:
    ann, bob, cid = (org.create("Contact", LastName=n) for n in ("Ann", "Bob", "Cid"))
    async with SalesforceConnector(org.connection()) as connector:
        first = await connector.remove("contacts", [ann, bob[:15]])
        again = await connector.remove("contacts", [ann])
    assert [(r.outcome, r.vendor_id) for r in first] == [
        (Outcome.REMOVED, ann),
        (Outcome.REMOVED, bob[:15]),
    ]
    assert [(r.outcome, r.vendor_id) for r in again] == [(Outcome.REMOVED, ann)]
    assert _ids(org, "Contact") == [cid]
    assert org.sim.stats()["records"]["contacts"] == 1
    assert len(org.sim.calls_to("/composite/sobjects", "DELETE")) == 2


async def test_a_refused_removal_fails_in_salesforce_words_and_the_rest_go(org: Org) -> None:
    kept, gone = (
        org.create("Lead", LastName="Kept", Company="K"),
        org.create("Lead", LastName="Gone", Company="G"),
    )
    org.control("refusals", {"field": "LastName", "value": "Kept", "message": "Leads stay"})
    async with SalesforceConnector(org.connection()) as connector:
        refused, removed = await connector.remove("leads", [kept, gone])
    assert refused.outcome is Outcome.FAILED and refused.error is not None
    assert (refused.error.message, refused.error.code) == (
        "Leads stay",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    )
    assert refused.error.action is Action.REFUSE
    assert removed.outcome is Outcome.REMOVED
    assert _ids(org, "Lead") == [kept]


async def test_ids_of_other_objects_and_malformed_ids_are_never_sent(org: Org) -> None:
    account = org.create("Account", Name="Acme")
    contact = org.create("Contact", LastName="Ann")
    async with SalesforceConnector(org.connection()) as connector:
        other, junk, removed = await connector.remove("contacts", [account, "1,2", contact])
    assert other.error is not None and "not the id of a Contact" in other.error.message
    assert junk.error is not None and "not a Salesforce record id" in junk.error.message
    assert removed.outcome is Outcome.REMOVED
    assert _ids(org, "Account") == [account]
    [call] = org.sim.calls_to("/composite/sobjects", "DELETE")
    assert call.status == 200


async def test_remove_sends_200_ids_a_request_and_one_id_given_twice_once(org: Org) -> None:
    records = [{"LastName": f"P{n}", "Email": f"p{n}@example.com"} for n in range(201)]
    async with SalesforceConnector(org.connection()) as connector:
        made = await connector.upsert("contacts", records, "Email")
        ids = [str(r.vendor_id) for r in made]
        results = await connector.remove("contacts", [*ids, ids[0][:15]])
    assert [r.outcome for r in results] == [Outcome.REMOVED] * 202
    assert results[-1].vendor_id == ids[0][:15]
    assert _ids(org, "Contact") == []
    assert len(org.sim.calls_to("/composite/sobjects", "DELETE")) == 2


async def test_a_spent_day_fails_each_id_for_a_later_run(org: Org) -> None:
    contact = org.create("Contact", LastName="Ann")
    org.sim.daily.limit = org.sim.daily.used  # the DELETE finds the org's day spent
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.remove("contacts", [contact])
    assert result.outcome is Outcome.FAILED and result.error is not None
    assert (result.error.code, result.error.action) == ("REQUEST_LIMIT_EXCEEDED", Action.RETRY)
    assert result.error.message == "TotalRequests Limit exceeded."
    assert _ids(org, "Contact") == [contact]
