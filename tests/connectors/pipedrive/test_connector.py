"""The Pipedrive connector against the simulator: entity mapping, search-then-write, custom
fields by hash or name, labels as lists, check and identity."""

from __future__ import annotations

from typing import Any

import pytest
from simulators.pipedrive.schema import field_hash

from cardfile.connectors.base import Connection, Identity, Outcome
from cardfile.connectors.errors import ConnectionBroken
from cardfile.connectors.pipedrive import PipedriveConnector
from cardfile.connectors.registry import connect
from tests.connectors.pipedrive.conftest import Company

pytestmark = pytest.mark.anyio

LEAD_SOURCE = field_hash("persons", "Lead source")
INTERESTS = field_hash("persons", "Interests")
PERSON_CARDFILE_ID = field_hash("persons", "Cardfile id")
TIER = field_hash("organizations", "Tier")


def _connector(co: Company, **changes: object) -> PipedriveConnector:
    connector = connect(co.connection(**changes))
    assert isinstance(connector, PipedriveConnector)
    return connector


async def test_check_names_the_company_and_a_bad_token_in_pipedrives_words(co: Company) -> None:
    async with _connector(co) as connector:
        health = await connector.check()
    async with _connector(co, token="wrong-token-123") as connector:
        refused = await connector.check()
    assert health.healthy
    assert (
        health.message
        == "Pipedrive company Cardfile Simulated Company (cardfile-sim.pipedrive.com)"
    )
    assert health.account == "7001"
    assert not refused.healthy
    assert refused.message == "unauthorized access"


async def test_contacts_are_persons_and_companies_are_organizations(co: Company) -> None:
    async with _connector(co) as connector:
        people = await connector.upsert(
            "contacts", [{"name": "Ann", "emails": "ann@acme.com"}], "emails"
        )
        orgs = await connector.upsert(
            "companies", [{"name": "Acme", "website": "acme.com"}], "name"
        )
    assert [r.outcome for r in people + orgs] == [Outcome.CREATED, Outcome.CREATED]
    assert co.sim.stats()["records"] == {"contacts": 1, "companies": 1}
    stored = co.sim.stores["persons"].records[int(people[0].vendor_id or 0)]
    assert stored.values["emails"] == [{"value": "ann@acme.com", "primary": True, "label": "work"}]


async def test_a_resend_from_a_new_connection_finds_the_record_by_search(co: Company) -> None:
    records = [{"name": f"P{n}", "emails": [f"P{n}@Acme.com"]} for n in range(3)]
    async with _connector(co) as connector:
        first = await connector.upsert("contacts", records, "emails")
    lower = [{"name": f"P{n}", "emails": [f"p{n}@acme.com"]} for n in range(3)]
    async with _connector(co) as connector:  # nothing remembered: each record is searched
        again = await connector.upsert("contacts", lower, "emails")
    assert [r.outcome for r in again] == [Outcome.UPDATED] * 3
    assert [r.vendor_id for r in again] == [r.vendor_id for r in first]
    assert len(co.sim.calls_to("/api/v2/persons/search")) == 6
    assert co.sim.stats()["records"]["contacts"] == 3


async def test_the_oldest_of_several_holders_of_a_key_is_updated(co: Company) -> None:
    for name in ("Older", "Newer"):
        body = {"name": name, "emails": [{"value": "dup@acme.com"}]}
        assert co.api("POST", "/api/v2/persons", json=body).status_code == 200
    co.api("POST", "/api/v2/persons", json={"name": "Dup", "notes": "dup@acme.com"})
    async with _connector(co) as connector:
        results = await connector.upsert(
            "contacts", [{"name": "Merged", "emails": "dup@acme.com"}], "emails"
        )
    assert results[0].outcome is Outcome.UPDATED
    assert results[0].vendor_id == "1"
    assert co.sim.stores["persons"].records[1].values["name"] == "Merged"


async def test_records_sharing_a_key_in_one_call_are_written_once(co: Company) -> None:
    records: list[dict[str, Any]] = [
        {"name": "First", "emails": "same@acme.com", LEAD_SOURCE: "Inbound"},
        {"name": "Second", "emails": "SAME@acme.com", INTERESTS: ["Pricing"]},
    ]
    async with _connector(co) as connector:
        results = await connector.upsert("contacts", records, "emails")
    assert results[0] == results[1]
    assert results[0].outcome is Outcome.CREATED
    stored = co.sim.stores["persons"].records[int(results[0].vendor_id or 0)]
    assert stored.values["name"] == "Second"
    assert stored.custom[LEAD_SOURCE] == 11
    assert stored.custom[INTERESTS] == [21]


