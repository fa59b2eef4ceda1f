"""``find`` and ``remove`` of the Attio connector against the simulator, over loopback."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from openapi_core.testing import MockRequest

from cardfile.connectors.attio import AttioConnector
from cardfile.connectors.attio.query import folded, held, is_record_id, key_query
from cardfile.connectors.base import Outcome, RecordResult
from cardfile.connectors.errors import Action, ConnectionBroken, Refused
from tests.connectors.attio.conftest import Workspace, running
from tests.simulators import attio_openapi

pytestmark = pytest.mark.anyio

GHOST = "891dcbfc-9141-415d-9b2a-2238a6cc012d"  # a record id no record has
READS = {"GET", "POST /query"}


def _ids(results: list[RecordResult]) -> list[str | None]:
    return [r.vendor_id for r in results]


def _record_ids(ws: Workspace, entity: str) -> list[str]:
    return [str(r["record_id"][0]["value"]) for r in ws.sim.records(entity)]


def _kinds(ws: Workspace) -> set[str]:
    """What the connector's requests were: a GET, a query (a POST Attio counts as a read), or
    the method of anything else."""
    return {
        "POST /query" if c.method == "POST" and c.path.endswith("/query") else c.method
        for c in ws.sim.calls
    }


async def _upserted(
    ws: Workspace, entity: str, records: list[dict[str, Any]], key: str
) -> list[str]:
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert(entity, records, key)
    assert all(r.outcome is Outcome.CREATED for r in results), results
    return [str(r.vendor_id) for r in results]


def _custom_text_attribute(ws: Workspace, slug: str, *, unique: bool) -> None:
    made = ws.api(
        "POST",
        "/v2/objects/companies/attributes",
        json={
            "data": {
                "title": slug.replace("_", " ").title(),
                "description": None,
                "api_slug": slug,
                "type": "text",
                "is_required": False,
                "is_unique": unique,
                "is_multiselect": False,
                "config": {},
            }
        },
    )
    assert made.status_code in (200, 409), made.text  # 409: made by an earlier test


# find


async def test_find_matches_emails_without_case_and_leaves_out_absent_ones(
    ws: Workspace,
) -> None:
    ada, bob = await _upserted(
        ws,
        "people",
        [
            {"email_addresses": ["ada@example.com", "countess@example.com"]},
            {"email_addresses": ["bob@example.com"]},
        ],
        "email_addresses",
    )
    ws.sim.calls.clear()
    before = ws.stats()["records"]
    asked = ["ADA@Example.com", "Countess@example.COM", " bob@example.com", "nobody@example.com"]
    async with AttioConnector(ws.connection()) as connector:
        found = await connector.find("people", "email_addresses", asked)
    assert found == {"ADA@Example.com": ada, "Countess@example.COM": ada, " bob@example.com": bob}
    assert ws.stats()["records"] == before
    assert _kinds(ws) <= READS, ws.sim.calls
    assert ws.stats()["deleted"]["people"] == 0


async def test_find_matches_what_upsert_matches(ws: Workspace) -> None:
    (acme,) = await _upserted(ws, "companies", [{"domains": ["acme.com"]}], "domains")
    async with AttioConnector(ws.connection()) as connector:
        found = await connector.find("companies", "domains", ["ACME.com"])
        again = await connector.upsert("companies", [{"domains": ["ACME.com"]}], "domains")
    assert found == {"ACME.com": acme}
    # The same record (whether Attio's answer reads as created or updated so soon after the
    # record's creation is upsert's own inference).
    assert again[0].vendor_id == acme
    assert _record_ids(ws, "companies") == [acme]


async def test_find_compares_text_keys_exactly_as_attio_does(ws: Workspace) -> None:
    _custom_text_attribute(ws, "cardfile_key", unique=True)
    (made,) = await _upserted(ws, "companies", [{"cardfile_key": "K-1"}], "cardfile_key")
    async with AttioConnector(ws.connection()) as connector:
        found = await connector.find("companies", "cardfile_key", ["K-1", "k-1", "K-2"])
    assert found == {"K-1": made}


async def test_find_names_the_oldest_holder_of_a_value(ws: Workspace) -> None:
    # Attio keeps one holder per unique value, but records written before the attribute was
    # made unique may share one; the assert would then refuse, and find names the oldest.
    _custom_text_attribute(ws, "legacy_key", unique=False)
    path = "/v2/objects/companies/records"
    made = [
        ws.api("POST", path, json={"data": {"values": {"legacy_key": "L-1"}}}) for _ in range(2)
    ]
    first, second = (str(m.json()["data"]["id"]["record_id"]) for m in made)
    store = ws.sim.stores["companies"]
    store.records[second].created_at = store.records[first].created_at - 60  # older, listed last
    store.object.attributes["legacy_key"].is_unique = True
    try:
        async with AttioConnector(ws.connection()) as connector:
            found = await connector.find("companies", "legacy_key", ["L-1"])
    finally:
        store.object.attributes["legacy_key"].is_unique = False
    assert found == {"L-1": second}


async def test_find_by_record_id_names_the_ids_that_exist(ws: Workspace) -> None:
    one, two = await _upserted(
        ws, "companies", [{"domains": ["a.com"]}, {"domains": ["b.com"]}], "domains"
    )
    ws.sim.calls.clear()
    async with AttioConnector(ws.connection()) as connector:
        found = await connector.find("companies", "record_id", [two, GHOST, one.upper(), "nope"])
    assert found == {two: two, one.upper(): one}
    queries = ws.sim.calls_to("/records/query", "POST")
    assert len(queries) == 1  # "nope" cannot be an id: it is not asked about
    assert _kinds(ws) <= READS


async def test_find_pages_through_many_values(ws: Workspace) -> None:
    emails = [f"p{n}@example.com" for n in range(120)]
    ids = await _upserted(
        ws, "people", [{"email_addresses": [e]} for e in emails], "email_addresses"
    )
    async with AttioConnector(ws.connection()) as connector:
        found = await connector.find("people", "email_addresses", [e.upper() for e in emails])
    assert found == {e.upper(): i for e, i in zip(emails, ids, strict=True)}
    assert len(ws.sim.calls_to("/records/query", "POST")) == 3  # 50 values a query


async def test_find_refuses_a_key_that_is_not_unique_and_a_missing_object() -> None:
    with running(activated={"people", "companies"}) as ws:
        async with AttioConnector(ws.connection()) as connector:
            with pytest.raises(Refused, match="not a unique, writable attribute"):
                await connector.find("companies", "name", ["Acme"])
            with pytest.raises(ConnectionBroken, match="not activated"):
                await connector.find("users", "user_id", ["u-1"])
        assert ws.sim.calls_to("/records/query") == []


async def test_find_of_nothing_asks_nothing(ws: Workspace) -> None:
    async with AttioConnector(ws.connection()) as connector:
        assert await connector.find("people", "email_addresses", ["", "  "]) == {}
    assert ws.sim.calls_to("/records/query") == []


# remove


async def test_remove_deletes_records_and_counts_a_gone_one_as_removed(ws: Workspace) -> None:
    one, two, kept = await _upserted(
        ws,
        "companies",
        [{"domains": ["one.com"]}, {"domains": ["two.com"]}, {"domains": ["kept.com"]}],
        "domains",
    )
    async with AttioConnector(ws.connection()) as connector:
        removed = await connector.remove("companies", [two, GHOST, one])
        again = await connector.remove("companies", [one])
    assert [r.outcome for r in removed] == [Outcome.REMOVED] * 3
    assert _ids(removed) == [two, GHOST, one]
    assert (again[0].outcome, again[0].vendor_id) == (Outcome.REMOVED, one)
    assert _record_ids(ws, "companies") == [kept]
    assert ws.stats()["deleted"]["companies"] == 2
    statuses = sorted(c.status for c in ws.sim.calls_to("/v2/objects/companies/records/", "DELETE"))
    assert statuses == [200, 200, 404, 404]


async def test_a_refused_delete_fails_with_attios_message_and_the_rest_go(ws: Workspace) -> None:
    kept, gone = await _upserted(
        ws, "companies", [{"domains": ["keep.com"]}, {"domains": ["go.com"]}], "domains"
    )
    ws.control("refusals", {"field": "domains", "value": "keep.com", "message": "Record is locked"})
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.remove("companies", [kept, gone])
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.REMOVED]
    error = results[0].error
    assert error is not None
    assert (error.message, error.status, error.code) == ("Record is locked", 400, "validation_type")
    assert error.action is Action.REFUSE
    assert _record_ids(ws, "companies") == [kept]


async def test_remove_retries_a_passing_fault_and_deletes_once(ws: Workspace) -> None:
    (record,) = await _upserted(
        ws, "people", [{"email_addresses": ["r@example.com"]}], "email_addresses"
    )
    ws.control("faults", {"status": 503, "times": 1, "method": "DELETE", "path": record})
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.remove("people", [record])
    assert (results[0].outcome, results[0].vendor_id) == (Outcome.REMOVED, record)
    assert [c.status for c in ws.sim.calls_to(record, "DELETE")] == [200]
    assert ws.stats()["records"]["people"] == 0


async def test_remove_fails_each_record_of_an_object_not_activated() -> None:
    with running(activated={"people", "companies"}) as ws:
        async with AttioConnector(ws.connection()) as connector:
            results = await connector.remove("deals", [GHOST, GHOST])
            assert await connector.remove("deals", []) == []
        assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED]
        error = results[0].error
        assert error is not None and error.action is Action.BROKEN
        assert "'deals' object is not activated" in error.message
        assert [c for c in ws.sim.calls if c.method == "DELETE"] == []
        assert ws.sim.calls_to("/v2/objects/deals") == []


async def test_removing_a_record_takes_its_list_entries_with_it(ws: Workspace) -> None:
    list_id = ws.new_list()
    (record,) = await _upserted(ws, "companies", [{"domains": ["listed.com"]}], "domains")
    async with AttioConnector(ws.connection()) as connector:
        await connector.update_list(list_id, [record], [])
        assert ws.entries(list_id) == [record]
        results = await connector.remove("companies", [record])
    assert results[0].outcome is Outcome.REMOVED
    assert ws.entries(list_id) == []


async def test_a_refused_token_breaks_the_remove(ws: Workspace) -> None:
    (record,) = await _upserted(ws, "companies", [{"domains": ["t.com"]}], "domains")
    async with AttioConnector(ws.connection(token="wrong-token")) as connector:
        with pytest.raises(ConnectionBroken) as raised:
            await connector.remove("companies", [record])
    assert raised.value.status == 401
    assert _record_ids(ws, "companies") == [record]


# The query's pieces


def test_values_fold_as_attio_compares_them() -> None:
    assert folded(" Ada@Example.COM ", caseless=True) == "ada@example.com"
    assert folded("K-1", caseless=False) == "K-1"
    assert folded({"domain": "Acme.com"}, caseless=True) == "acme.com"
    assert folded({"value": 5.0}, caseless=False) == "5"
    assert is_record_id(GHOST) and is_record_id(GHOST.upper())
    assert not is_record_id("nope") and not is_record_id(GHOST + "0")


def test_the_query_asks_for_the_oldest_holders_first() -> None:
    body = key_query("email_addresses", ["a@x.com", "b@x.com"], offset=500)
    assert body == {
        "filter": {"$or": [{"email_addresses": "a@x.com"}, {"email_addresses": "b@x.com"}]},
        "sorts": [{"attribute": "created_at", "direction": "asc"}],
        "limit": 500,
        "offset": 500,
    }
    assert key_query("record_id", [GHOST], offset=0)["filter"] == {"record_id": {"$in": [GHOST]}}


def test_held_reads_the_key_values_of_an_answered_record() -> None:
    record = {
        "id": {"record_id": GHOST},
        "values": {"email_addresses": [{"email_address": "A@x.com"}, {"email_address": ""}]},
    }
    assert held(record, "email_addresses", caseless=True) == ["a@x.com"]
    assert held(record, "record_id", caseless=True) == [GHOST]
    assert held(record, "domains", caseless=True) == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v2/objects/people/records/query", key_query("email_addresses", ["a@x.com"], 0)),
        ("post", "/v2/objects/deals/records/query", key_query("record_id", [GHOST], 500)),
        ("delete", f"/v2/objects/companies/records/{GHOST}", None),
    ],
)
def test_the_requests_are_ones_attios_description_has(
    method: str, path: str, body: dict[str, Any] | None
) -> None:
    data = json.dumps(body) if body is not None else None
    request = MockRequest(attio_openapi.HOST, method, path, data=data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        attio_openapi.spec().validate_request(request)
