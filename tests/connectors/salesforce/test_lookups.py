"""``find`` against the Salesforce simulator: records found as an upsert finds them, without
case and the oldest first, by external id and by id, and never a write."""

from __future__ import annotations

import pytest

from cardfile.connectors.base import Outcome
from cardfile.connectors.errors import Refused
from cardfile.connectors.salesforce import SalesforceConnector
from tests.connectors.salesforce.conftest import Org

pytestmark = pytest.mark.anyio


def _writes(org: Org) -> list[str]:
    """The non-GET calls the simulator answered since the test's records were made."""
    return [f"{c.method} {c.path}" for c in org.sim.calls if c.method != "GET"]


def _setup_done(org: Org) -> None:
    org.sim.calls.clear()  # the records made for the test are not the connector's writes


async def test_find_by_email_ignores_case_takes_the_oldest_and_writes_nothing(org: Org) -> None:
    oldest = org.create("Contact", LastName="Old", Email="ann@example.com")
    org.create("Contact", LastName="New", Email="ANN@example.com")
    bob = org.create("Contact", LastName="Bob", Email="bob@example.com")
    _setup_done(org)
    before = org.sim.stats()["records"]
    async with SalesforceConnector(org.connection()) as connector:
        found = await connector.find(
            "contacts", "Email", ["Ann@Example.com", "ann@example.com", "BOB@example.COM", "x@y.z"]
        )
        [upserted] = await connector.upsert(
            "contacts", [{"Email": "aNN@example.com", "LastName": "Old"}], "Email"
        )
    assert found == {"Ann@Example.com": oldest, "ann@example.com": oldest, "BOB@example.COM": bob}
    assert (upserted.outcome, upserted.vendor_id) == (Outcome.UPDATED, oldest)  # as upsert
    assert _writes(org) == ["PATCH /services/data/v66.0/composite/sobjects"]  # the upsert's
    assert org.sim.stats()["records"] == before


async def test_find_asks_one_query_per_chunk_of_values(org: Org) -> None:
    made = {
        n: org.create("Lead", LastName=f"L{n}", Company="C", Email=f"l{n}@x.io") for n in (0, 150)
    }
    _setup_done(org)
    values = [f"L{n}@X.io" for n in range(200)]
    async with SalesforceConnector(org.connection()) as connector:
        found = await connector.find("leads", "Email", values)
    assert found == {"L0@X.io": made[0], "L150@X.io": made[150]}
    assert len(org.sim.calls_to("/query")) == 2  # 100 values a query
    assert _writes(org) == []


async def test_find_by_an_external_id_and_by_name(org: Org) -> None:
    contact = org.create("Contact", LastName="Ext", Cardfile_Id__c="p-1")
    acme = org.create("Account", Name="Acme Inc")
    _setup_done(org)
    async with SalesforceConnector(org.connection()) as connector:
        by_external = await connector.find("contacts", "Cardfile_Id__c", ["P-1", "p-2", ""])
        by_name = await connector.find("companies", "Name", ["acme inc", "Other"])
    assert by_external == {"P-1": contact}
    assert by_name == {"acme inc": acme}
    assert _writes(org) == []


async def test_find_by_id_answers_which_ids_exist(org: Org) -> None:
    ann = org.create("Contact", LastName="Ann")
    gone = org.create("Contact", LastName="Gone")
    account = org.create("Account", Name="Acme")
    org.api("DELETE", "/composite/sobjects", params={"ids": gone})
    _setup_done(org)
    asked = [ann, ann[:15], gone, account, "junk", ann[:15].lower()]
    async with SalesforceConnector(org.connection()) as connector:
        found = await connector.find("contacts", "Id", asked)
    # 15-character ids are case-sensitive: the lower-cased one names no record.
    assert found == {ann: ann, ann[:15]: ann}
    assert _writes(org) == []


async def test_find_refuses_a_key_salesforce_cannot_match_on(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        with pytest.raises(Refused, match="Title"):
            await connector.find("contacts", "Title", ["CEO"])
        assert await connector.find("contacts", "Email", []) == {}


async def test_a_refused_query_fails_the_find(org: Org) -> None:
    org.control("faults", {"status": 400, "path": "/query"})
    async with SalesforceConnector(org.connection()) as connector:
        with pytest.raises(Refused, match="Bad request"):
            await connector.find("contacts", "Email", ["a@example.com"])
