"""``link`` against the Sugar simulator: contacts' ``account_id`` saved by ``PUT`` sub-requests
of ``/bulk`` envelopes, accounts looked up first, missing records ``not_found``."""

from __future__ import annotations

from typing import Any

import pytest
from simulators.kit.faults import Fault

from cardfile.connectors.base import Link, Outcome
from cardfile.connectors.errors import Action
from cardfile.connectors.sugarcrm import SugarCRMConnector
from tests.connectors.sugarcrm.conftest import FAST, Instance, running
from tests.connectors.sugarcrm.harness import Harness

pytestmark = pytest.mark.anyio


def _to(contact: str, account: str) -> Link:
    return Link("contacts", contact, "companies", account)


def _account_of(crm: Instance, contact: str) -> Any:
    response = crm.api("GET", f"/Contacts/{contact}")
    assert response.status_code == 200, response.text
    record = response.json()
    return record["account_id"], record["account_name"]


def _puts(crm: Instance) -> int:
    return len(crm.sim.calls_to("/bulk", "POST"))


async def test_a_contact_is_linked_and_the_link_read_back(crm: Instance) -> None:
    contact = crm.create("Contacts", {"last_name": "Ann"})
    account = crm.create("Accounts", {"name": "Acme"})
    async with SugarCRMConnector(crm.connection()) as connector:
        [result] = await connector.link([_to(contact, account)])
    assert (result.outcome, result.vendor_id) == (Outcome.UPDATED, contact)
    assert _account_of(crm, contact) == (account, "Acme")
    assert len(crm.sim.calls_to("/Accounts/filter")) == 1  # the account was looked up first
    assert _puts(crm) == 1


async def test_linking_twice_leaves_one_link_and_relinking_replaces_it(crm: Instance) -> None:
    contact = crm.create("Contacts", {"last_name": "Ann"})
    acme, globex = crm.create("Accounts", {"name": "Acme"}), crm.create("Accounts", {"name": "G"})
    async with SugarCRMConnector(crm.connection()) as connector:
        first = await connector.link([_to(contact, acme)])
        again = await connector.link([_to(contact, acme)])
        assert _account_of(crm, contact) == (acme, "Acme")
        moved = await connector.link([_to(contact, globex)])
    assert [r.outcome for r in [*first, *again, *moved]] == [Outcome.UPDATED] * 3
    assert _account_of(crm, contact) == (globex, "G")


async def test_one_contact_linked_twice_in_a_call_ends_with_the_later_link(crm: Instance) -> None:
    contact = crm.create("Contacts", {"last_name": "Ann"})
    acme, globex = crm.create("Accounts", {"name": "Acme"}), crm.create("Accounts", {"name": "G"})
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.link([_to(contact, acme), _to(contact, globex)])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 2
    assert _account_of(crm, contact) == (globex, "G")


async def test_missing_records_and_targets_fail_alone_as_not_found(crm: Instance) -> None:
    contact, other = crm.create("Contacts", {"last_name": "A"}), crm.create("Contacts", {})
    gone_contact = crm.create("Contacts", {"last_name": "Gone"})
    account, gone_account = crm.create("Accounts", {"name": "A"}), crm.create("Accounts", {})
    acme = crm.create("Accounts", {"name": "Acme"})
    crm.api("DELETE", f"/Contacts/{gone_contact}")
    crm.api("DELETE", f"/Accounts/{gone_account}")
    async with SugarCRMConnector(crm.connection()) as connector:
        await connector.link([_to(contact, acme)])
        links = [_to(contact, gone_account), _to(gone_contact, account), _to(other, account)]
        results = await connector.link(links)
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED, Outcome.UPDATED]
    errors = [r.error for r in results[:2]]
    assert all(e is not None and e.code == "not_found" for e in errors)
    assert all(e is not None and e.action is Action.REFUSE for e in errors)
    assert errors[0] is not None
    assert errors[0].message == f"SugarCRM has no Accounts record {gone_account}"
    assert errors[1] is not None and errors[1].status == 404
    assert errors[1].message == f"Could not find record: {gone_contact} in module: Contacts"
    assert _account_of(crm, contact) == (acme, "Acme")  # the missing account unlinked nothing
    assert _account_of(crm, other) == (account, "A")


