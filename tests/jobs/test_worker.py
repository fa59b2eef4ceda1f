"""``cardfile worker`` processes taking push jobs and sync runs from the queue, on the store under test (the
queue in the store's own database on PostgreSQL, in a SQLite file of the data folder on the
embedded default): two of them compete, and every job runs to its end exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.jobs.pushes import KIND, push_params
from cardfile.jobs.tasks import Jobs
from cardfile.settings import Settings
from cardfile.store import companies, connections, jobs, runs, syncs
from cardfile.store.db import transaction
from cardfile.store.vault import Vault
from cardfile.sync.spec import parse
from tests.conftest import Tenant

SECRET = "worker-test-secret-key-0123456789"


@pytest.fixture
def queue_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Where the queue lives: the store's own database (None), or Redis."""
    if request.param == "store":
        yield None
        return
    yield request.getfixturevalue("redis_url")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("engine", "queue_url"),
    [
        ("sqlite", "store"),
        pytest.param("postgres", "store", marks=pytest.mark.postgres),
        pytest.param("postgres", "redis", marks=pytest.mark.postgres),
    ],
    indirect=True,
)
def test_two_workers_run_every_job_once(
    engine: Engine,
    sessions: sessionmaker[Session],
    tenant: Tenant,
    hubspot: str,
    tmp_path: Path,
    queue_url: str | None,
) -> None:
    control = SimulatorControl(hubspot)
    control.reset()
    settings = Settings(
        data_dir=tmp_path,
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key=SECRET,  # type: ignore[arg-type]
        queue_name=f"worker-test-{uuid.uuid4().hex[:8]}",
        redis_url=queue_url,
    )
    with transaction(sessions) as session:
        connections.add(
            session,
            Vault(SECRET),
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials={"token": "hubspot-test-token"},
            base_url=hubspot,
        )
        made = [
            jobs.create(
                session,
                tenant.workspace_id,
                KIND,
                push_params(
                    "hubspot",
                    "hubspot",
                    "contacts",
                    [{"email": f"j{j}-p{n}@acme.com"} for n in range(40)],
                    None,
                ),
            ).id
            for j in range(6)
        ]
        for n in range(150):
            companies.create(
                session, tenant.workspace_id, {"name": f"Co {n}", "domain": f"co{n}.example.com"}
            )
        sync_runs = []
        for name, mapping in (("names", "name"), ("domains too", "domain")):
            sync, _ = syncs.save(
                session,
                tenant.workspace_id,
                parse(
                    {
                        "name": name,
                        "source": "companies",
                        "connection": "hubspot",
                        "entity": "companies",
                        "match": {"hub": "domain", "vendor": "domain"},
                        "mappings": [{"to": "description", "field": mapping}],
                    }
                ).as_dict(),
            )
            run, _ = runs.start(session, sync, full=False, dry_run=False, trigger="manual")
            sync_runs.append(run.id)
    queue = Jobs(settings, sessions)
    for job_id in made:
        queue.push(job_id)
    for run_id in sync_runs:
        queue.sync_run(run_id)
    made += sync_runs

    env = {
        **os.environ,
        "CARDFILE_DATA_DIR": str(tmp_path),
        "CARDFILE_DATABASE_URL": settings.effective_database_url,
        "CARDFILE_SECRET_KEY": SECRET,
        "CARDFILE_QUEUE_NAME": settings.queue_name,
        **({"CARDFILE_REDIS_URL": queue_url} if queue_url else {}),
    }
    command = [str(Path(sys.executable).with_name("cardfile")), "worker", "--threads", "2"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sessions() as session:
                states = [jobs.get(session, tenant.workspace_id, j) for j in made]
            if all(s.status == "succeeded" for s in states):
                break
            time.sleep(0.2)
    finally:
        for process in workers:
            process.send_signal(signal.SIGINT)
        for process in workers:
            process.wait(timeout=30)
    assert [s.status for s in states] == ["succeeded"] * 8, [s.error for s in states]
    assert all(s.attempts == 1 for s in states)  # none was run twice
    assert control.stored("contacts") == 240
    assert control.stored("companies") == 150  # two syncs, one set of companies: no duplicate
