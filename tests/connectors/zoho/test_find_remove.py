"""``find`` and ``remove`` of the Zoho CRM connector against the simulator, over loopback."""

from __future__ import annotations

from typing import Any

import pytest

from cardfile.connectors.base import Outcome
from cardfile.connectors.errors import Action, Refused
from cardfile.connectors.zoho import ZohoConnector
from cardfile.connectors.zoho.search import criteria, oldest_first, record_id
from tests.connectors.zoho.conftest import Org

pytestmark = pytest.mark.anyio


def _person(n: int, **extra: Any) -> dict[str, Any]:
    return {"Email": f"person{n}@example.com", "Last_Name": f"Person {n}", **extra}


async def _ids(connector: ZohoConnector, *numbers: int, entity: str = "contacts") -> list[str]:
    results = await connector.upsert(entity, [_person(n) for n in numbers], "Email")
    assert all(r.outcome is Outcome.CREATED for r in results), results
    return [str(r.vendor_id) for r in results]


def _writes(org: Org) -> list[str]:
    return [f"{c.method} {c.path}" for c in org.sim.calls if c.method != "GET"]


# find


def test_the_capabilities_say_find_and_remove_work() -> None:
    caps = ZohoConnector.capabilities
    # No record-id key: Zoho's upsert matches on duplicate-check fields only.
    assert caps.finds and caps.removes and caps.record_id_key is None