async def test_a_record_deleted_since_it_was_written_is_looked_for_again(co: Company) -> None:
    async with _connector(co) as connector:
        first = await connector.upsert(
            "contacts", [{"name": "A", "emails": "a@acme.com"}], "emails"
        )
        co.api("DELETE", f"/api/v2/persons/{first[0].vendor_id}")
        again = await connector.upsert(
            "contacts", [{"name": "A", "emails": "a@acme.com"}], "emails"
        )
    assert again[0].outcome is Outcome.CREATED
    assert again[0].vendor_id != first[0].vendor_id
    assert co.sim.stats()["records"]["contacts"] == 1


async def test_custom_fields_by_hash_or_by_name_with_option_labels(co: Company) -> None:
    records = [
        {
            "name": "By name",
            "emails": "n@acme.com",
            "Lead source": "referral",
            "custom_fields": {"Interests": ["Security", 21]},
        },
        {"name": "By hash", "emails": "h@acme.com", "custom_fields": {LEAD_SOURCE: 12}},
    ]
    async with _connector(co) as connector:
        results = await connector.upsert("contacts", records, "emails")
    assert [r.outcome for r in results] == [Outcome.CREATED] * 2
    by_name, by_hash = (co.sim.stores["persons"].records[int(r.vendor_id or 0)] for r in results)
    assert by_name.custom == {LEAD_SOURCE: 13, INTERESTS: [23, 21]}
    assert by_hash.custom == {LEAD_SOURCE: 12}


async def test_an_unknown_option_is_refused_in_pipedrives_words(co: Company) -> None:
    record = {"name": "X", "emails": "x@acme.com", "Lead source": "Carrier pigeon"}
    async with _connector(co) as connector:
        results = await connector.upsert("contacts", [record], "emails")
    assert results[0].outcome is Outcome.FAILED
    assert results[0].error is not None
    assert "option 'Carrier pigeon' does not exist" in results[0].error.message
    assert results[0].error.status == 400


async def test_matching_on_a_custom_text_field_by_its_name(co: Company) -> None:
    record = {"name": "Ann", "Cardfile id": "c-1"}
    async with _connector(co) as connector:
        first = await connector.upsert("contacts", [record], "Cardfile id")
    async with _connector(co) as connector:
        again = await connector.upsert(
            "contacts", [{**record, "name": "Ann B"}], PERSON_CARDFILE_ID
        )
    assert first[0].outcome is Outcome.CREATED
    assert again[0].outcome is Outcome.UPDATED
    assert again[0].vendor_id == first[0].vendor_id


async def test_a_custom_field_made_after_the_fields_were_read_is_found(co: Company) -> None:
    async with _connector(co) as connector:
        await connector.fields("companies")
        made = co.api(
            "POST",
            "/api/v2/organizationFields",
            json={"field_name": "External id", "field_type": "varchar"},
        ).json()["data"]["field_code"]
        results = await connector.upsert(
            "companies", [{"name": "A", "External id": "x-1"}], "External id"
        )
    assert results[0].outcome is Outcome.CREATED
    assert co.sim.stores["organizations"].records[1].custom == {made: "x-1"}


async def test_companies_are_matched_on_their_exact_name(co: Company) -> None:
    async with _connector(co) as connector:
        made = await connector.upsert(
            "companies", [{"name": "Acme"}, {"name": "Acme Labs"}], "name"
        )
    async with _connector(co) as connector:
        again = await connector.upsert("companies", [{"name": "acme", TIER: "Gold"}], "name")
    assert again[0].outcome is Outcome.UPDATED
    assert again[0].vendor_id == made[0].vendor_id
    acme = co.sim.stores["organizations"].records[int(made[0].vendor_id or 0)]
    assert acme.custom[TIER] == 41


