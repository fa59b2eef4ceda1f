"""``find`` and ``remove`` against the simulator: the same exact, case-blind search as
``upsert`` without a write, ids looked up in one list request, and deletes one record a
request where a 404 means the record is gone already."""

from __future__ import annotations

from typing import Any

import pytest
from simulators.pipedrive.schema import field_hash

from cardfile.connectors.base import Outcome
from cardfile.connectors.errors import Action, ConnectionBroken, Refused
from cardfile.connectors.pipedrive import PipedriveConnector
from cardfile.connectors.registry import connect
from tests.connectors.pipedrive.conftest import Company, running

pytestmark = pytest.mark.anyio

PERSON_CARDFILE_ID = field_hash("persons", "Cardfile id")
WRITES = ("POST", "PATCH", "DELETE")


def _connector(co: Company) -> PipedriveConnector:
    connector = connect(co.connection())
    assert isinstance(connector, PipedriveConnector)
    return connector


def _made(co: Company, kind: str, body: dict[str, Any]) -> str:
    response = co.api("POST", f"/api/v2/{kind}", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


def _person(co: Company, name: str, email: str, **extra: Any) -> str:
    return _made(co, "persons", {"name": name, "emails": [{"value": email}], **extra})


def _writes(co: Company) -> list[str]:
    return [f"{c.method} {c.path}" for c in co.sim.calls if c.method in WRITES]


# find


async def test_find_answers_the_oldest_holder_of_each_email_without_case_and_writes_nothing(
    co: Company,
) -> None:
    ann = _person(co, "Ann", "ann@acme.com")
    bob = _person(co, "Bob", "Bob@Acme.com")
    _person(co, "Ann again", "ANN@acme.com")  # a younger holder of the same email
    _made(co, "persons", {"name": "Notes only", "notes": "carol@acme.com"})
    co.sim.calls.clear()
    async with _connector(co) as connector:
        found = await connector.find(
            "contacts", "emails", ["Ann@ACME.com", "bob@acme.com", "carol@acme.com", "", "x@y.z"]
        )
    assert found == {"Ann@ACME.com": ann, "bob@acme.com": bob}
    assert _writes(co) == []
    assert co.sim.stats()["records"]["contacts"] == 4
    assert len(co.sim.calls_to("/api/v2/persons/search", "GET")) == 4


async def test_values_differing_only_in_case_are_searched_once_and_each_answered(
    co: Company,
) -> None:
    ann = _person(co, "Ann", "ann@acme.com")
    co.sim.calls.clear()
    async with _connector(co) as connector:
        found = await connector.find("contacts", "email", ["ann@acme.com", " ANN@acme.com "])
    assert found == {"ann@acme.com": ann, " ANN@acme.com ": ann}
    assert len(co.sim.calls_to("/api/v2/persons/search")) == 1


async def test_find_chooses_the_record_upsert_updates(co: Company) -> None:
    _made(co, "organizations", {"name": "Acme Inc"})
    _made(co, "organizations", {"name": "ACME INC"})
    _made(co, "organizations", {"name": "Other", "address": {"value": "Acme Inc"}})
    async with _connector(co) as connector:
        found = await connector.find("companies", "name", ["acme inc", "Nobody Ltd"])
        written = await connector.upsert("companies", [{"name": "acme inc"}], "name")
    assert written[0].outcome is Outcome.UPDATED
    assert found == {"acme inc": written[0].vendor_id}
    assert found["acme inc"] == "1"


async def test_find_by_a_custom_field_as_upsert_matches_on_it(co: Company) -> None:
    held = _made(co, "persons", {"name": "C", "custom_fields": {PERSON_CARDFILE_ID: "c-7"}})
    async with _connector(co) as connector:
        found = await connector.find("contacts", "Cardfile id", ["C-7", "c-8"])
    assert found == {"C-7": held}
    assert _writes(co) == ["POST /api/v2/persons"]


async def test_find_by_id_answers_the_ids_that_name_records_in_one_request(co: Company) -> None:
    first = _person(co, "A", "a@acme.com")
    second = _person(co, "B", "b@acme.com")
    co.api("DELETE", f"/api/v2/persons/{second}")
    co.sim.calls.clear()
    async with _connector(co) as connector:
        found = await connector.find("contacts", "id", [first, second, "999", "abc", first])
    assert found == {first: first}
    assert [c.method for c in co.sim.calls] == ["GET"]
    assert co.sim.calls[0].path == "/api/v2/persons"


async def test_find_refuses_a_key_pipedrive_cannot_search(co: Company) -> None:
    async with _connector(co) as connector:
        with pytest.raises(Refused, match="cannot search contacts by 'job_title'"):
            await connector.find("contacts", "job_title", ["CEO"])
        with pytest.raises(Refused, match="does not write deals"):
            await connector.find("deals", "id", ["1"])


# remove


async def test_remove_deletes_records_and_an_already_gone_id_counts_as_removed(
    co: Company,
) -> None:
    ann = _person(co, "Ann", "ann@acme.com")
    bob = _person(co, "Bob", "bob@acme.com")
    kept = _person(co, "Kept", "kept@acme.com")
    org = _made(co, "organizations", {"name": "Acme"})
    async with _connector(co) as connector:
        people = await connector.remove("contacts", [bob, "999", ann, bob])
        orgs = await connector.remove("companies", [org])
    assert [(r.outcome, r.vendor_id) for r in people] == [
        (Outcome.REMOVED, bob),
        (Outcome.REMOVED, "999"),
        (Outcome.REMOVED, ann),
        (Outcome.REMOVED, bob),
    ]
    assert orgs[0].outcome is Outcome.REMOVED
    assert [p["id"] for p in co.persons()] == [int(kept)]
    assert co.sim.stats()["records"] == {"contacts": 1, "companies": 0}
    assert co.sim.stats()["deleted"] == {"contacts": 2, "companies": 1}
    assert len(co.sim.calls_to(f"/api/v2/persons/{bob}", "DELETE")) == 1


async def test_a_refused_delete_fails_with_pipedrives_words(co: Company) -> None:
    locked = _person(co, "Locked", "locked@acme.com")
    free = _person(co, "Free", "free@acme.com")
    co.control(
        "refusals",
        {"field": "emails", "value": "locked@acme.com", "message": "Person is protected"},
    )
    async with _connector(co) as connector:
        results = await connector.remove("contacts", [locked, free, "not-an-id"])
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.REMOVED, Outcome.FAILED]
    assert results[0].error is not None
    assert results[0].error.message == "Person is protected"
    assert results[0].error.status == 400
    assert results[2].error is not None
    assert results[2].error.message == "'not-an-id' is not a Pipedrive record id"
    assert [p["id"] for p in co.persons()] == [int(locked)]
    assert co.sim.calls_to("not-an-id") == []


