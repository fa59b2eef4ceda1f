"""Pushes too long to wait for: a job to poll, run by the server's own workers, that goes on
where it stopped when its worker dies — against the HubSpot simulator on loopback."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connection
from cardfile.connectors.conformance import SimulatorControl
from cardfile.connectors.hubspot.connector import HubSpotConnector
from cardfile.jobs.pushes import KIND, push_params, run_push
from cardfile.jobs.tasks import Jobs
from cardfile.store import jobs, people
from cardfile.store.db import transaction
from cardfile.store.schema import Job, utcnow
from cardfile.store.vault import Vault
from cardfile.sync.pushes import PushTally, estimated_seconds
from tests.api.rest.test_crm_syncs import TOKEN, _connect
from tests.conftest import LiveServer, Tenant, make_tenant

ASYNC = {"Prefer": "respond-async"}


@pytest.fixture
def crm(
    server: LiveServer, sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> httpx.Client:
    SimulatorControl(hubspot).reset()
    _connect(sessions, server, tenant, hubspot, TOKEN)
    return httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {tenant.key}"}
    )


def _contacts(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"email": f"p{i}@acme.com", "firstname": f"P{i}", "lastname": "Doe"}
        for i in range(start, start + n)
    ]


def _wait(crm: httpx.Client, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, Any] = crm.get(f"/jobs/{job_id}").json()["data"]
        if state["status"] in ("succeeded", "failed"):
            return state
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end: {state}")


def test_a_push_asked_to_run_later_is_a_job_that_ends_with_the_push_result(
    crm: httpx.Client, hubspot: str, sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    records = [*_contacts(250), {"email": "not-an-email", "firstname": "Bad"}]
    answer = crm.post("/crm-syncs/hubspot/contacts/push", json={"records": records}, headers=ASYNC)
    assert answer.status_code == 202, answer.text
    job = answer.json()["data"]
    assert (job["status"], job["records"]) == ("queued", 251)
    assert answer.headers["location"] == job["poll_url"] == f"/api/v1/jobs/{job['job_id']}"

    state = _wait(crm, job["job_id"])
    assert state["status"] == "succeeded", state
    assert state["progress"] == {"done": 251, "total": 251}
    result = state["result"]
    assert (result["pushed_count"], result["failed_count"]) == (250, 1)
    assert result["errors"][0]["record"] == "not-an-email"
    assert result["hub"]["created"] == 250
    assert SimulatorControl(hubspot).stored("contacts") == 250
    with sessions() as session:
        assert people.match(session, tenant.workspace_id, email="p249@acme.com") is not None


def test_another_workspace_cannot_see_a_job(
    crm: httpx.Client, server: LiveServer, sessions: sessionmaker[Session]
) -> None:
    answer = crm.post(
        "/crm-syncs/hubspot/contacts/push", json={"records": _contacts(1)}, headers=ASYNC
    )
    job_id = answer.json()["data"]["job_id"]
    other = make_tenant(sessions, "other-co")
    peek = httpx.get(
        f"{server.url}/api/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {other.key}"}
    )
    assert peek.status_code == 404
    assert peek.json() == {"detail": f"No job {job_id}"}


def test_the_wait_limit_follows_the_vendors_pace() -> None:
    hubspot = HubSpotConnector(Connection(provider="hubspot", token="t"))
    # 100 records a request, 190 requests in 10 s: 10,000 records take about 5 s.
    assert 5 < estimated_seconds(hubspot.capabilities, 10_000) < 6
    assert estimated_seconds(hubspot.capabilities, 100) < 0.1


def test_a_job_whose_worker_died_goes_on_from_its_progress_without_duplicates(
    server: LiveServer, sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> None:
    control = SimulatorControl(hubspot)
    control.reset()
    _connect(sessions, server, tenant, hubspot, TOKEN)
    records = _contacts(30)
    vault = Vault(server.settings.resolved_secret_key())
    with transaction(sessions) as session:
        job = jobs.create(
            session,
            tenant.workspace_id,
            KIND,
            push_params("hubspot", "hubspot", "contacts", records, None),
        )
        claimed = jobs.claim(session, job.id, stale_after=timedelta(minutes=5))
        assert claimed is not None

    async def first_ten() -> None:
        async with HubSpotConnector(
            Connection(provider="hubspot", token=TOKEN, base_url=hubspot)
        ) as connector:
            await connector.upsert("contacts", records[:10], "email")

    asyncio.run(first_ten())  # what the dead worker sent and tallied before it died
    with transaction(sessions) as session:
        jobs.save_progress(session, job.id, 1, PushTally(done=10, pushed=10).as_dict())
        session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=10))
        )

    asyncio.run(run_push(sessions, vault, job.id))

    with sessions() as session:
        done = jobs.get(session, tenant.workspace_id, job.id)
    assert (done.status, done.attempts) == ("succeeded", 2)
    assert (done.progress["done"], done.progress["pushed"]) == (30, 30)
    assert control.stored("contacts") == 30


def test_the_sweep_queues_again_a_job_nobody_runs(
    server: LiveServer, sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> None:
    SimulatorControl(hubspot).reset()
    _connect(sessions, server, tenant, hubspot, TOKEN)
    with transaction(sessions) as session:
        job = jobs.create(
            session,
            tenant.workspace_id,
            KIND,
            push_params("hubspot", "hubspot", "contacts", _contacts(3), None),
        )
        session.execute(
            update(Job).where(Job.id == job.id).values(created_at=utcnow() - timedelta(minutes=10))
        )
    queue = Jobs(server.settings.model_copy(update={"queue_name": "sweep-test"}), sessions)
    queue.sweep.call_local()
    assert queue.huey.pending_count() == 1
    task = queue.huey.dequeue()
    assert task is not None
    queue.huey.execute(task)
    with sessions() as session:
        assert jobs.get(session, tenant.workspace_id, job.id).status == "succeeded"


@pytest.mark.slow
def test_ten_thousand_contacts_are_pushed_and_none_lost(
    crm: httpx.Client, hubspot: str, sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    answer = crm.post(
        "/crm-syncs/hubspot/contacts/push", json={"records": _contacts(10_000)}, timeout=120
    )
    assert answer.status_code == 200, answer.text  # within the wait limit: answered when done
    data = answer.json()["data"]
    assert (data["pushed_count"], data["failed_count"], data["hub"]["created"]) == (
        10_000,
        0,
        10_000,
    )
    assert SimulatorControl(hubspot).stored("contacts") == 10_000
