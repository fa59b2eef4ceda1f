"""``link`` of the Attio connector against the simulator, over loopback: links are read back
through Attio's record API, as a person would see them."""

from __future__ import annotations

import json
import time
import warnings
from email.utils import formatdate
from typing import Any

import pytest
from openapi_core.testing import MockRequest

from cardfile.connectors.attio import AttioConnector
from cardfile.connectors.attio.links import ATTRIBUTES
from cardfile.connectors.base import Link, Outcome, RecordResult
from cardfile.connectors.errors import Action, ConnectionBroken
from tests.connectors.attio.conftest import Workspace, running
from tests.simulators import attio_openapi

pytestmark = pytest.mark.anyio

GHOST = "891dcbfc-9141-415d-9b2a-2238a6cc012d"  # a record id no record has


async def _made(ws: Workspace, entity: str, key: str, *records: dict[str, Any]) -> list[str]:
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.upsert(entity, list(records), key)
    assert all(r.outcome is Outcome.CREATED for r in results), results
    return [str(r.vendor_id) for r in results]


async def _people(ws: Workspace, count: int) -> list[str]:
    people = [{"email_addresses": [f"p{n}@example.com"]} for n in range(count)]
    return await _made(ws, "people", "email_addresses", *people)


async def _companies(ws: Workspace, count: int) -> list[str]:
    companies = [{"domains": [f"c{n}.example.com"]} for n in range(count)]
    return await _made(ws, "companies", "domains", *companies)


def _linked(ws: Workspace, entity: str, record: str, target: str) -> list[str]:
    """The targets Attio's record API shows in the record's attribute for ``target``."""
    attribute, _ = ATTRIBUTES[(entity, target)]
    response = ws.api("GET", f"/v2/objects/{entity}/records/{record}")
    assert response.status_code == 200, response.text
    return [str(v["target_record_id"]) for v in response.json()["data"]["values"][attribute]]


async def _link(ws: Workspace, *links: Link) -> list[RecordResult]:
    async with AttioConnector(ws.connection()) as connector:
        return await connector.link(list(links))


def _updated(results: list[RecordResult]) -> list[str | None]:
    assert all(r.outcome is Outcome.UPDATED for r in results), results
    return [r.vendor_id for r in results]


def _patches(ws: Workspace) -> int:
    """The PATCHes the workspace accepted."""
    return len([c for c in ws.sim.calls_to("/records/", "PATCH") if c.status == 200])


# What it links


async def test_capabilities_name_people_companies_and_the_links() -> None:
    caps = AttioConnector.capabilities
    assert (caps.people, caps.companies) == ("people", "companies")
    assert dict(caps.links) == {
        "people": ("companies",),
        "workspaces": ("users", "companies"),
        "users": ("people",),
    }


async def test_a_person_is_linked_to_a_company_and_read_back(ws: Workspace) -> None:
    (person,) = await _people(ws, 1)
    (company,) = await _companies(ws, 1)
    results = await _link(ws, Link("people", person, "companies", company))
    assert _updated(results) == [person]
    assert _linked(ws, "people", person, "companies") == [company]
    assert _patches(ws) == 1


async def test_linking_twice_leaves_one_link(ws: Workspace) -> None:
    (person,) = await _people(ws, 1)
    (company,) = await _companies(ws, 1)
    link = Link("people", person, "companies", company)
    assert _updated(await _link(ws, link, link)) == [person, person]
    assert _updated(await _link(ws, link)) == [person]
    assert _linked(ws, "people", person, "companies") == [company]


async def test_relinking_a_person_replaces_the_company(ws: Workspace) -> None:
    (person,) = await _people(ws, 1)
    first, second, third = await _companies(ws, 3)
    await _link(ws, Link("people", person, "companies", first))
    _updated(await _link(ws, Link("people", person, "companies", second)))
    assert _linked(ws, "people", person, "companies") == [second]
    # Links of one record in one call go in order: the last wins.
    links = [Link("people", person, "companies", c) for c in (first, third)]
    _updated(await _link(ws, *links))
    assert _linked(ws, "people", person, "companies") == [third]


