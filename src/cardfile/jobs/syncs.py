"""A sync run as a job: claim it, run it on its connection, end it as it ended.

Also the schedule: which enabled syncs are due a run now.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from huey import crontab
from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.errors import ConnectorError, RetryLater
from cardfile.jobs.pushes import MAX_ATTEMPTS, STALE_AFTER
from cardfile.store import jobs, runs, syncs
from cardfile.store.db import in_transaction
from cardfile.store.errors import StoreError
from cardfile.store.runs import StoredRun
from cardfile.store.syncs import StoredSync
from cardfile.store.vault import Vault
from cardfile.sync.connections import open_connector
from cardfile.sync.engine import Run
from cardfile.sync.spec import SpecError, interval_of

log = logging.getLogger(__name__)
BUSY = "busy"  # another run is writing to the same vendor object: try again shortly


async def run_sync(
    sessions: sessionmaker[Session],
    vault: Vault,
    run_id: str,
    *,
    stale_after: timedelta = STALE_AFTER,
    chunk: int = 2000,
) -> str | None:
    """Run (or take over) the sync run ``run_id``; its status, None when not this worker's
    to run, or ``BUSY`` when another run is writing to the same vendor object (the caller
    queues it again for a little later).

    Raises:
        RetryLater: a passing failure of the whole run; it is queued again, to go on later.
    """

    def claim(session: Session) -> jobs.StoredJob | str | None:
        if runs.target_busy(session, run_id, stale_after=stale_after):
            return BUSY
        return jobs.claim(session, run_id, stale_after=stale_after)

    job = await asyncio.to_thread(in_transaction, sessions, claim)
    if not isinstance(job, jobs.StoredJob):
        return job  # BUSY, or None: not this worker's to run
    attempt = job.attempts

    def begin(session: Session) -> tuple[StoredRun, StoredSync]:
        runs.mark_running(session, run_id)
        run = runs.by_id(session, run_id)
        return run, syncs.by_id(session, run.sync_id)

    run, sync = await asyncio.to_thread(in_transaction, sessions, begin)

    def heartbeat(session: Session, counts: dict[str, Any]) -> None:
        jobs.save_progress(session, run_id, attempt, counts)

    async def end(status: str, error: str) -> None:
        def write(session: Session) -> None:
            runs.end(session, run_id, status, run.counts, error)
            jobs.fail(session, run_id, attempt, error)

        await asyncio.to_thread(in_transaction, sessions, write)

    if run.cancel_requested:
        await end(runs.CANCELLED, "cancelled before it started")
        return runs.CANCELLED
    try:
        connector = await asyncio.to_thread(
            open_connector, sessions, sync.workspace_id, sync.connection, vault
        )
        async with connector:
            status = await Run(
                sessions, connector, sync, run, chunk=chunk, heartbeat=heartbeat
            ).execute()
    except jobs.Superseded:
        return None
    except RetryLater as error:
        reason = error.message
        if attempt >= MAX_ATTEMPTS:
            await end(runs.FAILED, reason)
            return runs.FAILED
        await asyncio.to_thread(
            in_transaction, sessions, lambda s: jobs.requeue(s, run_id, attempt, reason)
        )
        raise
    except (ConnectorError, SpecError, StoreError) as error:
        message = getattr(error, "message", None) or str(error)
        await end(runs.FAILED, message)
        return runs.FAILED
    except Exception:
        log.exception("sync run %s failed", run_id)
        await end(runs.FAILED, "an internal error; see the worker's log")
        raise

    def finish(session: Session) -> None:
        jobs.finish(session, run_id, attempt, runs.by_id(session, run_id).counts)

    await asyncio.to_thread(in_transaction, sessions, finish)
    return status


def due(sync: StoredSync, last_started: datetime | None, now: datetime) -> bool:
    """Whether the sync's schedule calls for a run at ``now`` (checked once a minute)."""
    text = str(sync.definition.get("schedule", "manual")).strip().lower()
    if text == "manual" or not sync.definition.get("enabled", True):
        return False
    interval = interval_of(text)
    if interval is not None:
        # Within a minute of the interval: the scheduler ticks once a minute.
        return last_started is None or now - last_started >= interval - timedelta(seconds=30)
    fires = crontab(*text.split())
    already = last_started is not None and last_started >= now.replace(second=0, microsecond=0)
    return bool(fires(now)) and not already


def start_due(session: Session, now: datetime) -> list[str]:
    """Queue a run of every sync that is due; the new runs' ids."""
    started: list[str] = []
    for sync in syncs.scheduled(session):
        latest = runs.list_for(session, sync.id, limit=1)
        last = latest[0].created_at if latest else None
        if due(sync, last, now):
            run, created = runs.start(session, sync, full=False, dry_run=False, trigger="schedule")
            if created:
                started.append(run.id)
    return started