async def test_matching_on_id_updates_by_id_and_creates_the_rest(co: Company) -> None:
    made = co.api("POST", "/api/v2/organizations", json={"name": "Acme"}).json()["data"]["id"]
    records = [{"id": made, "name": "Acme Inc"}, {"name": "Fresh"}, {"id": 999, "name": "Ghost"}]
    async with _connector(co) as connector:
        results = await connector.upsert("companies", records, "id")
    assert [r.outcome for r in results] == [Outcome.UPDATED, Outcome.CREATED, Outcome.FAILED]
    assert results[2].error is not None
    assert results[2].error.message == "Organization not found"
    assert co.sim.calls_to("/search") == []


async def test_keys_pipedrive_cannot_search_are_refused_without_a_write(co: Company) -> None:
    async with _connector(co) as connector:
        unsearchable = await connector.upsert(
            "contacts", [{"name": "A", "job_title": "CTO"}], "job_title"
        )
        keyless = await connector.upsert("contacts", [{"name": "No email"}], "emails")
        deals = await connector.upsert("deals", [{"title": "Big"}], "id")
    assert unsearchable[0].error is not None
    assert "cannot match contacts on 'job_title'" in unsearchable[0].error.message
    assert keyless[0].error is not None
    assert keyless[0].error.message == "the record has no emails, its match key"
    assert deals[0].error is not None
    assert "does not write them" in deals[0].error.message
    assert co.sim.calls_to("/api/v2/persons", "POST") == []


async def test_a_refused_token_breaks_the_whole_call(co: Company) -> None:
    async with _connector(co, token="wrong-token-123") as connector:
        with pytest.raises(ConnectionBroken) as broken:
            await connector.upsert("contacts", [{"name": "A", "emails": "a@acme.com"}], "emails")
    assert broken.value.message == "unauthorized access"
    assert "wrong-token-123" not in str(broken.value)


async def test_a_list_is_a_label_added_and_removed_on_each_record(co: Company) -> None:
    label = co.api(
        "POST", "/api/v2/organizationFields/label_ids/options", json=[{"label": "Target"}]
    ).json()["data"][0]["id"]
    async with _connector(co) as connector:
        made = await connector.upsert(
            "companies", [{"name": "A"}, {"name": "B", "label_ids": [5]}], "name"
        )
        ids = [str(r.vendor_id) for r in made]
        added = await connector.update_list(f"companies:{label}", ids, [])
        writes_before = len(co.sim.calls_to("/api/v2/organizations/", "PATCH"))
        again = await connector.update_list(f"companies:{label}", ids, [])
        writes_after = len(co.sim.calls_to("/api/v2/organizations/", "PATCH"))
        removed = await connector.update_list(f"companies:{label}", [], [*ids[1:], "999"])
    assert all(r.ok and r.added for r in added)
    assert all(r.ok for r in again)
    assert writes_after == writes_before  # already labelled: read, not written
    assert [(r.record_id, r.ok) for r in removed] == [(ids[1], True), ("999", False)]
    assert removed[1].error is not None and removed[1].error.message == "Organization not found"
    labels = {
        i: co.sim.stores["organizations"].records[int(i)].values.get("label_ids") for i in ids
    }
    assert labels == {ids[0]: [label], ids[1]: [5]}


async def test_a_list_id_that_names_no_label_fails_every_id(co: Company) -> None:
    async with _connector(co) as connector:
        results = await connector.update_list("deals:3", ["1"], ["2"])
    assert [(r.added, r.ok) for r in results] == [(True, False), (False, False)]
    assert results[0].error is not None
    assert "contacts:<label id>" in results[0].error.message


def test_identity_reads_pipedrives_shapes() -> None:
    connector = connect(Connection(provider="pipedrive", token="t-123456"))
    contact = {"name": "Ann Lee", "emails": [{"value": " ann@acme.com ", "primary": True}]}
    assert connector.identity("contacts", contact) == Identity(email="ann@acme.com", name="Ann Lee")
    assert connector.identity("contacts", {"email": "bo@x.com"}) == Identity(email="bo@x.com")
    split = {"first_name": "Cy", "last_name": "Dee", "emails": "cy@x.com"}
    assert connector.identity("contacts", split) == Identity(email="cy@x.com", name="Cy Dee")
    company = {"name": "Acme", "website": "https://www.acme.com/about"}
    assert connector.identity("companies", company) == Identity(name="Acme", domain="acme.com")
    assert (
        connector.identity("companies", {"name": "Bare", "website": "bare.io"}).domain == "bare.io"
    )
