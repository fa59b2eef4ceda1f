"""``cardfile worker`` processes taking push jobs from the queue, on the store under test (the
queue in the store's own database on PostgreSQL, in a SQLite file of the data folder on the
embedded default): two of them compete, and every job runs to its end exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.conformance import SimulatorControl
from cardfile.jobs.pushes import KIND, push_params
from cardfile.jobs.tasks import Jobs
from cardfile.settings import Settings
from cardfile.store import connections, jobs
from cardfile.store.db import transaction
from cardfile.store.vault import Vault
from tests.conftest import Tenant

SECRET = "worker-test-secret-key-0123456789"


@pytest.mark.slow
def test_two_workers_run_every_job_once(
    engine: Engine,
    sessions: sessionmaker[Session],
    tenant: Tenant,
    hubspot: str,
    tmp_path: Path,
) -> None:
    control = SimulatorControl(hubspot)
    control.reset()
    settings = Settings(
        data_dir=tmp_path,
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key=SECRET,  # type: ignore[arg-type]
        queue_name=f"worker-test-{uuid.uuid4().hex[:8]}",
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
    queue = Jobs(settings, sessions)
    for job_id in made:
        queue.push(job_id)

    env = {
        **os.environ,
        "CARDFILE_DATA_DIR": str(tmp_path),
        "CARDFILE_DATABASE_URL": settings.effective_database_url,
        "CARDFILE_SECRET_KEY": SECRET,
        "CARDFILE_QUEUE_NAME": settings.queue_name,
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
    assert [s.status for s in states] == ["succeeded"] * 6, [s.error for s in states]
    assert all(s.attempts == 1 for s in states)
    assert control.stored("contacts") == 240
