"""Update-only, create-only and mirror syncs against the HubSpot simulator: each changes in
the vendor exactly what its mode allows."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.jobs.syncs import run_sync
from cardfile.store import companies, connections, runs, syncs
from cardfile.store.db import transaction
from cardfile.store.schema import Company
from cardfile.store.vault import Vault
from cardfile.sync.spec import parse
from tests.conftest import Tenant

VAULT = Vault("modes test secret")
TOKEN = "hubspot-test-token"


@pytest.fixture
def control(hubspot: str) -> SimulatorControl:
    found = SimulatorControl(hubspot)
    found.reset()
    return found


def _set_up(sessions: sessionmaker[Session], tenant: Tenant, hubspot: str, **sync: Any) -> None:
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials={"token": TOKEN},
            base_url=hubspot,
        )
        for n in range(5):
            companies.create(
                session, tenant.workspace_id, {"name": f"Co {n}", "domain": f"co{n}.example.com"}
            )
        definition = {
            "name": "out",
            "source": "companies",
            "connection": "hubspot",
            "entity": "companies",
            "match": {"hub": "domain", "vendor": "domain"},
            "mappings": [{"to": "name", "field": "name"}],
            **sync,
        }
        syncs.save(session, tenant.workspace_id, parse(definition).as_dict())


def _run(sessions: sessionmaker[Session], tenant: Tenant) -> runs.StoredRun:
    with transaction(sessions) as session:
        sync = syncs.get(session, tenant.workspace_id, "out")
        started, _ = runs.start(session, sync, full=False, dry_run=False, trigger="manual")
    asyncio.run(run_sync(sessions, VAULT, started.id))
    with sessions() as session:
        return runs.get(session, tenant.workspace_id, started.id)


def _vendor_has(hubspot: str, *domains: str) -> dict[str, str]:
    """Companies someone made in HubSpot by hand: domain -> id."""
    made = httpx.post(
        f"{hubspot}/crm/v3/objects/companies/batch/create",
        json={"inputs": [{"properties": {"domain": d, "name": "By hand"}} for d in domains]},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    made.raise_for_status()
    return {r["properties"]["domain"]: r["id"] for r in made.json()["results"]}


def _names(hubspot: str) -> dict[str, str]:
    listed = httpx.get(
        f"{hubspot}/crm/v3/objects/companies",
        params={"limit": 100, "properties": "domain,name"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    return {r["properties"]["domain"]: r["properties"]["name"] for r in listed.json()["results"]}


def test_update_only_changes_what_the_vendor_has_and_creates_nothing(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str, control: SimulatorControl
) -> None:
    _set_up(sessions, tenant, hubspot, mode="update")
    _vendor_has(hubspot, "co1.example.com", "co3.example.com")
    done = _run(sessions, tenant)
    assert (done.status, done.counts["updated"], done.counts["skipped"]) == ("succeeded", 2, 3)
    assert _names(hubspot) == {"co1.example.com": "Co 1", "co3.example.com": "Co 3"}


def test_create_only_adds_what_the_vendor_lacks_and_leaves_the_rest(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str, control: SimulatorControl
) -> None:
    _set_up(sessions, tenant, hubspot, mode="create")
    by_hand = _vendor_has(hubspot, "co1.example.com")
    done = _run(sessions, tenant)
    assert (done.counts["created"], done.counts["skipped"]) == (4, 1)
    assert _names(hubspot)["co1.example.com"] == "By hand"  # never overwritten
    with sessions() as session:
        kept = session.scalar(select(Company.hubspot_id).where(Company.name == "Co 1"))
    assert kept == by_hand["co1.example.com"]  # its id learnt all the same
    again = _run(sessions, tenant)
    assert (again.counts["unchanged"], again.counts["requests"]) == (5, 0)


def test_mirror_removes_what_left_the_source(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str, control: SimulatorControl
) -> None:
    _set_up(sessions, tenant, hubspot, mode="mirror", filter=[{"field": "name", "op": "ne",
                                                               "value": "Co 4 (closed)"}])  # fmt: skip
    assert _run(sessions, tenant).counts["created"] == 5
    with transaction(sessions) as session:
        rows = {c.name: c for c in session.scalars(select(Company))}
        companies.delete_company(session, rows["Co 0"])
        companies.update(session, rows["Co 4"], {"name": "Co 4 (closed)"})
    done = _run(sessions, tenant)
    assert (done.status, done.counts["removed"]) == ("succeeded", 2)
    assert set(_names(hubspot)) == {"co1.example.com", "co2.example.com", "co3.example.com"}
    with sessions() as session:
        removed = runs.results(session, tenant.workspace_id, done.id, outcome="removed")
    assert len(removed) == 2
    assert _run(sessions, tenant).counts["removed"] == 0  # removed once
