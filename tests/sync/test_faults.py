"""Sync runs meeting the vendor's bad moments, injected into the HubSpot simulator: 5xx
answers, a slow answer past the client's timeout, a 429 with Retry-After, an OAuth token that
expires mid-run. Each run still ends with every record in the vendor exactly once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from simulators.hubspot import create_app
from simulators.kit import serve
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.jobs.syncs import run_sync
from cardfile.store import companies, connections, runs, syncs
from cardfile.store.db import transaction
from cardfile.store.vault import Vault
from cardfile.sync.spec import parse
from tests.conftest import Tenant

VAULT = Vault("faults test secret")
BATCHES = "/crm/v3/objects/companies/batch"


def _world(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str, credentials: dict[str, Any]
) -> None:
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials=credentials,
            base_url=hubspot,
            settings={"timeout": 1.0},
        )
        for n in range(250):
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
        }
        syncs.save(session, tenant.workspace_id, parse(definition).as_dict())


def _run(sessions: sessionmaker[Session], tenant: Tenant) -> runs.StoredRun:
    with transaction(sessions) as session:
        sync = syncs.get(session, tenant.workspace_id, "out")
        started, _ = runs.start(session, sync, full=False, dry_run=False, trigger="manual")
    asyncio.run(run_sync(sessions, VAULT, started.id))
    with sessions() as session:
        return runs.get(session, tenant.workspace_id, started.id)


@pytest.fixture
def control(hubspot: str) -> SimulatorControl:
    found = SimulatorControl(hubspot)
    found.reset()
    return found


def test_5xx_answers_and_a_timeout_are_retried(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str, control: SimulatorControl
) -> None:
    _world(sessions, tenant, hubspot, {"token": "hubspot-test-token"})
    control.fail(503, times=2, path=BATCHES)
    control.fail(502, times=1, path=BATCHES, delay=3.0)  # answered after the client gave up
    done = _run(sessions, tenant)
    assert (done.status, done.counts["created"]) == ("succeeded", 250)
    assert done.counts["retried"] >= 3
    assert control.stored("companies") == 250


def test_a_429_is_waited_out_as_long_as_it_says(
    sessions: sessionmaker[Session], tenant: Tenant, hubspot: str, control: SimulatorControl
) -> None:
    _world(sessions, tenant, hubspot, {"token": "hubspot-test-token"})
    control.fail(429, times=1, path=BATCHES, headers={"Retry-After": "1"})
    started = time.monotonic()
    done = _run(sessions, tenant)
    assert (done.status, done.counts["rate_limited"]) == ("succeeded", 1)
    assert time.monotonic() - started >= 1.0
    assert control.stored("companies") == 250


def test_an_oauth_token_expiring_mid_run_is_refreshed_and_kept(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    # Tokens live one second; three requests a second make the run last longer than that.
    app = create_app(token_lifetime=1.0, ten_second_limit=3, interval_seconds=1.0)
    with serve(app) as hubspot:
        control = SimulatorControl(hubspot)
        grant = control.grant()
        _world(
            sessions,
            tenant,
            hubspot,
            {
                "oauth": {
                    "access_token": grant["access_token"],
                    "refresh_token": grant["refresh_token"],
                    # Cardfile believes the token good for an hour: only the 401 tells it.
                    "expires_at": time.time() + 3600,
                },
                "oauth_client": {
                    "client_id": "sim-client",
                    "client_secret": "sim-secret",
                    "token_url": f"{hubspot}/oauth/v1/token",
                },
            },
        )
        done = _run(sessions, tenant)
        assert (done.status, done.counts["created"]) == ("succeeded", 250)
        assert done.counts["seconds"] > 1.0  # the token did die during the run
        assert control.stored("companies") == 250
    with sessions() as session:
        stored = connections.get(session, tenant.workspace_id, "hubspot")
    kept = stored.credentials(VAULT)["oauth"]["access_token"]
    assert kept != grant["access_token"]  # the refreshed grant was stored for the next run