async def test_find_names_the_records_holding_values_that_differ_in_case(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        first, second = await _ids(connector, 1, 2)
        org.sim.calls.clear()
        wanted = ["PERSON1@Example.com", " person2@example.com", "nobody@example.com"]
        found = await connector.find("contacts", "Email", wanted)
    assert found == {"PERSON1@Example.com": first, " person2@example.com": second}
    assert _writes(org) == []
    assert {c.path for c in org.sim.calls} == {"/crm/v8/Contacts/search"}
    assert org.sim.stats()["records"]["contacts"] == 2


async def test_find_answers_each_spelling_of_one_value(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        (only,) = await _ids(connector, 1)
        found = await connector.find("contacts", "Email", ["person1@example.com", "Person1@X"])
        again = await connector.find(
            "contacts", "Email", ["Person1@example.COM", "person1@example.com"]
        )
    assert found == {"person1@example.com": only}
    assert again == {"Person1@example.COM": only, "person1@example.com": only}


async def test_find_picks_the_oldest_record_as_the_upsert_does(org: Org) -> None:
    store = org.sim.store("Contacts")
    older = store.create({"Email": "twin@example.com", "Last_Name": "Older"})
    newer = store.create({"Email": "TWIN@example.com", "Last_Name": "Newer"})
    async with ZohoConnector(org.connection()) as connector:
        found = await connector.find("contacts", "Email", ["twin@example.com"])
        results = await connector.upsert(
            "contacts", [{"Email": "twin@example.com", "Title": "Updated"}], "Email"
        )
    assert found == {"twin@example.com": older.id} != {"twin@example.com": newer.id}
    assert results[0].vendor_id == older.id


async def test_find_sends_ten_values_to_a_search_and_reads_every_page(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        ids = await _ids(connector, *range(25))
        org.sim.calls.clear()
        found = await connector.find(
            "contacts", "Email", [f"person{n}@example.com" for n in range(25)]
        )
    assert found == {f"person{n}@example.com": ids[n] for n in range(25)}
    assert len(org.sim.calls_to("/search")) == 3


async def test_find_reads_every_page_of_a_search_for_the_oldest(org: Org) -> None:
    store = org.sim.store("Contacts")
    made = [store.create({"Last_Name": "Same", "Email": f"s{n}@example.com"}) for n in range(250)]
    async with ZohoConnector(org.connection()) as connector:
        found = await connector.find("contacts", "Last_Name", ["SAME"])
    assert found == {"SAME": made[0].id}
    assert len(org.sim.calls_to("/search")) == 2  # 200 records to a page


async def test_find_escapes_what_zohos_criteria_reserve(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        made = await connector.upsert(
            "companies", [{"Account_Name": "Smith, Jones (UK) \\ Co"}], "Account_Name"
        )
        found = await connector.find("companies", "Account_Name", ["smith, jones (uk) \\ co"])
    assert found == {"smith, jones (uk) \\ co": made[0].vendor_id}


async def test_find_by_id_says_which_ids_exist(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        (kept,) = await _ids(connector, 1)
        org.sim.calls.clear()
        found = await connector.find("contacts", "id", [kept, "6112000000999999", "not-an-id"])
    assert found == {kept: kept}
    assert [(c.method, c.path) for c in org.sim.calls] == [("GET", "/crm/v8/Contacts")]


async def test_find_on_a_field_the_module_lacks_is_refused(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        with pytest.raises(Refused, match="no field Nickname"):
            await connector.find("contacts", "Nickname", ["x"])
        assert await connector.find("contacts", "Email", []) == {}


# remove


async def test_remove_deletes_the_records_from_zoho(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        first, second, third = await _ids(connector, 1, 2, 3)
        results = await connector.remove("contacts", [third, first])
        left = await connector.find("contacts", "id", [first, second, third])
    assert [(r.outcome, r.vendor_id) for r in results] == [
        (Outcome.REMOVED, third),
        (Outcome.REMOVED, first),
    ]
    assert [r["id"] for r in org.sim.records("Contacts")] == [second]
    assert left == {second: second}
    assert org.sim.stats()["records"]["contacts"] == 1
    assert len(org.sim.calls_to("/crm/v8/Contacts", "DELETE")) == 1


async def test_an_id_already_gone_counts_as_removed(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        (only,) = await _ids(connector, 1)
        assert (await connector.remove("contacts", [only]))[0].outcome is Outcome.REMOVED
        again = await connector.remove("contacts", [only, "6112000000999999", "junk"])
    assert [(r.outcome, r.vendor_id) for r in again] == [
        (Outcome.REMOVED, only),
        (Outcome.REMOVED, "6112000000999999"),
        (Outcome.REMOVED, "junk"),
    ]


async def test_a_refused_deletion_fails_with_zohos_message(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        first, second = await _ids(connector, 1, 2)
        # Injected refusals hold for any request naming the record: set after its creation.
        org.control(
            "refusals",
            {"field": "Email", "value": "person2@example.com", "message": "record not deletable"},
        )
        results = await connector.remove("contacts", [first, second])
    assert results[0].outcome is Outcome.REMOVED
    refused = results[1]
    assert refused.outcome is Outcome.FAILED and refused.error is not None
    assert refused.error.message == "record not deletable"
    assert refused.error.code == "INVALID_DATA" and refused.error.action is Action.REFUSE
    assert [r["id"] for r in org.sim.records("Contacts")] == [second]


async def test_remove_sends_100_ids_to_a_request_and_keeps_input_order(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        ids = await _ids(connector, *range(150))
        results = await connector.remove("contacts", list(reversed(ids)))
    assert [r.vendor_id for r in results] == list(reversed(ids))
    assert {r.outcome for r in results} == {Outcome.REMOVED}
    assert len(org.sim.calls_to("/crm/v8/Contacts", "DELETE")) == 2
    assert org.sim.records("Contacts") == []


async def test_a_deleted_contact_leaves_its_campaigns(org: Org) -> None:
    campaign = org.campaign()
    async with ZohoConnector(org.connection()) as connector:
        (contact,) = await _ids(connector, 1)
        await connector.update_list(campaign, [contact], [])
        assert org.sim.stats()["members"] == 1
        await connector.remove("contacts", [contact])
    assert org.sim.stats()["members"] == 0


async def test_a_passing_fault_is_retried_and_a_refused_delete_fails_each_id(org: Org) -> None:
    async with ZohoConnector(org.connection()) as connector:
        first, second, third = await _ids(connector, 1, 2, 3)
        org.control("faults", {"status": 503, "path": "/crm/v8/Contacts", "method": "DELETE"})
        retried = await connector.remove("contacts", [first])
        org.control("faults", {"status": 400, "path": "/crm/v8/Contacts", "method": "DELETE"})
        refused = await connector.remove("contacts", [second, third])
    assert retried[0].outcome is Outcome.REMOVED
    assert [r.outcome for r in refused] == [Outcome.FAILED, Outcome.FAILED]
    assert all(r.error is not None and r.error.message == "invalid data" for r in refused)
    assert all(r.error is not None and r.error.action is Action.REFUSE for r in refused)
    assert [r["id"] for r in org.sim.records("Contacts")] == [second, third]


# The search helpers


def test_criteria_join_values_with_or_and_escape_reserved_characters() -> None:
    assert criteria("Email", ["a@x.com"]) == "(Email:equals:a@x.com)"
    assert criteria("Account_Name", ["A (B), C\\D", "E"]) == (
        "((Account_Name:equals:A \\(B\\)\\, C\\\\D)or(Account_Name:equals:E))"
    )


def test_the_oldest_record_comes_first_by_time_then_by_id() -> None:
    records = [
        {"id": "30", "Created_Time": "2025-01-02T00:00:00+00:00"},
        {"id": "20", "Created_Time": "2025-01-01T10:00:00+05:00"},
        {"id": "10", "Created_Time": "2025-01-01T10:00:00+05:00"},
        {"id": "5"},
    ]
    assert [r["id"] for r in oldest_first(records)] == ["10", "20", "30", "5"]
    assert record_id("6112000000200001") and not record_id("61a") and not record_id("")
