"""``remove``: records deleted through ``DELETE /{Module}/{id}`` sub-requests of ``/bulk``
envelopes, against the simulator over loopback."""

from __future__ import annotations

import pytest

from cardfile.connectors.base import Outcome
from cardfile.connectors.errors import Action
from cardfile.connectors.sugarcrm import SugarCRMConnector
from tests.connectors.sugarcrm.conftest import FAST, Instance, running

pytestmark = pytest.mark.anyio


def _accounts(crm: Instance, count: int) -> list[str]:
    return [crm.create("Accounts", {"name": f"Company {n}"}) for n in range(count)]


def _left(crm: Instance) -> int:
    """Accounts still stored (delete sub-requests ride in envelopes, so the request log
    does not show them; the store does)."""
    return len(crm.sim.records("companies"))


async def test_removed_records_are_gone_and_an_unknown_id_counts_as_removed(
    crm: Instance,
) -> None:
    ids = _accounts(crm, 3)
    kept = crm.create("Accounts", {"name": "Kept"})
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.remove("companies", [ids[0], "no-such-id", ids[1], ids[2]])
        again = await connector.remove("companies", [ids[1]])
    assert [(r.outcome, r.vendor_id) for r in results] == [
        (Outcome.REMOVED, ids[0]),
        (Outcome.REMOVED, "no-such-id"),
        (Outcome.REMOVED, ids[1]),
        (Outcome.REMOVED, ids[2]),
    ]
    assert [(r.outcome, r.vendor_id) for r in again] == [(Outcome.REMOVED, ids[1])]
    assert [r["id"] for r in crm.sim.records("companies")] == [kept]
    assert crm.sim.stats()["records"]["companies"] == 1
    assert crm.api("GET", f"/Accounts/{ids[0]}").status_code == 404
    assert len(crm.sim.calls_to("/bulk", "POST")) == 2


async def test_a_record_sugar_refuses_to_delete_fails_alone_in_its_words(crm: Instance) -> None:
    ids = _accounts(crm, 3)
    crm.sim.protect(ids[1], "You are not authorized to delete this Account.")
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.remove("companies", ids)
    assert [r.outcome for r in results] == [Outcome.REMOVED, Outcome.FAILED, Outcome.REMOVED]
    error = results[1].error
    assert error is not None
    assert error.message == "You are not authorized to delete this Account."
    assert (error.status, error.code, error.action) == (403, "not_authorized", Action.REFUSE)
    assert [r["id"] for r in crm.sim.records("companies")] == [ids[1]]
    assert len(crm.sim.calls_to("/bulk")) == 1  # a refusal is not sent again


async def test_deletes_go_in_envelopes_of_the_configured_size(crm: Instance) -> None:
    ids = _accounts(crm, 12)
    settings = {**FAST, "bulk_size": "5"}
    async with SugarCRMConnector(crm.connection(settings=settings)) as connector:
        results = await connector.remove("companies", [*ids, ids[0]])
    assert [r.outcome for r in results] == [Outcome.REMOVED] * 13
    assert results[12].vendor_id == ids[0]
    assert len(crm.sim.calls_to("/bulk", "POST")) == 3  # 12 distinct ids, 5 an envelope
    assert _left(crm) == 0


async def test_a_delete_failing_in_passing_is_sent_again(crm: Instance) -> None:
    ids = _accounts(crm, 2)
    # The first delete failed before running; the second ran but its answer was lost.
    crm.sim.sub_faults.fail(503, path=f"/Accounts/{ids[0]}")
    crm.sim.lost_answers.fail(500, path=f"/Accounts/{ids[1]}")
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.remove("companies", ids)
    assert [r.outcome for r in results] == [Outcome.REMOVED, Outcome.REMOVED]
    assert _left(crm) == 0
    assert len(crm.sim.calls_to("/bulk")) == 2


async def test_a_delete_failing_every_round_is_left_for_a_later_run(crm: Instance) -> None:
    ids = _accounts(crm, 2)
    crm.sim.sub_faults.fail(500, times=10, path=f"/Accounts/{ids[0]}")
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.remove("companies", ids)
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.REMOVED]
    assert results[0].error is not None
    assert results[0].error.action is Action.RETRY
    assert results[0].error.message == "Internal server error"
    assert [r["id"] for r in crm.sim.records("companies")] == [ids[0]]


async def test_an_envelope_the_instance_refuses_fails_its_records_in_sugars_words() -> None:
    with running(bulk_limit=3) as small:
        ids = _accounts(small, 5)
        settings = {**FAST, "bulk_size": "4"}
        async with SugarCRMConnector(small.connection(settings=settings)) as connector:
            results = await connector.remove("companies", ids)
        assert [r.outcome for r in results] == [Outcome.FAILED] * 4 + [Outcome.REMOVED]
        assert results[0].error is not None
        assert "Too many requests in one bulk call" in results[0].error.message
        assert len(small.sim.records("companies")) == 4


async def test_a_busy_instance_is_waited_out_by_the_client(crm: Instance) -> None:
    ids = _accounts(crm, 2)
    crm.sim.faults.fail(503, path="/bulk")
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.remove("companies", ids)
        assert connector.client.stats.retried == 1
    assert [r.outcome for r in results] == [Outcome.REMOVED, Outcome.REMOVED]
    assert _left(crm) == 0


async def test_a_blank_id_is_refused_and_nothing_to_remove_sends_nothing(crm: Instance) -> None:
    ids = _accounts(crm, 1)
    crm.sim.calls.clear()
    async with SugarCRMConnector(crm.connection()) as connector:
        assert await connector.remove("companies", []) == []
        assert crm.sim.calls_to("/bulk") == []
        results = await connector.remove("companies", [" ", ids[0]])
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.REMOVED]
    assert results[0].error is not None and "no SugarCRM id" in results[0].error.message


async def test_removing_a_contact_takes_it_out_of_its_target_lists(crm: Instance) -> None:
    list_id = crm.new_list()
    person = crm.create("Contacts", {"last_name": "P"})
    other = crm.create("Contacts", {"last_name": "Q"})
    async with SugarCRMConnector(crm.connection()) as connector:
        added = await connector.update_list(list_id, [person, other], [])
        assert all(r.ok for r in added)
        results = await connector.remove("contacts", [person])
    assert results[0].outcome is Outcome.REMOVED
    assert crm.members(list_id, "contacts") == [other]
