"""``link`` against the Pipedrive simulator: a person's ``org_id`` set by ``PATCH
/api/v2/persons/{id}``, one request a link, missing records ``not_found``."""

from __future__ import annotations

from typing import Any

import pytest

from cardfile.connectors.base import Link, Outcome
from cardfile.connectors.errors import Action, ConnectionBroken
from cardfile.connectors.pipedrive import PipedriveConnector
from tests.connectors.pipedrive.conftest import Company, running
from tests.connectors.pipedrive.harness import Harness

pytestmark = pytest.mark.anyio


def _to(person: str, organization: str) -> Link:
    return Link("contacts", person, "companies", organization)


def _make(co: Company, kind: str, name: str) -> str:
    response = co.api("POST", f"/api/v2/{kind}", json={"name": name})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


def _org_of(co: Company, person: str) -> Any:
    response = co.api("GET", f"/api/v2/persons/{person}")
    assert response.status_code == 200, response.text
    return response.json()["data"].get("org_id")


async def test_a_person_is_linked_and_the_link_read_back(co: Company) -> None:
    person, org = _make(co, "persons", "Ann"), _make(co, "organizations", "Acme")
    async with PipedriveConnector(co.connection()) as connector:
        [result] = await connector.link([_to(person, org)])
    assert (result.outcome, result.vendor_id) == (Outcome.UPDATED, person)
    assert _org_of(co, person) == int(org)
    [call] = co.sim.calls_to(f"/api/v2/persons/{person}", "PATCH")
    assert call.status == 200


async def test_linking_twice_leaves_one_link_and_relinking_replaces_it(co: Company) -> None:
    person = _make(co, "persons", "Ann")
    acme, globex = _make(co, "organizations", "Acme"), _make(co, "organizations", "Globex")
    async with PipedriveConnector(co.connection()) as connector:
        first = await connector.link([_to(person, acme)])
        again = await connector.link([_to(person, acme)])
        assert _org_of(co, person) == int(acme)
        moved = await connector.link([_to(person, globex)])
    assert [r.outcome for r in [*first, *again, *moved]] == [Outcome.UPDATED] * 3
    assert _org_of(co, person) == int(globex)


async def test_links_of_one_person_in_a_call_are_made_in_order(co: Company) -> None:
    person = _make(co, "persons", "Ann")
    orgs = [_make(co, "organizations", f"Org {n}") for n in range(5)]
    async with PipedriveConnector(co.connection()) as connector:
        results = await connector.link([_to(person, org) for org in orgs])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 5
    assert _org_of(co, person) == int(orgs[-1])


async def test_missing_records_and_targets_fail_alone_as_not_found(co: Company) -> None:
    person, other = _make(co, "persons", "Ann"), _make(co, "persons", "Bo")
    org, gone_org = _make(co, "organizations", "Acme"), _make(co, "organizations", "Gone")
    gone_person = _make(co, "persons", "Gone")
    co.api("DELETE", f"/api/v2/organizations/{gone_org}")
    co.api("DELETE", f"/api/v2/persons/{gone_person}")
    links = [
        _to(person, gone_org),
        _to(gone_person, org),
        _to("ann@example.com", org),
        _to(other, org),
    ]
    async with PipedriveConnector(co.connection()) as connector:
        results = await connector.link(links)
    assert [r.outcome for r in results] == [Outcome.FAILED] * 3 + [Outcome.UPDATED]
    errors = [r.error for r in results[:3]]
    assert all(e is not None and e.code == "not_found" for e in errors)
    assert all(e is not None and e.action is Action.REFUSE for e in errors)
    assert errors[0] is not None and errors[0].status == 400
    assert errors[0].message == f"Organization with id {gone_org} does not exist"
    assert errors[1] is not None and (errors[1].status, errors[1].message) == (
        404,
        "Person not found",
    )
    assert errors[2] is not None and "not the id of a Pipedrive person" in errors[2].message
    assert _org_of(co, person) is None
    assert _org_of(co, other) == int(org)
    assert len(co.sim.calls_to("/api/v2/persons/", "PATCH")) == 3  # the bad id was not sent


async def test_pairs_pipedrive_cannot_link_fail_alone(co: Company) -> None:
    person, org = _make(co, "persons", "Ann"), _make(co, "organizations", "Acme")
    links = [Link("deals", "1", "companies", org), _to(person, org)]
    async with PipedriveConnector(co.connection()) as connector:
        caps = connector.capabilities
        assert (caps.people, caps.companies, caps.links) == (
            "contacts",
            "companies",
            {"contacts": ("companies",)},
        )
        refused, linked = await connector.link(links)
    assert refused.error is not None and "links contacts to companies" in refused.error.message
    assert linked.outcome is Outcome.UPDATED


async def test_every_link_is_a_request_of_its_own(co: Company) -> None:
    org = _make(co, "organizations", "Acme")
    persons = [_make(co, "persons", f"P{n}") for n in range(12)]
    async with PipedriveConnector(co.connection()) as connector:
        results = await connector.link([_to(p, org) for p in persons])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 12
    patched = [c for c in co.sim.calls_to("/api/v2/persons/", "PATCH") if c.status == 200]
    assert sorted(c.path for c in patched) == sorted(f"/api/v2/persons/{p}" for p in persons)
    assert {p.get("org_id") for p in co.persons()} == {int(org)}


async def test_a_rate_limit_and_a_server_error_are_waited_out(co: Company) -> None:
    person, org = _make(co, "persons", "Ann"), _make(co, "organizations", "Acme")
    headers = {"x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"}
    co.control("faults", {"status": 429, "path": "/api/v2/persons/", "headers": headers})
    co.control("faults", {"status": 502, "path": "/api/v2/persons/", "method": "PATCH"})
    async with PipedriveConnector(co.connection()) as connector:
        [result] = await connector.link([_to(person, org)])
        assert connector.client.stats.rate_limited == 1
        assert connector.client.stats.retried >= 1
    assert result.outcome is Outcome.UPDATED
    assert _org_of(co, person) == int(org)


async def test_a_spent_daily_budget_fails_the_link_for_a_later_run() -> None:
    with running(daily_tokens=10) as co:
        person, org = _make(co, "persons", "Ann"), _make(co, "organizations", "Acme")
        async with PipedriveConnector(co.connection()) as connector:
            [result] = await connector.link([_to(person, org)])  # 5 more tokens: over
    assert result.error is not None and result.error.action is Action.RETRY
    assert result.error.message == "Daily API token budget exceeded"


async def test_a_refused_token_breaks_the_call(co: Company) -> None:
    person, org = _make(co, "persons", "Ann"), _make(co, "organizations", "Acme")
    async with PipedriveConnector(co.connection(token="nope")) as connector:
        with pytest.raises(ConnectionBroken):
            await connector.link([_to(person, org)])


async def test_the_harness_reads_links_back_through_the_persons_api(co: Company) -> None:
    harness = Harness(co.url)
    (entity, key, person), (target, target_key, company) = harness.link_records(1)
    async with PipedriveConnector(co.connection()) as connector:
        [made] = await connector.upsert(entity, [person], key)
        [firm] = await connector.upsert(target, [company], target_key)
        assert harness.linked(entity, str(made.vendor_id), target) == []
        await connector.link([Link(entity, str(made.vendor_id), target, str(firm.vendor_id))])
    assert harness.linked(entity, str(made.vendor_id), target) == [firm.vendor_id]
    assert harness.link_records(2) != harness.link_records(1)
