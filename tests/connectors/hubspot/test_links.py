"""``link`` of the HubSpot connector against the simulator, over loopback: associations are read
back through HubSpot's v4 and v3 read APIs, as another client would see them."""

from __future__ import annotations

from typing import Any

import pytest

from cardfile.connectors.base import Link, Outcome, RecordResult
from cardfile.connectors.errors import Action, ConnectionBroken
from cardfile.connectors.hubspot import HubSpotConnector
from cardfile.connectors.hubspot.links import ASSOCIATION_BATCH, Batch, read_answer
from tests.connectors.hubspot.conftest import Portal, running

pytestmark = pytest.mark.anyio

BATCH_PATH = "/batch/associate/default"


async def _made(portal: Portal, entity: str, key: str, records: list[dict[str, Any]]) -> list[str]:
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.upsert(entity, records, key)
    assert all(r.outcome is Outcome.CREATED for r in results), results[:3]
    return [str(r.vendor_id) for r in results]


async def _contacts(portal: Portal, count: int) -> list[str]:
    return await _made(
        portal, "contacts", "email", [{"email": f"p{n}@example.com"} for n in range(count)]
    )


async def _companies(portal: Portal, count: int) -> list[str]:
    return await _made(
        portal, "companies", "cardfile_id", [{"cardfile_id": f"c-{n}"} for n in range(count)]
    )


def _associated(portal: Portal, entity: str, record: str, target: str) -> list[str]:
    """The v4 read API's associated ids."""
    response = portal.api("GET", f"/crm/v4/objects/{entity}/{record}/associations/{target}")
    assert response.status_code == 200, response.text
    return [str(r["toObjectId"]) for r in response.json()["results"]]


async def _link(portal: Portal, *links: Link) -> list[RecordResult]:
    async with HubSpotConnector(portal.connection()) as connector:
        return await connector.link(list(links))


def _updated(results: list[RecordResult]) -> list[str | None]:
    assert all(r.outcome is Outcome.UPDATED for r in results), results
    return [r.vendor_id for r in results]


def _batches(portal: Portal) -> list[int]:
    """The statuses of the association batch requests the portal answered."""
    return [c.status for c in portal.sim.calls_to(BATCH_PATH, "POST")]


# What it links


async def test_capabilities_name_contacts_companies_and_the_links() -> None:
    caps = HubSpotConnector.capabilities
    assert (caps.people, caps.companies) == ("contacts", "companies")
    assert dict(caps.links) == {"contacts": ("companies",), "companies": ("contacts",)}


async def test_a_contact_is_associated_with_a_company_and_read_back(portal: Portal) -> None:
    (contact,) = await _contacts(portal, 1)
    (company,) = await _companies(portal, 1)
    results = await _link(portal, Link("contacts", contact, "companies", company))
    assert _updated(results) == [contact]
    assert _associated(portal, "contacts", contact, "companies") == [company]
    assert _associated(portal, "companies", company, "contacts") == [contact]
    read = portal.api("GET", f"/crm/v3/objects/contacts/{contact}?associations=companies")
    assert read.json()["associations"]["companies"]["results"] == [
        {"id": company, "type": "contact_to_company_unlabeled"}
    ]
    assert _batches(portal) == [200]


async def test_a_company_is_associated_with_its_contacts(portal: Portal) -> None:
    contacts = await _contacts(portal, 2)
    (company,) = await _companies(portal, 1)
    results = await _link(portal, *(Link("companies", company, "contacts", c) for c in contacts))
    assert _updated(results) == [company, company]
    assert _associated(portal, "companies", company, "contacts") == contacts
    assert _batches(portal) == [200]  # one batch for both


async def test_associating_twice_leaves_one_association(portal: Portal) -> None:
    (contact,) = await _contacts(portal, 1)
    (company,) = await _companies(portal, 1)
    link = Link("contacts", contact, "companies", company)
    assert _updated(await _link(portal, link, link)) == [contact, contact]
    assert _updated(await _link(portal, link)) == [contact]
    assert _associated(portal, "contacts", contact, "companies") == [company]
    assert portal.sim.stats()["associations"] == 1


async def test_a_second_company_is_added_beside_the_first(portal: Portal) -> None:
    (contact,) = await _contacts(portal, 1)
    first, second = await _companies(portal, 2)
    await _link(portal, Link("contacts", contact, "companies", first))
    _updated(await _link(portal, Link("contacts", contact, "companies", second)))
    assert _associated(portal, "contacts", contact, "companies") == [first, second]


# What fails, and alone


async def test_a_missing_company_or_contact_fails_alone_as_not_found(portal: Portal) -> None:
    first, second = await _contacts(portal, 2)
    (company,) = await _companies(portal, 1)
    results = await _link(
        portal,
        Link("contacts", first, "companies", "999999"),
        Link("contacts", "888888", "companies", company),
        Link("contacts", second, "companies", company),
    )
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED, Outcome.UPDATED]
    company_missing, contact_missing = (r.error for r in results[:2])
    assert company_missing is not None
    assert contact_missing is not None
    assert (company_missing.code, company_missing.status) == ("not_found", 207)
    assert company_missing.action is Action.REFUSE
    assert "COMPANY" in company_missing.message
    assert "999999" in company_missing.message
    assert "CONTACT" in contact_missing.message
    assert contact_missing.code == "not_found"
    assert _associated(portal, "contacts", first, "companies") == []
    assert _associated(portal, "contacts", second, "companies") == [company]
    assert _batches(portal) == [207]  # one request, partly refused