async def test_a_delete_whose_answer_was_lost_is_removed_when_sent_again(co: Company) -> None:
    ann = _person(co, "Ann", "ann@acme.com")
    co.control("lost_answers", {"times": 1})
    async with _connector(co) as connector:
        results = await connector.remove("contacts", [ann])
    assert results[0].outcome is Outcome.REMOVED
    assert [c.status for c in co.sim.calls_to(f"/api/v2/persons/{ann}", "DELETE")] == [502, 404]
    assert co.sim.stats()["deleted"]["contacts"] == 1


async def test_a_removed_records_key_is_searched_for_again_not_patched(co: Company) -> None:
    record = {"name": "Ann", "emails": "ann@acme.com"}
    async with _connector(co) as connector:
        first = await connector.upsert("contacts", [record], "emails")
        removed = await connector.remove("contacts", [str(first[0].vendor_id)])
        again = await connector.upsert("contacts", [record], "emails")
    assert removed[0].outcome is Outcome.REMOVED
    assert again[0].outcome is Outcome.CREATED
    assert co.sim.calls_to("/api/v2/persons", "PATCH") == []
    assert co.sim.stats()["records"]["contacts"] == 1


async def test_a_delete_over_the_days_budget_fails_for_a_later_run() -> None:
    with running(daily_tokens=13) as company:  # two creates (5 each), one delete (3)
        first = _person(company, "Ann", "ann@acme.com")
        second = _person(company, "Bob", "bob@acme.com")
        async with _connector(company) as connector:
            results = await connector.remove("contacts", [first, second])
    assert sorted(r.outcome for r in results) == [Outcome.FAILED, Outcome.REMOVED]
    failed = next(r for r in results if r.outcome is Outcome.FAILED)
    assert failed.error is not None and failed.error.action is Action.RETRY
    assert failed.error.message == "Daily API token budget exceeded"
    assert company.sim.stats()["records"]["contacts"] == 1


async def test_a_refused_token_ends_the_call(co: Company) -> None:
    ann = _person(co, "Ann", "ann@acme.com")
    co.control("faults", {"status": 403, "times": 1, "path": f"/api/v2/persons/{ann}"})
    async with _connector(co) as connector:
        with pytest.raises(ConnectionBroken):
            await connector.remove("contacts", [ann])
    assert co.sim.stats()["records"]["contacts"] == 1


async def test_remove_refuses_deals_without_a_request(co: Company) -> None:
    async with _connector(co) as connector:
        results = await connector.remove("deals", ["1"])
    assert results[0].outcome is Outcome.FAILED
    assert co.sim.calls_to("/api/v2/deals") == []
