"""Background jobs as callers poll them: what was asked, how far it got, how it ended.

The queue (Huey) only carries a job's id; the job itself lives here, so it outlasts the
process that accepted it and a worker that died while running it. A job moves
queued → running → succeeded | failed. A running job whose worker stopped beating is
*stale*: the sweeper hands it to the queue again and it goes on from its ``progress``.

Every read takes the workspace: no caller sees another workspace's job.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cardfile.store.errors import NotFound
from cardfile.store.schema import Job, as_utc, utcnow

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"


@dataclass(frozen=True)
class StoredJob:
    """A job as callers see it."""

    id: str
    workspace_id: int
    kind: str
    status: str
    params: dict[str, Any]
    progress: dict[str, Any]
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _stored(row: Job) -> StoredJob:
    return StoredJob(
        id=row.id,
        workspace_id=row.workspace_id,
        kind=row.kind,
        status=row.status,
        params=dict(row.params),
        progress=dict(row.progress or {}),
        error=row.error,
        attempts=row.attempts,
        created_at=as_utc(row.created_at),
        started_at=as_utc(row.started_at) if row.started_at else None,
        finished_at=as_utc(row.finished_at) if row.finished_at else None,
    )


def create(session: Session, workspace_id: int, kind: str, params: dict[str, Any]) -> StoredJob:
    """A queued job of ``kind`` holding ``params``."""
    row = Job(
        id=str(uuid.uuid4()),
        workspace_id=workspace_id,
        kind=kind,
        status=QUEUED,
        params=params,
        progress={},
        attempts=0,
    )
    session.add(row)
    session.flush()
    return _stored(row)


def get(session: Session, workspace_id: int, job_id: str) -> StoredJob:
    """The workspace's job ``job_id``; NotFound for another workspace's or an unknown id."""
    row = session.scalar(select(Job).where(Job.id == job_id, Job.workspace_id == workspace_id))
    if row is None:
        raise NotFound(f"no job '{job_id}' in this workspace")
    return _stored(row)


def kind_of(session: Session, job_id: str) -> str:
    """The job's kind (which task runs it)."""
    kind = session.scalar(select(Job.kind).where(Job.id == job_id))
    if kind is None:
        raise NotFound(f"no job '{job_id}'")
    return kind


def claim(session: Session, job_id: str, *, stale_after: timedelta) -> StoredJob | None:
    """Mark the job running for this worker and count the attempt; None when it is finished,
    gone, or running under a worker that still beats (a job handed out twice runs once)."""
    now = utcnow()
    claimed = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            (Job.status == QUEUED)
            | ((Job.status == RUNNING) & (Job.heartbeat_at < now - stale_after)),
        )
        .values(status=RUNNING, attempts=Job.attempts + 1, started_at=now, heartbeat_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.get(Job, job_id, populate_existing=True)
    return _stored(row) if row is not None else None


class Superseded(RuntimeError):
    """Another worker took the job over (this one was thought dead): stop without writing."""


def _mine(job_id: str, attempt: int) -> Any:
    return (Job.id == job_id) & (Job.attempts == attempt) & (Job.status == RUNNING)


def _write(session: Session, job_id: str, attempt: int, **values: Any) -> None:
    done = session.execute(update(Job).where(_mine(job_id, attempt)).values(**values))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Superseded(f"job {job_id} was taken over by another worker")


def save_progress(session: Session, job_id: str, attempt: int, progress: dict[str, Any]) -> None:
    """Record how far attempt ``attempt`` got; also its heartbeat."""
    _write(session, job_id, attempt, progress=progress, heartbeat_at=utcnow())


def finish(session: Session, job_id: str, attempt: int, progress: dict[str, Any]) -> None:
    """The job succeeded; ``progress`` is its result."""
    now = utcnow()
    _write(
        session,
        job_id,
        attempt,
        status=SUCCEEDED,
        progress=progress,
        finished_at=now,
        heartbeat_at=now,
    )


def fail(session: Session, job_id: str, attempt: int, error: str) -> None:
    """The job failed for good, with a reason a person can act on."""
    now = utcnow()
    _write(session, job_id, attempt, status=FAILED, error=error, finished_at=now, heartbeat_at=now)


def requeue(session: Session, job_id: str, attempt: int, error: str) -> None:
    """The job met a passing failure: back to the queue, its progress and the reason kept."""
    _write(session, job_id, attempt, status=QUEUED, error=error, heartbeat_at=utcnow())


def stale(session: Session, *, older_than: timedelta, limit: int = 100) -> list[str]:
    """Ids of unfinished jobs nobody has looked after for ``older_than``: a worker died
    running them, or the queue lost them (a Redis flushed, a queue file deleted)."""
    cutoff = utcnow() - older_than
    rows = session.scalars(
        select(Job.id)
        .where(
            Job.status.in_((QUEUED, RUNNING)),
            func.coalesce(Job.heartbeat_at, Job.created_at) < cutoff,
        )
        .order_by(Job.created_at)
        .limit(limit)
    )
    return list(rows)


def touch(session: Session, job_ids: list[str]) -> None:
    """Start the clock again for jobs handed to the queue anew, so the next sweep does not
    send them once more while they wait their turn."""
    if job_ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.status.in_((QUEUED, RUNNING)))
            .values(status=QUEUED, heartbeat_at=utcnow())
        )