async def test_an_archived_company_is_not_found(portal: Portal) -> None:
    (contact,) = await _contacts(portal, 1)
    (company,) = await _companies(portal, 1)
    async with HubSpotConnector(portal.connection()) as connector:
        await connector.remove("companies", [company])
        results = await connector.link([Link("contacts", contact, "companies", company)])
    assert results[0].error is not None
    assert results[0].error.code == "not_found"


async def test_ids_that_are_no_hubspot_ids_and_pairs_it_does_not_link_fail_unsent(
    portal: Portal,
) -> None:
    results = await _link(
        portal,
        Link("contacts", "abc", "companies", "1"),
        Link("contacts", "1", "companies", ""),
        Link("contacts", "1", "deals", "2"),
    )
    assert [r.outcome for r in results] == [Outcome.FAILED] * 3
    text, blank, unsupported = (r.error for r in results)
    assert text is not None
    assert blank is not None
    assert unsupported is not None
    assert (text.code, blank.code) == ("not_found", "not_found")
    assert "'abc'" in text.message
    assert unsupported.code == "unsupported_link"
    assert "contacts → companies" in unsupported.message
    assert not portal.sim.calls  # nothing asked


async def test_nothing_to_link_asks_nothing(portal: Portal) -> None:
    assert await _link(portal) == []
    assert _batches(portal) == []


# Batches, limits and faults


async def test_links_split_at_hubspots_batch_limit(portal: Portal) -> None:
    assert ASSOCIATION_BATCH == portal.sim.association_batch_limit == 2_000
    contacts = await _contacts(portal, ASSOCIATION_BATCH + 1)
    (company,) = await _companies(portal, 1)
    results = await _link(portal, *(Link("contacts", c, "companies", company) for c in contacts))
    assert _updated(results) == contacts
    assert _batches(portal) == [200, 200]
    assert len(_associated(portal, "companies", company, "contacts")) == 500  # a page
    assert portal.sim.stats()["associations"] == ASSOCIATION_BATCH + 1


async def test_a_429_is_waited_out_and_nothing_is_lost(portal: Portal) -> None:
    (contact,) = await _contacts(portal, 1)
    (company,) = await _companies(portal, 1)
    portal.control("faults", {"status": 429, "times": 2, "path": BATCH_PATH})
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.link([Link("contacts", contact, "companies", company)])
        assert connector.client.stats.rate_limited == 2
    assert _updated(results) == [contact]
    assert _associated(portal, "contacts", contact, "companies") == [company]


async def test_a_5xx_is_retried(portal: Portal) -> None:
    (contact,) = await _contacts(portal, 1)
    (company,) = await _companies(portal, 1)
    portal.control("faults", {"status": 502, "times": 2, "path": BATCH_PATH})
    async with HubSpotConnector(portal.connection()) as connector:
        results = await connector.link([Link("contacts", contact, "companies", company)])
        assert connector.client.stats.retried == 2
    assert _updated(results) == [contact]
    assert portal.sim.stats()["associations"] == 1


async def test_a_daily_limit_fails_the_links_for_a_later_run() -> None:
    with running(daily_limit=1) as portal:  # the property made for the test spent it
        async with HubSpotConnector(portal.connection()) as connector:
            results = await connector.link([Link("contacts", "1", "companies", "2")] * 2)
        assert [r.outcome for r in results] == [Outcome.FAILED] * 2
        assert results[0].error is not None
        assert results[0].error.action is Action.RETRY


async def test_a_refused_token_breaks_the_call(portal: Portal) -> None:
    async with HubSpotConnector(portal.connection(token="wrong")) as connector:
        with pytest.raises(ConnectionBroken):
            await connector.link([Link("contacts", "1", "companies", "2")])


# Reading answers


def test_an_answer_naming_neither_end_fails_only_the_links_it_leaves_out() -> None:
    batch = Batch("contacts", "companies", [("1", "2"), ("3", "4"), ("5", "6")])
    answer = {
        "results": [{"from": {"id": "2"}, "to": {"id": "1"}}],  # either direction counts
        "errors": [
            {"category": "VALIDATION_ERROR", "message": "Nope", "context": {"ids": ["3"]}},
        ],
    }
    found = read_answer(answer, batch, 207)
    assert found[("1", "2")].outcome is Outcome.UPDATED
    refused, unmentioned = found[("3", "4")].error, found[("5", "6")].error
    assert refused is not None
    assert unmentioned is not None
    assert (refused.message, refused.code) == ("Nope", "VALIDATION_ERROR")
    assert "did not mention" in unmentioned.message
    assert read_answer(None, batch, 200)[("5", "6")].outcome is Outcome.UPDATED
