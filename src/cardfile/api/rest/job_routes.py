"""``GET /api/v1/jobs/{job_id}``: how a push answered with 202 is getting on."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

from cardfile.api.rest.deps import Caller, CurrentCaller
from cardfile.api.rest.models import (
    Envelope,
    ErrorBody,
    HubResult,
    JobProgress,
    JobState,
    PushError,
    PushResult,
)
from cardfile.store import jobs
from cardfile.store.errors import NotFound
from cardfile.store.jobs import StoredJob
from cardfile.sync.pushes import PushTally

router = APIRouter(prefix="/jobs", tags=["jobs"])


def job_url(job_id: str) -> str:
    """Where a job is polled."""
    return f"/api/v1/jobs/{job_id}"


def push_result(tally: PushTally) -> PushResult:
    """A push's tally as graph8's answer (with the hub's part added)."""
    return PushResult(
        pushed_count=tally.pushed,
        failed_count=tally.failed,
        errors=[PushError(record=record, error=message) for record, message in tally.errors],
        hub=HubResult(
            created=tally.hub.created,
            updated=tally.hub.updated,
            unchanged=tally.hub.unchanged,
            errors=[PushError(record=record, error=reason) for record, reason in tally.hub.errors],
        ),
    )


def _load(caller: Caller, job_id: str) -> StoredJob:
    with caller.sessions() as session:
        try:
            return jobs.get(session, caller.workspace_id, job_id)
        except NotFound:
            raise HTTPException(404, f"No job {job_id}") from None


@router.get(
    "/{job_id}",
    response_model=Envelope[JobState],
    responses={404: {"model": ErrorBody, "description": "No such job in this workspace"}},
)
async def get_job(job_id: str, caller: CurrentCaller) -> Envelope[JobState]:
    """A job's status, progress and, once it succeeded, its result."""
    job = await run_in_threadpool(_load, caller, job_id)
    done = int(job.progress.get("done", 0)) if job.progress else 0
    return Envelope(
        data=JobState(
            job_id=job.id,
            kind=job.kind,
            status=job.status,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            attempts=job.attempts,
            progress=JobProgress(done=done, total=len(job.params.get("records", []))),
            result=push_result(PushTally.from_dict(job.progress)) if job.progress else None,
            error=job.error,
        )
    )
