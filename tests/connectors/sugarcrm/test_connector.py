"""The SugarCRM connector against the Sugar simulator, over real HTTP on loopback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cardfile.connectors.base import Connection, Identity, Outcome, RecordResult, UpsertMode
from cardfile.connectors.errors import Action, ConnectionBroken, Refused
from cardfile.connectors.registry import connector_class
from cardfile.connectors.sugarcrm import SugarCRMConnector
from tests.connectors.sugarcrm.conftest import FAST, Instance, running
from tests.connectors.sugarcrm.session import TOKEN

pytestmark = pytest.mark.anyio


def _company(n: int, **extra: Any) -> dict[str, Any]:
    return {"website": f"c{n}.example.com", "name": f"Company {n}", **extra}


def _person(n: int, **extra: Any) -> dict[str, Any]:
    return {"email": f"person{n}@example.com", "last_name": f"Person {n}", **extra}


def _ok(results: list[RecordResult]) -> None:
    failed = [r.error for r in results if r.outcome is Outcome.FAILED]
    assert not failed, failed


# Registration and health


async def test_the_registry_finds_the_connector_and_its_capabilities() -> None:
    assert connector_class("sugarcrm") is SugarCRMConnector
    caps = SugarCRMConnector.capabilities
    assert caps.upsert is UpsertMode.SEARCH_THEN_WRITE
    assert caps.batch_size == 50
    assert caps.entities == {"contacts", "companies", "leads", "deals"}
    assert caps.match_keys["contacts"][0] == "email"
    assert caps.match_keys["companies"][0] == "website"
    assert caps.lists and not caps.reads_changes
    assert caps.finds and caps.removes and caps.record_id_key == "id"


async def test_check_names_the_user_the_instance_and_the_version(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        health = await connector.check()
    assert health.healthy
    assert "admin" in health.message and "v11_20" in health.message
    assert health.account == crm.url.removeprefix("http://")


async def test_a_wrong_password_is_reported_in_sugars_words(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection(token="admin:wrong")) as connector:
        health = await connector.check()
    assert not health.healthy
    assert "You must specify a valid username and password." in health.message


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"base_url": None}, "needs the instance's base URL"),
        ({"token": "only-a-token"}, "'username:password'"),
        ({"token": None}, "'username:password'"),
    ],
)
async def test_a_connection_that_cannot_work_says_why(
    crm: Instance, changes: dict[str, Any], fragment: str
) -> None:
    async with SugarCRMConnector(crm.connection(**changes)) as connector:
        health = await connector.check()
        assert not health.healthy
        assert fragment in health.message
        with pytest.raises(ConnectionBroken) as broken:
            await connector.upsert("companies", [_company(1)], "website")
        assert fragment in broken.value.message
    assert crm.sim.requests == 0


async def test_a_version_the_instance_does_not_serve_is_reported(crm: Instance) -> None:
    settings = {**FAST, "rest_version": "v11_99"}
    async with SugarCRMConnector(crm.connection(settings=settings)) as connector:
        health = await connector.check()
    assert not health.healthy
    assert "v11_99" in health.message


# Upserts


async def test_contacts_are_matched_on_email_without_case(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        created = await connector.upsert("contacts", [_person(1), _person(2)], "email")
        again = await connector.upsert(
            "contacts", [_person(2, email="PERSON2@Example.com", title="CTO")], "email"
        )
    assert [r.outcome for r in created] == [Outcome.CREATED, Outcome.CREATED]
    assert again[0].outcome is Outcome.UPDATED
    assert again[0].vendor_id == created[1].vendor_id
    stored = {r["id"]: r for r in crm.sim.records("contacts")}
    updated = stored[str(created[1].vendor_id)]
    assert updated["title"] == "CTO"
    assert updated["email"][0]["email_address"] == "PERSON2@Example.com"
    assert updated["email"][0]["primary_address"] is True


async def test_records_sharing_a_key_in_one_call_are_written_once(crm: Instance) -> None:
    records = [_company(1, industry="Banking"), _company(2), _company(1, account_type="Partner")]
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("companies", records, "website")
    _ok(results)
    assert results[0].vendor_id == results[2].vendor_id != results[1].vendor_id
    assert len(crm.sim.records("companies")) == 2
    merged = next(r for r in crm.sim.records("companies") if r["id"] == results[0].vendor_id)
    assert (merged["industry"], merged["account_type"]) == ("Banking", "Partner")


async def test_the_oldest_of_several_records_holding_the_key_is_updated(crm: Instance) -> None:
    oldest = crm.create("Accounts", {"name": "First", "website": "twice.example.com"})
    crm.create("Accounts", {"name": "Second", "website": "twice.example.com"})
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert(
            "companies", [{"website": "twice.example.com", "name": "Merged"}], "website"
        )
    assert (results[0].outcome, results[0].vendor_id) == (Outcome.UPDATED, oldest)


async def test_writes_go_in_bulk_envelopes_of_the_configured_size(crm: Instance) -> None:
    settings = {**FAST, "bulk_size": "20"}
    async with SugarCRMConnector(crm.connection(settings=settings)) as connector:
        results = await connector.upsert("companies", [_company(n) for n in range(45)], "website")
    _ok(results)
    assert len(crm.sim.calls_to("/bulk", "POST")) == 3
    assert len(crm.sim.calls_to("/Accounts/filter", "POST")) == 1
    assert len(crm.sim.records("companies")) == 45


async def test_an_envelope_over_the_instances_cap_fails_its_records_in_sugars_words() -> None:
    with running(bulk_limit=10) as small:
        settings = {**FAST, "bulk_size": "25"}
        async with SugarCRMConnector(small.connection(settings=settings)) as connector:
            results = await connector.upsert(
                "companies", [_company(n) for n in range(30)], "website"
            )
    failed = [r for r in results if r.outcome is Outcome.FAILED]
    assert len(failed) == 25
    assert failed[0].error is not None
    assert "Too many requests in one bulk call" in failed[0].error.message
    assert failed[0].error.code == "invalid_parameter"
    assert [r.outcome for r in results[25:]] == [Outcome.CREATED] * 5


async def test_a_field_sugar_would_drop_is_refused_before_sending(crm: Instance) -> None:
    records = [_company(1), _company(2, shoe_size="44"), _company(3)]
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("companies", records, "website")
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.FAILED, Outcome.CREATED]
    assert results[1].error is not None
    assert "'shoe_size'" in results[1].error.message
    assert results[1].error.code == "unknown_field"
    assert len(crm.sim.records("companies")) == 2


async def test_a_field_added_since_the_fields_were_read_is_known_again(crm: Instance) -> None:
    fields = crm.sim.modules["Accounts"].fields
    async with SugarCRMConnector(crm.connection()) as connector:
        _ok(await connector.upsert("companies", [_company(1)], "website"))
        fields["region_c"] = {"name": "region_c", "vname": "LBL_REGION", "type": "varchar"}
        try:
            results = await connector.upsert("companies", [_company(1, region_c="EMEA")], "website")
        finally:
            del fields["region_c"]
    assert results[0].outcome is Outcome.UPDATED
    assert crm.sim.records("companies")[0]["region_c"] == "EMEA"
    assert len(crm.sim.calls_to("/metadata")) == 2


async def test_sugars_validation_message_fails_the_record_alone(crm: Instance) -> None:
    records = [_person(1), _person(2, email="not an address"), _person(3, salutation="Sir")]
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("contacts", records, "email")
    assert results[0].outcome is Outcome.CREATED
    assert results[1].outcome is Outcome.FAILED and results[2].outcome is Outcome.FAILED
    assert results[2].error is not None
    assert results[2].error.message == "Invalid field value: salutation in module: Contacts"
    assert (results[2].error.status, results[2].error.action) == (422, Action.REFUSE)


async def test_a_record_without_its_key_or_with_an_unsendable_value_fails(crm: Instance) -> None:
    records = [{"name": "No site"}, _company(2, cardfile_score_c=float("nan")), _company(3)]
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("companies", records, "website")
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.FAILED, Outcome.CREATED]
    assert results[0].error is not None and "no website" in results[0].error.message
    assert results[1].error is not None and "cardfile_score_c" in results[1].error.message


async def test_an_unknown_match_key_fails_every_record(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("companies", [_company(1)], "vat_number")
    assert results[0].error is not None
    assert "no field 'vat_number'" in results[0].error.message


async def test_matching_on_id_updates_by_id_and_creates_the_rest(crm: Instance) -> None:
    existing = crm.create("Opportunities", {"name": "Old deal", "amount": 10})
    records: list[dict[str, Any]] = [
        {"id": existing, "name": "Renamed deal", "amount": Decimal("2500.50")},
        {"name": "New deal", "amount": 5, "date_closed": date(2027, 1, 31)},
        {"id": "no-such-id", "name": "Ghost"},
    ]
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("deals", records, "id")
    assert (results[0].outcome, results[0].vendor_id) == (Outcome.UPDATED, existing)
    assert results[1].outcome is Outcome.CREATED
    assert results[2].outcome is Outcome.FAILED and results[2].error is not None
    assert "no-such-id" in results[2].error.message
    stored = {r["name"]: r for r in crm.sim.records("deals")}
    assert stored["Renamed deal"]["amount"] == 2500.5
    assert stored["New deal"]["date_closed"] == "2027-01-31"


async def test_a_sub_request_failing_in_passing_is_searched_again_then_written(
    crm: Instance,
) -> None:
    # The first create failed before running; the second ran but its answer was lost.
    crm.sim.sub_faults.fail(503, path="/Accounts")
    crm.sim.lost_answers.fail(500, path="/Accounts")
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("companies", [_company(1), _company(2)], "website")
    _ok(results)
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.UPDATED]
    assert len(crm.sim.records("companies")) == 2
    assert len(crm.sim.calls_to("/Accounts/filter")) == 2


async def test_sub_requests_failing_every_round_are_left_for_a_later_run(crm: Instance) -> None:
    crm.sim.sub_faults.fail(500, times=10, path="/Accounts")
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("companies", [_company(1)], "website")
    assert results[0].outcome is Outcome.FAILED and results[0].error is not None
    assert results[0].error.action is Action.RETRY
    assert results[0].error.message == "Internal server error"


async def test_a_create_without_a_key_is_not_sent_twice(crm: Instance) -> None:
    crm.sim.lost_answers.fail(500, path="/Opportunities")
    async with SugarCRMConnector(crm.connection()) as connector:
        results = await connector.upsert("deals", [{"name": "Once", "amount": 1}], "id")
    assert results[0].outcome is Outcome.FAILED and results[0].error is not None
    assert results[0].error.action is Action.RETRY
    assert len(crm.sim.records("deals")) == 1
    assert len(crm.sim.calls_to("/bulk")) == 1


async def test_the_budget_keeps_requests_under_the_instances_limit() -> None:
    with running(rate_limit=(4, 1.0)) as limited:
        settings = {"requests_per_second": "4", "bulk_size": "5"}
        async with SugarCRMConnector(limited.connection(settings=settings)) as connector:
            results = await connector.upsert(
                "companies", [_company(n) for n in range(20)], "website"
            )
        _ok(results)
        assert limited.sim.rate_limited == 0
        assert len(limited.sim.calls_to("/bulk")) == 4


async def test_429s_of_a_proxy_are_waited_out_without_losing_a_record() -> None:
    with running(rate_limit=(3, 1.0)) as limited:
        settings = {"requests_per_second": "50", "bulk_size": "5"}
        async with SugarCRMConnector(limited.connection(settings=settings)) as connector:
            results = await connector.upsert(
                "companies", [_company(n) for n in range(15)], "website"
            )
            assert connector.client.stats.rate_limited > 0
        _ok(results)
        assert len(limited.sim.records("companies")) == 15


# Target Lists


async def test_accounts_contacts_and_leads_join_and_leave_a_target_list(crm: Instance) -> None:
    list_id = crm.new_list()
    lead = crm.create("Leads", {"last_name": "Lead", "email": [{"email_address": "l@x.com"}]})
    async with SugarCRMConnector(crm.connection()) as connector:
        company = (await connector.upsert("companies", [_company(1)], "website"))[0].vendor_id
        person = (await connector.upsert("contacts", [_person(1)], "email"))[0].vendor_id
        assert company and person
        added = await connector.update_list(list_id, [company, person, lead, "ghost"], [])
        again = await connector.update_list(list_id, [company], [])
        removed = await connector.update_list(list_id, [], [person, "ghost"])
    assert [(r.record_id, r.added, r.ok) for r in added] == [
        (company, True, True),
        (person, True, True),
        (lead, True, True),
        ("ghost", True, False),
    ]
    assert (
        added[3].error is not None
        and "no Accounts, Contacts, Leads record" in added[3].error.message
    )
    assert all(r.ok for r in again)
    assert [(r.ok, r.added) for r in removed] == [(True, False), (False, False)]
    assert crm.members(list_id, "accounts") == [company]
    assert crm.members(list_id, "contacts") == []
    assert crm.members(list_id, "leads") == [lead]


async def test_a_list_sugar_does_not_have_fails_each_id_in_its_words(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        company = (await connector.upsert("companies", [_company(1)], "website"))[0].vendor_id
        assert company
        results = await connector.update_list("no-such-list", [company], [company])
    assert [r.ok for r in results] == [False, False]
    assert all(r.error is not None and "no-such-list" in r.error.message for r in results)


# Identity


async def test_identity_reads_sugars_field_shapes() -> None:
    connection = Connection("sugarcrm", token=TOKEN, base_url="https://crm.example.com")
    async with SugarCRMConnector(connection) as connector:
        person = connector.identity(
            "contacts",
            {
                "email": [{"email_address": "a@b.com", "primary_address": True}],
                "first_name": "Ada",
                "last_name": "Lovelace",
            },
        )
        lead = connector.identity("leads", {"email1": "l@b.com", "full_name": "Lee"})
        company = connector.identity(
            "companies", {"name": "Acme", "website": "https://www.acme.com/about"}
        )
        deal = connector.identity("deals", {"name": "Big one"})
    assert person == Identity(email="a@b.com", name="Ada Lovelace")
    assert lead == Identity(email="l@b.com", name="Lee")
    assert company == Identity(name="Acme", domain="acme.com")
    assert deal == Identity(name="Big one")


# Finding without writing


def _writes(instance: Instance) -> list[str]:
    """The calls that could have changed records: anything but reads, searches and logins."""
    return [
        f"{call.method} {call.path}"
        for call in instance.sim.calls
        if call.method != "GET"
        and not call.path.endswith("/filter")
        and not call.path.endswith("/oauth2/token")
    ]


async def test_find_matches_emails_without_case_and_leaves_out_the_absent(crm: Instance) -> None:
    first = crm.create("Contacts", {"last_name": "A", "email": [{"email_address": "a@x.com"}]})
    second = crm.create(
        "Contacts",
        {
            "last_name": "B",
            "email": [{"email_address": "B@X.com"}, {"email_address": "b.other@x.com"}],
        },
    )
    before = crm.sim.records("contacts")
    crm.sim.calls.clear()
    values = ["A@X.COM", "a@x.com", "b@x.com", "B.Other@x.com", "nobody@x.com", ""]
    async with SugarCRMConnector(crm.connection()) as connector:
        found = await connector.find("contacts", "email", values)
    assert found == {
        "A@X.COM": first,
        "a@x.com": first,
        "b@x.com": second,
        "B.Other@x.com": second,
    }
    assert _writes(crm) == []
    assert crm.sim.records("contacts") == before
    assert len(crm.sim.calls_to("/Contacts/filter", "POST")) == 1


async def test_find_names_the_oldest_of_several_records_as_upsert_would(crm: Instance) -> None:
    oldest = crm.create("Accounts", {"name": "Twice Ltd", "website": "twice.example.com"})
    crm.create("Accounts", {"name": "Twice Ltd", "website": "TWICE.example.com"})
    async with SugarCRMConnector(crm.connection()) as connector:
        by_site = await connector.find("companies", "website", ["Twice.Example.com"])
        by_name = await connector.find("companies", "name", ["twice ltd", "Other Ltd"])
        written = await connector.upsert(
            "companies", [{"website": "twice.example.com", "name": "Twice Ltd"}], "website"
        )
    assert by_site == {"Twice.Example.com": oldest}
    assert by_name == {"twice ltd": oldest}
    assert written[0].vendor_id == oldest


async def test_find_on_id_says_which_ids_name_records(crm: Instance) -> None:
    deal = crm.create("Opportunities", {"name": "Deal", "amount": 1})
    account = crm.create("Accounts", {"name": "Not a deal"})
    crm.sim.calls.clear()
    async with SugarCRMConnector(crm.connection()) as connector:
        found = await connector.find("deals", "id", [deal, "no-such-id", account])
    assert found == {deal: deal}
    assert _writes(crm) == []
    assert crm.sim.calls_to("/metadata") == []  # ids need no field list


async def test_find_searches_in_chunks_of_a_hundred_values(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        created = await connector.upsert("companies", [_company(n) for n in range(3)], "website")
        crm.sim.calls.clear()
        values = [f"C{n}.EXAMPLE.COM" for n in range(150)]
        found = await connector.find("companies", "website", values)
    assert found == {f"C{n}.EXAMPLE.COM": created[n].vendor_id for n in range(3)}
    assert len(crm.sim.calls_to("/Accounts/filter", "POST")) == 2


async def test_find_refuses_a_field_the_module_does_not_have(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        assert await connector.find("companies", "website", []) == {}
        with pytest.raises(Refused) as refusal:
            await connector.find("companies", "vat_number", ["GB123"])
    assert "no field 'vat_number'" in refusal.value.message
    assert crm.sim.calls_to("/filter") == []
