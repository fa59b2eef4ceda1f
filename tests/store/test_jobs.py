"""Jobs in the store: one workspace's job is invisible to another, a job runs once however
often it is handed out, and a job nobody looks after is found again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import jobs
from cardfile.store.db import transaction
from cardfile.store.errors import NotFound
from cardfile.store.schema import Job, utcnow
from tests.conftest import Tenant, make_tenant

STALE = timedelta(minutes=5)


def _job(sessions: sessionmaker[Session], tenant: Tenant) -> str:
    with transaction(sessions) as session:
        return jobs.create(session, tenant.workspace_id, "push", {"records": [1, 2]}).id


def _age(sessions: sessionmaker[Session], job_id: str, minutes: int) -> None:
    with transaction(sessions) as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=minutes))
        )


def test_a_job_is_read_only_from_its_own_workspace(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    job_id = _job(sessions, tenant)
    other = make_tenant(sessions, "other-co")
    with sessions() as session:
        assert jobs.get(session, tenant.workspace_id, job_id).status == "queued"
        with pytest.raises(NotFound):
            jobs.get(session, other.workspace_id, job_id)


def test_a_job_handed_out_twice_is_claimed_once(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    job_id = _job(sessions, tenant)
    with transaction(sessions) as session:
        first = jobs.claim(session, job_id, stale_after=STALE)
    with transaction(sessions) as session:
        second = jobs.claim(session, job_id, stale_after=STALE)
    assert first is not None and first.attempts == 1 and first.status == "running"
    assert second is None


def test_progress_is_kept_and_a_finished_job_is_not_claimed_again(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    job_id = _job(sessions, tenant)
    with transaction(sessions) as session:
        claimed = jobs.claim(session, job_id, stale_after=STALE)
        assert claimed is not None
        jobs.save_progress(session, job_id, claimed.attempts, {"done": 1})
        jobs.finish(session, job_id, claimed.attempts, {"done": 2})
    with transaction(sessions) as session:
        assert jobs.claim(session, job_id, stale_after=STALE) is None
        done = jobs.get(session, tenant.workspace_id, job_id)
    assert (done.status, done.progress, done.finished_at is not None) == (
        "succeeded",
        {"done": 2},
        True,
    )


def test_a_job_whose_worker_stopped_beating_is_swept_and_taken_over(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    job_id = _job(sessions, tenant)
    with transaction(sessions) as session:
        dead = jobs.claim(session, job_id, stale_after=STALE)
    assert dead is not None
    with sessions() as session:
        assert jobs.stale(session, older_than=STALE) == []
    _age(sessions, job_id, minutes=6)
    with transaction(sessions) as session:
        found = jobs.stale(session, older_than=STALE)
        jobs.touch(session, found)
    assert found == [job_id]
    with transaction(sessions) as session:
        assert jobs.stale(session, older_than=STALE) == []  # the clock started again
        taken = jobs.claim(session, job_id, stale_after=STALE)
    assert taken is not None and taken.attempts == 2
    # The first worker, not dead after all, may no longer write.
    with transaction(sessions) as session, pytest.raises(jobs.Superseded):
        jobs.save_progress(session, job_id, dead.attempts, {"done": 1})


def test_a_requeued_job_keeps_its_progress_and_reason(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    job_id = _job(sessions, tenant)
    with transaction(sessions) as session:
        claimed = jobs.claim(session, job_id, stale_after=STALE)
        assert claimed is not None
        jobs.save_progress(session, job_id, claimed.attempts, {"done": 1})
        jobs.requeue(session, job_id, claimed.attempts, "HubSpot is down")
    with transaction(sessions) as session:
        again = jobs.claim(session, job_id, stale_after=STALE)
    assert again is not None
    assert (again.progress, again.error, again.attempts) == ({"done": 1}, "HubSpot is down", 2)
