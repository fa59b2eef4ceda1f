"""The same sync run against every vendor's simulator: hub people to the vendor's contacts,
matched by email. The first run creates each once, a second sends nothing, and a change goes
out as an update by the vendor's own id, creating no duplicate."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from simulators.kit import serve
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.jobs.syncs import run_sync
from cardfile.store import connections, people, runs, syncs
from cardfile.store.db import transaction
from cardfile.store.schema import Person
from cardfile.store.vault import Vault
from cardfile.sync.spec import parse
from tests.conftest import Tenant

VAULT = Vault("vendors test secret")
PEOPLE = 30

# provider -> (token, the contacts entity, its email field, the field a person's name goes to)
VENDORS: dict[str, tuple[str, str, str, str]] = {
    "hubspot": ("hubspot-test-token", "contacts", "email", "lastname"),
    "attio": ("attio-test-token", "people", "email_addresses", "job_title"),
    "salesforce": ("salesforce-test-token", "contacts", "Email", "LastName"),
    "pipedrive": ("pipedrive-test-token", "contacts", "emails", "name"),
    "zoho": ("zoho-test-token", "contacts", "Email", "Last_Name"),
    "sugarcrm": ("admin:sugar-sim-password", "contacts", "email", "last_name"),
}


@pytest.fixture(scope="module", params=sorted(VENDORS))
def simulator(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    app = importlib.import_module(f"simulators.{request.param}").create_app()
    with serve(app) as base_url:
        yield request.param, base_url


def _run(sessions: sessionmaker[Session], tenant: Tenant) -> runs.StoredRun:
    with transaction(sessions) as session:
        sync = syncs.get(session, tenant.workspace_id, "people out")
        started, _ = runs.start(session, sync, full=False, dry_run=False, trigger="manual")
    asyncio.run(run_sync(sessions, VAULT, started.id))
    with sessions() as session:
        return runs.get(session, tenant.workspace_id, started.id)


def test_people_reach_each_vendor_once_and_changes_follow_by_id(
    simulator: tuple[str, str], sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    provider, base_url = simulator
    token, entity, email_field, name_field = VENDORS[provider]
    control = SimulatorControl(base_url)
    control.reset()
    definition: dict[str, Any] = {
        "name": "people out",
        "source": "people",
        "connection": provider,
        "entity": entity,
        "match": {"hub": "email", "vendor": email_field},
        "mappings": [{"to": name_field, "field": "name"}],
    }
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider=provider,
            credentials={"token": token},
            base_url=base_url,
        )
        for n in range(PEOPLE):
            people.create(
                session, tenant.workspace_id, {"email": f"p{n}@acme.com", "name": f"Person {n}"}
            )
        syncs.save(session, tenant.workspace_id, parse(definition).as_dict())

    first = _run(sessions, tenant)
    assert (first.status, first.counts["created"]) == ("succeeded", PEOPLE), first
    assert control.stored(entity) == PEOPLE

    second = _run(sessions, tenant)
    assert (second.counts["unchanged"], second.counts["requests"]) == (PEOPLE, 0)

    with transaction(sessions) as session:
        for person in session.scalars(select(Person).order_by(Person.id).limit(2)):
            people.update(session, person, {"name": f"{person.name} Renamed"})
    third = _run(sessions, tenant)
    assert third.status == "succeeded", third
    assert (third.counts["updated"], third.counts["unchanged"]) == (2, PEOPLE - 2)
    assert control.stored(entity) == PEOPLE  # updated by id: no duplicate