async def test_a_workspace_gains_users_beside_those_it_has(ws: Workspace) -> None:
    users = await _made(
        ws,
        "users",
        "user_id",
        *({"user_id": f"u-{n}", "primary_email_address": f"u{n}@x.io"} for n in range(3)),
    )
    (workspace,) = await _made(ws, "workspaces", "workspace_id", {"workspace_id": "w-1"})
    await _link(ws, Link("workspaces", workspace, "users", users[0]))
    links = [Link("workspaces", workspace, "users", u) for u in users[1:]]
    assert _updated(await _link(ws, *links)) == [workspace, workspace]
    assert sorted(_linked(ws, "workspaces", workspace, "users")) == sorted(users)


async def test_a_user_already_among_a_workspaces_users_is_not_written_again(
    ws: Workspace,
) -> None:
    (user,) = await _made(ws, "users", "user_id", {"user_id": "u-1"})
    (workspace,) = await _made(ws, "workspaces", "workspace_id", {"workspace_id": "w-1"})
    link = Link("workspaces", workspace, "users", user)
    _updated(await _link(ws, link))
    patched = _patches(ws)
    assert _updated(await _link(ws, link)) == [workspace]
    assert _patches(ws) == patched  # read, found there, nothing written
    assert _linked(ws, "workspaces", workspace, "users") == [user]


async def test_a_user_is_linked_to_its_person_and_a_workspace_to_its_company(
    ws: Workspace,
) -> None:
    (person,) = await _people(ws, 1)
    (company,) = await _companies(ws, 1)
    (user,) = await _made(ws, "users", "user_id", {"user_id": "u-1"})
    (workspace,) = await _made(ws, "workspaces", "workspace_id", {"workspace_id": "w-1"})
    results = await _link(
        ws,
        Link("users", user, "people", person),
        Link("workspaces", workspace, "companies", company),
    )
    assert _updated(results) == [user, workspace]
    assert _linked(ws, "users", user, "people") == [person]
    assert _linked(ws, "workspaces", workspace, "companies") == [company]


# What fails, and alone


async def test_a_missing_target_or_record_fails_alone_as_not_found(ws: Workspace) -> None:
    first, second = await _people(ws, 2)
    (company,) = await _companies(ws, 1)
    results = await _link(
        ws,
        Link("people", first, "companies", GHOST),
        Link("people", GHOST, "companies", company),
        Link("people", second, "companies", company),
    )
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED, Outcome.UPDATED]
    target, record = (r.error for r in results[:2])
    assert target is not None
    assert record is not None
    assert (target.code, target.status, target.action) == ("not_found", 400, Action.REFUSE)
    assert GHOST in target.message  # Attio's words
    assert (record.code, record.status) == ("not_found", 404)
    assert record.message == f'Record with ID "{GHOST}" not found.'
    assert _linked(ws, "people", first, "companies") == []
    assert _linked(ws, "people", second, "companies") == [company]


async def test_a_missing_workspace_fails_as_not_found_when_read(ws: Workspace) -> None:
    (user,) = await _made(ws, "users", "user_id", {"user_id": "u-1"})
    results = await _link(ws, Link("workspaces", GHOST, "users", user))
    assert results[0].error is not None
    assert (results[0].error.code, results[0].error.status) == ("not_found", 404)
    assert _patches(ws) == 0


async def test_a_pair_attio_does_not_link_fails_without_a_request(ws: Workspace) -> None:
    (person,) = await _people(ws, 1)
    before = len(ws.sim.calls)
    results = await _link(
        ws, Link("companies", GHOST, "people", person), Link("people", person, "companies", " ")
    )
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED]
    unsupported, blank = (r.error for r in results)
    assert unsupported is not None
    assert blank is not None
    assert unsupported.code == "unsupported_link"
    assert "people → companies" in unsupported.message
    assert "workspaces → users" in unsupported.message
    assert blank.code == "not_found"
    assert [c.path for c in list(ws.sim.calls)[before:]] == ["/v2/objects"]