async def test_pairs_sugar_cannot_link_and_blank_ids_fail_without_a_request(
    crm: Instance,
) -> None:
    contact = crm.create("Contacts", {"last_name": "Ann"})
    account = crm.create("Accounts", {"name": "Acme"})
    crm.sim.calls.clear()
    links = [Link("deals", contact, "companies", account), _to(contact, ""), _to(" ", account)]
    async with SugarCRMConnector(crm.connection()) as connector:
        caps = connector.capabilities
        assert (caps.people, caps.companies, caps.links) == (
            "contacts",
            "companies",
            {"contacts": ("companies",)},
        )
        assert await connector.link([]) == []
        results = await connector.link(links)
    assert [r.outcome for r in results] == [Outcome.FAILED] * 3
    assert (
        results[0].error is not None and "links contacts to companies" in results[0].error.message
    )
    assert [r.error.code for r in results[1:] if r.error] == ["not_found", "not_found"]
    assert crm.sim.calls_to("/bulk") == [] and crm.sim.calls_to("/filter") == []


async def test_links_go_in_envelopes_of_the_configured_size(crm: Instance) -> None:
    account = crm.create("Accounts", {"name": "Acme"})
    contacts = [crm.create("Contacts", {"last_name": f"P{n}"}) for n in range(12)]
    settings = {**FAST, "bulk_size": "5"}
    async with SugarCRMConnector(crm.connection(settings=settings)) as connector:
        results = await connector.link([_to(c, account) for c in contacts])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 12
    assert _puts(crm) == 3
    assert {r["account_id"] for r in crm.sim.records("contacts")} == {account}


async def test_a_link_failing_in_passing_is_sent_again(crm: Instance) -> None:
    contacts = [crm.create("Contacts", {"last_name": n}) for n in ("A", "B")]
    account = crm.create("Accounts", {"name": "Acme"})
    crm.sim.sub_faults.fail(503, path=f"/Contacts/{contacts[0]}")
    crm.sim.lost_answers.fail(500, path=f"/Contacts/{contacts[1]}")
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.link([_to(c, account) for c in contacts])
    assert [r.outcome for r in results] == [Outcome.UPDATED] * 2
    assert _puts(crm) == 2
    assert [_account_of(crm, c)[0] for c in contacts] == [account, account]


async def test_a_link_failing_every_round_is_left_for_a_later_run(crm: Instance) -> None:
    contact = crm.create("Contacts", {"last_name": "A"})
    account = crm.create("Accounts", {"name": "Acme"})
    crm.sim.sub_faults.fail(500, times=10, path=f"/Contacts/{contact}")
    async with SugarCRMConnector(crm.connection()) as connector:
        [result] = await connector.link([_to(contact, account)])
    assert result.error is not None and result.error.action is Action.RETRY
    assert result.error.message == "Internal server error"


async def test_a_busy_instance_and_a_proxys_429_are_waited_out() -> None:
    with running() as limited:
        contact = limited.create("Contacts", {"last_name": "A"})
        account = limited.create("Accounts", {"name": "Acme"})
        # A 503, then a 429, injected: waiting for the simulator's own rate window made the
        # 429 depend on how long the retry after the 503 happened to wait (flaky in CI).
        limited.sim.faults.fail(503, path="/bulk")
        limited.sim.faults.add(Fault(status=429, path="/bulk", headers={"Retry-After": "1"}))
        settings = {"requests_per_second": "50"}
        async with SugarCRMConnector(limited.connection(settings=settings)) as connector:
            [result] = await connector.link([_to(contact, account)])
            assert connector.client.stats.retried >= 1
            assert connector.client.stats.rate_limited >= 1
        assert result.outcome is Outcome.UPDATED
        assert _account_of(limited, contact)[0] == account


async def test_deleting_an_account_unlinks_its_contacts(crm: Instance) -> None:
    contact = crm.create("Contacts", {"last_name": "A"})
    account = crm.create("Accounts", {"name": "Acme"})
    async with SugarCRMConnector(crm.connection()) as connector:
        await connector.link([_to(contact, account)])
        [removed] = await connector.remove("companies", [account])
    assert removed.outcome is Outcome.REMOVED
    assert _account_of(crm, contact) == ("", "")


async def test_the_harness_reads_links_back_through_the_record_api(crm: Instance) -> None:
    harness = Harness(crm.url)
    (entity, key, person), (target, target_key, company) = harness.link_records(1)
    async with SugarCRMConnector(crm.connection()) as connector:
        [made] = await connector.upsert(entity, [person], key)
        [firm] = await connector.upsert(target, [company], target_key)
        assert harness.linked(entity, str(made.vendor_id), target) == []
        await connector.link([Link(entity, str(made.vendor_id), target, str(firm.vendor_id))])
    assert harness.linked(entity, str(made.vendor_id), target) == [firm.vendor_id]
    assert harness.link_records(2) != harness.link_records(1)
