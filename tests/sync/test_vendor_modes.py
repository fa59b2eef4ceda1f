"""Update-only, create-only and mirror syncs of hub people to each vendor whose connector can
find and remove records, against its simulator: each mode changes exactly what it allows."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from simulators.kit import serve
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connection, Outcome
from cardfile.connectors.conformance import SimulatorControl
from cardfile.connectors.registry import connect, connector_class, providers
from cardfile.jobs.syncs import run_sync
from cardfile.store import connections, people, runs, syncs
from cardfile.store.db import transaction
from cardfile.store.schema import Person
from cardfile.store.vault import Vault
from cardfile.sync.spec import parse
from tests.conftest import Tenant
from tests.sync.test_vendors import VENDORS

VAULT = Vault("vendor modes test secret")
CAPABLE = sorted(
    p
    for p in providers()
    if connector_class(p).capabilities.finds and connector_class(p).capabilities.removes
)


@pytest.fixture(scope="module", params=CAPABLE)
def simulator(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    app = importlib.import_module(f"simulators.{request.param}").create_app()
    with serve(app) as base_url:
        yield request.param, base_url


def _set_up(
    sessions: sessionmaker[Session], tenant: Tenant, provider: str, base_url: str, mode: str
) -> str:
    token, entity, email_field, name_field = VENDORS[provider]
    SimulatorControl(base_url).reset()
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider=provider,
            credentials={"token": token},
            base_url=base_url,
        )
        for n in range(5):
            people.create(
                session, tenant.workspace_id, {"email": f"p{n}@acme.com", "name": f"Person {n}"}
            )
        definition: dict[str, Any] = {
            "name": "people out",
            "source": "people",
            "connection": provider,
            "entity": entity,
            "mode": mode,
            "match": {"hub": "email", "vendor": email_field},
            "mappings": [{"to": name_field, "field": "name"}],
        }
        syncs.save(session, tenant.workspace_id, parse(definition).as_dict())
    return entity


def _by_hand(provider: str, base_url: str, entity: str, *numbers: int) -> None:
    """Contacts someone made in the CRM itself, named "By hand"."""
    token, _, email_field, name_field = VENDORS[provider]
    records = [{email_field: f"p{n}@acme.com", name_field: "By hand"} for n in numbers]

    async def make() -> None:
        connection = Connection(provider=provider, token=token, base_url=base_url)
        async with connect(connection) as connector:
            done = await connector.upsert(entity, records, email_field)
        assert all(r.outcome is Outcome.CREATED for r in done), done

    asyncio.run(make())


def _run(sessions: sessionmaker[Session], tenant: Tenant) -> runs.StoredRun:
    with transaction(sessions) as session:
        sync = syncs.get(session, tenant.workspace_id, "people out")
        started, _ = runs.start(session, sync, full=False, dry_run=False, trigger="manual")
    asyncio.run(run_sync(sessions, VAULT, started.id))
    with sessions() as session:
        return runs.get(session, tenant.workspace_id, started.id)


def test_update_only(
    simulator: tuple[str, str], sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    provider, base_url = simulator
    entity = _set_up(sessions, tenant, provider, base_url, "update")
    _by_hand(provider, base_url, entity, 1, 3)
    done = _run(sessions, tenant)
    assert (done.status, done.counts["updated"], done.counts["skipped"]) == ("succeeded", 2, 3)
    assert SimulatorControl(base_url).stored(entity) == 2  # nothing created


def test_create_only(
    simulator: tuple[str, str], sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    provider, base_url = simulator
    entity = _set_up(sessions, tenant, provider, base_url, "create")
    _by_hand(provider, base_url, entity, 1)
    done = _run(sessions, tenant)
    assert (done.status, done.counts["created"], done.counts["skipped"]) == ("succeeded", 4, 1)
    assert SimulatorControl(base_url).stored(entity) == 5
    again = _run(sessions, tenant)
    assert (again.counts["unchanged"], again.counts["requests"]) == (5, 0)


def test_mirror(
    simulator: tuple[str, str], sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    provider, base_url = simulator
    entity = _set_up(sessions, tenant, provider, base_url, "mirror")
    assert _run(sessions, tenant).counts["created"] == 5
    with transaction(sessions) as session:
        first = session.scalars(select(Person).order_by(Person.id).limit(1)).one()
        people.delete_person(session, first)
    done = _run(sessions, tenant)
    assert (done.status, done.counts["removed"]) == ("succeeded", 1)
    assert SimulatorControl(base_url).stored(entity) == 4
