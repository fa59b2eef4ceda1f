"""A worker killed with SIGKILL in the middle of a sync run: another worker takes the run over
and finishes it, the vendor holds each record exactly once, and the hub shows every record's
state. Real processes throughout: the HubSpot simulator, two ``cardfile worker``s, the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.jobs.tasks import Jobs
from cardfile.settings import Settings
from cardfile.store import companies, connections, runs, syncs
from cardfile.store.db import transaction
from cardfile.store.schema import Company, SyncState
from cardfile.store.vault import Vault
from cardfile.sync.spec import parse
from tests.conftest import Tenant, _free_port

SECRET = "killed-worker-test-secret-0123456789"
COMPANIES = 1200


@pytest.fixture
def slow_hubspot() -> Iterator[str]:
    """The simulator in a process of its own, at 15 requests in 10 s (a run of ~15 s)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.hubspot", "--port", str(port),
         "--ten-second-limit", "15"],
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/_simulator/stats")
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the simulator did not start"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).with_name("cardfile")), "worker", "--threads", "1"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
@pytest.mark.postgres
# The deployment that runs separate workers is the PostgreSQL one; once is enough here.
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_run_whose_worker_was_killed_ends_with_each_record_once(
    engine: Engine,
    sessions: sessionmaker[Session],
    tenant: Tenant,
    slow_hubspot: str,
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key=SECRET,  # type: ignore[arg-type]
        queue_name=f"killed-{uuid.uuid4().hex[:8]}",
        job_stale_seconds=2,
    )
    with transaction(sessions) as session:
        connections.add(
            session,
            Vault(SECRET),
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials={"token": "hubspot-test-token"},
            base_url=slow_hubspot,
        )
        for n in range(COMPANIES):
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
        sync, _ = syncs.save(session, tenant.workspace_id, parse(definition).as_dict())
        run, _ = runs.start(session, sync, full=False, dry_run=False, trigger="manual")
    queue = Jobs(settings, sessions)
    queue.sync_run(run.id)
    env = {
        **os.environ,
        "CARDFILE_DATA_DIR": str(tmp_path),
        "CARDFILE_DATABASE_URL": settings.effective_database_url,
        "CARDFILE_SECRET_KEY": SECRET,
        "CARDFILE_QUEUE_NAME": settings.queue_name,
        "CARDFILE_JOB_STALE_SECONDS": "2",
    }

    first = _worker(env)
    deadline = time.monotonic() + 60
    while _created(sessions, run.id) < 300:
        assert time.monotonic() < deadline, "the first worker made no progress"
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    with sessions() as session:
        assert runs.get(session, tenant.workspace_id, run.id).finished_at is None  # mid-run
    assert SimulatorControl(slow_hubspot).stored("companies") > 0

    time.sleep(2.5)  # the dead worker's heartbeat goes stale
    queue.sweep.call_local()  # what the periodic sweep does once a minute
    second = _worker(env)
    try:
        deadline = time.monotonic() + 120
        while True:
            with sessions() as session:
                state = runs.get(session, tenant.workspace_id, run.id)
            if state.finished_at is not None:
                break
            assert time.monotonic() < deadline, "the run was not finished by the second worker"
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(timeout=30)

    assert state.status == "succeeded", state
    assert SimulatorControl(slow_hubspot).stored("companies") == COMPANIES  # none twice
    with sessions() as session:
        synced = session.scalar(
            select(func.count()).where(SyncState.sync_id == sync.id, SyncState.status == "synced")
        )
        with_ids = session.scalar(
            select(func.count()).where(
                Company.workspace_id == tenant.workspace_id, Company.hubspot_id.is_not(None)
            )
        )
    assert (synced, with_ids) == (COMPANIES, COMPANIES)


def _created(sessions: sessionmaker[Session], run_id: str) -> int:
    with sessions() as session:
        return int(runs.by_id(session, run_id).counts.get("created", 0))
