"""Sync runs against the HubSpot simulator on loopback: only what changed is sent, refusals
are kept per record with the vendor's words and retried on later runs, vendor ids come back to
the hub, a dry run sends nothing, a cancel stops the run."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.jobs.syncs import run_sync
from cardfile.store import companies, connections, runs, syncs
from cardfile.store.db import transaction
from cardfile.store.schema import Company, SyncState, utcnow
from cardfile.store.vault import Vault
from cardfile.sync.spec import parse
from tests.conftest import Tenant

VAULT = Vault("engine test secret")


def definition(**changes: Any) -> dict[str, Any]:
    base = {
        "name": "companies to hubspot",
        "source": "companies",
        "connection": "hubspot",
        "entity": "companies",
        "match": {"hub": "domain", "vendor": "domain"},
        "mappings": [
            {"to": "name", "field": "name"},
            {"to": "numberofemployees", "field": "numberOfEmployees", "skip_nulls": True},
        ],
    }
    return parse({**base, **changes}).as_dict()


@pytest.fixture
def control(hubspot: str) -> SimulatorControl:
    found = SimulatorControl(hubspot)
    found.reset()
    return found


@pytest.fixture
def world(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str, control: SimulatorControl
) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials={"token": "hubspot-test-token"},
            base_url=hubspot,
        )
        for n in range(300):
            companies.create(
                session,
                tenant.workspace_id,
                {"name": f"Company {n}", "domain": f"c{n}.example.com", "number_of_employees": n},
            )
        syncs.save(session, tenant.workspace_id, definition())
    return sessions


def run(
    sessions: sessionmaker[Session], tenant: Tenant, *, full: bool = False, dry_run: bool = False
) -> runs.StoredRun:
    with transaction(sessions) as session:
        sync = syncs.get(session, tenant.workspace_id, "companies to hubspot")
        started, _ = runs.start(session, sync, full=full, dry_run=dry_run, trigger="manual")
    asyncio.run(run_sync(sessions, VAULT, started.id))
    with sessions() as session:
        return runs.get(session, tenant.workspace_id, started.id)


def test_a_first_run_creates_everything_and_gives_the_hub_the_vendors_ids(
    world: sessionmaker[Session], tenant: Tenant, control: SimulatorControl
) -> None:
    done = run(world, tenant)
    assert done.status == "succeeded"
    assert (done.counts["created"], done.counts["failed"]) == (300, 0)
    # HubSpot keeps domains unique by convention only: its fields, then a search and a create
    # for each 100.
    assert done.counts["requests"] == 7
    assert control.stored("companies") == 300
    with world() as session:
        ids = session.scalars(select(Company.hubspot_id)).all()
    assert all(ids) and len(set(ids)) == 300


def test_a_second_run_sends_only_what_changed(
    world: sessionmaker[Session], tenant: Tenant, control: SimulatorControl
) -> None:
    run(world, tenant)
    again = run(world, tenant)
    assert (again.counts["unchanged"], again.counts["requests"]) == (300, 0)
    with transaction(world) as session:
        for company in session.scalars(select(Company).order_by(Company.id).limit(3)):
            companies.update(session, company, {"name": company.name + " (renamed)"})
    third = run(world, tenant)
    assert (third.counts["updated"], third.counts["unchanged"]) == (3, 297)
    assert third.counts["requests"] == 1  # by the ids the first run learnt: no search
    assert control.stored("companies") == 300
    forced = run(world, tenant, full=True)
    assert (forced.counts["updated"], forced.counts["requests"]) == (300, 3)  # 100 a batch


def test_a_refused_record_fails_alone_and_is_retried_on_a_later_run(
    world: sessionmaker[Session], tenant: Tenant, control: SimulatorControl
) -> None:
    control.refuse("domain", "c7.example.com", "Property values were not valid: c7 is banned")
    first = run(world, tenant)
    assert first.status == "partially_failed"
    assert (first.counts["created"], first.counts["failed"]) == (299, 1)
    with world() as session:
        (failure,) = runs.results(session, tenant.workspace_id, first.id, outcome="failed")
    assert "c7 is banned" in (failure.error or "")
    assert failure.attempt == 1

    soon = run(world, tenant)  # its retry time has not come
    assert (soon.counts["waiting"], soon.counts["requests"]) == (1, 0)

    with transaction(world) as session:  # someone fixes the record; its retry time comes
        company = session.scalars(select(Company).where(Company.domain == "c7.example.com")).one()
        companies.update(session, company, {"domain": "c7-fixed.example.com"})
        session.execute(update(SyncState).values(retry_at=utcnow() - timedelta(seconds=1)))
    retried = run(world, tenant)
    assert retried.status == "succeeded"
    assert (retried.counts["created"], retried.counts["unchanged"]) == (1, 299)
    assert control.stored("companies") == 300


def test_a_dry_run_plans_every_payload_and_sends_nothing(
    world: sessionmaker[Session], tenant: Tenant, control: SimulatorControl
) -> None:
    plan = run(world, tenant, dry_run=True)
    assert (plan.status, plan.counts["created"], plan.counts["requests"]) == ("succeeded", 300, 0)
    assert control.stored("companies") == 0
    with world() as session:
        page = runs.results(session, tenant.workspace_id, plan.id, limit=2)
    assert [r.outcome for r in page] == ["would_create", "would_create"]
    assert page[0].payload == {
        "domain": "c0.example.com",
        "name": "Company 0",
        # numberOfEmployees 0 is a value, not an empty one
        "numberofemployees": 0,
    }


def test_a_run_cancelled_before_it_starts_sends_nothing(
    world: sessionmaker[Session], tenant: Tenant, control: SimulatorControl
) -> None:
    with transaction(world) as session:
        sync = syncs.get(session, tenant.workspace_id, "companies to hubspot")
        started, _ = runs.start(session, sync, full=False, dry_run=False, trigger="manual")
        runs.request_cancel(session, tenant.workspace_id, started.id)
    assert asyncio.run(run_sync(world, VAULT, started.id)) == "cancelled"
    assert control.stored("companies") == 0


def test_one_unfinished_run_per_sync(world: sessionmaker[Session], tenant: Tenant) -> None:
    with transaction(world) as session:
        sync = syncs.get(session, tenant.workspace_id, "companies to hubspot")
        first, created = runs.start(session, sync, full=False, dry_run=False, trigger="manual")
        second, again = runs.start(session, sync, full=True, dry_run=False, trigger="manual")
    assert created and not again and second.id == first.id


def test_changes_spread_over_the_source_go_out_in_full_batches(
    world: sessionmaker[Session], tenant: Tenant, control: SimulatorControl
) -> None:
    run(world, tenant)
    with transaction(world) as session:  # one company in every 30, across all the chunks
        for company in session.scalars(select(Company).order_by(Company.id)):
            if company.id % 30 == 0:
                companies.update(session, company, {"name": company.name + " (renamed)"})
    with transaction(world) as session:
        sync = syncs.get(session, tenant.workspace_id, "companies to hubspot")
        started, _ = runs.start(session, sync, full=False, dry_run=False, trigger="manual")

    # Chunks of 20 records: each holds at most one change, yet one request sends all ten.
    asyncio.run(run_sync(world, VAULT, started.id, chunk=20))
    with world() as session:
        done = runs.get(session, tenant.workspace_id, started.id)
    assert (done.counts["updated"], done.counts["requests"]) == (10, 1)