async def test_links_of_an_object_not_activated_fail_with_how_to_activate_it() -> None:
    with running(activated={"people", "companies", "users"}) as ws:
        (user,) = await _made(ws, "users", "user_id", {"user_id": "u-1"})
        results = await _link(ws, Link("workspaces", GHOST, "users", user))
        assert results[0].error is not None
        assert results[0].error.code == "object_not_activated"
        assert "'workspaces' object is not activated" in results[0].error.message
        assert results[0].error.action is Action.BROKEN
        assert _patches(ws) == 0


async def test_nothing_to_link_asks_nothing(ws: Workspace) -> None:
    assert await _link(ws) == []
    assert ws.sim.calls_to("/v2/") == []


# Requests, limits and faults


async def test_each_link_is_one_patch(ws: Workspace) -> None:
    people = await _people(ws, 30)
    (company,) = await _companies(ws, 1)
    results = await _link(ws, *(Link("people", p, "companies", company) for p in people))
    assert _updated(results) == people
    assert _patches(ws) == 30
    assert all(_linked(ws, "people", p, "companies") == [company] for p in people)


async def test_a_429_is_waited_out_and_the_link_made_once(ws: Workspace) -> None:
    (person,) = await _people(ws, 1)
    (company,) = await _companies(ws, 1)
    retry_at = formatdate(time.time() + 1, usegmt=True)
    fault = {"status": 429, "times": 2, "method": "PATCH", "headers": {"Retry-After": retry_at}}
    ws.control("faults", fault)
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.link([Link("people", person, "companies", company)])
        assert connector.client.stats.rate_limited == 2
    assert _updated(results) == [person]
    assert _patches(ws) == 1
    assert _linked(ws, "people", person, "companies") == [company]


async def test_a_5xx_is_retried(ws: Workspace) -> None:
    (person,) = await _people(ws, 1)
    (company,) = await _companies(ws, 1)
    ws.control("faults", {"status": 503, "times": 2, "method": "PATCH"})
    async with AttioConnector(ws.connection()) as connector:
        results = await connector.link([Link("people", person, "companies", company)])
        assert connector.client.stats.retried == 2
    assert _updated(results) == [person]
    assert _linked(ws, "people", person, "companies") == [company]


async def test_a_fault_that_outlasts_the_retries_fails_the_link_for_a_later_run(
    ws: Workspace,
) -> None:
    (person,) = await _people(ws, 1)
    (company,) = await _companies(ws, 1)
    ws.control("faults", {"status": 503, "times": 20, "method": "PATCH"})
    async with AttioConnector(ws.connection()) as connector:
        connector.client._backoff = 0.01  # keep the test short
        results = await connector.link([Link("people", person, "companies", company)])
    assert results[0].error is not None
    assert results[0].error.action is Action.RETRY


async def test_a_refused_token_breaks_the_call(ws: Workspace) -> None:
    async with AttioConnector(ws.connection(token="wrong-token")) as connector:
        with pytest.raises(ConnectionBroken) as raised:
            await connector.link([Link("people", GHOST, "companies", GHOST)])
    assert raised.value.status == 401


@pytest.mark.parametrize(("entity", "target"), list(ATTRIBUTES))
def test_the_link_requests_are_ones_attios_description_has(entity: str, target: str) -> None:
    attribute, _ = ATTRIBUTES[(entity, target)]
    body = {"data": {"values": {attribute: [{"target_object": target, "target_record_id": GHOST}]}}}
    path = f"/v2/objects/{entity}/records/{GHOST}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method, data in (("patch", json.dumps(body)), ("get", None)):
            request = MockRequest(attio_openapi.HOST, method, path, data=data)
            attio_openapi.spec().validate_request(request)
