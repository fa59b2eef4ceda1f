"""Sync runs, what each did per record, and what each sync last achieved per record.

A run is a job (``store.jobs``: queued, running, its worker's heartbeat, taken over when the
worker dies) with a ``sync_runs`` row beside it for the sync's own facts: counts, the status a
person reads (succeeded, partially failed, failed, cancelled) and a cancel request. A sync has
at most one unfinished run: asking for another while one is queued or running returns it.

``sync_states`` holds, per sync and hub record, the vendor's id and the fingerprint of the
payload the vendor last accepted (so an unchanged record is not sent again), or the failure,
its attempts and when to retry. ``run_results`` holds what each run did with each record it
sent (records left alone are only counted).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cardfile.store import bulk, jobs
from cardfile.store.errors import NotFound
from cardfile.store.schema import (
    Company,
    Connection,
    Job,
    Person,
    RunResult,
    Sync,
    SyncRun,
    SyncState,
    as_utc,
    table_of,
    utcnow,
)
from cardfile.store.syncs import StoredSync

KIND = "sync_run"
SUCCEEDED, PARTIAL, FAILED, CANCELLED = "succeeded", "partially_failed", "failed", "cancelled"


@dataclass(frozen=True)
class StoredRun:
    """A run as callers see it."""

    id: str
    sync_id: int
    workspace_id: int
    status: str
    full: bool
    dry_run: bool
    trigger: str
    cancel_requested: bool
    counts: dict[str, Any]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class State:
    """What a sync last achieved for one record."""

    record_id: int
    vendor_id: str | None
    fingerprint: str | None
    status: str
    attempts: int
    retry_at: datetime | None


@dataclass(frozen=True)
class Result:
    """What a run did with one record."""

    record_id: int
    outcome: str  # created, updated, unchanged, failed; would_create, would_update (dry run)
    vendor_id: str | None = None
    error: str | None = None
    attempt: int = 1
    payload: dict[str, Any] | None = None
    fingerprint: str | None = None  # of the payload the vendor accepted
    retry_at: datetime | None = None  # for a failure: when the next run may try again


def _aware(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def _stored(row: SyncRun) -> StoredRun:
    return StoredRun(
        id=row.id,
        sync_id=row.sync_id,
        workspace_id=row.workspace_id,
        status=row.status,
        full=row.full,
        dry_run=row.dry_run,
        trigger=row.trigger,
        cancel_requested=row.cancel_requested,
        counts=dict(row.counts or {}),
        error=row.error,
        created_at=_aware(row.created_at) or utcnow(),
        started_at=_aware(row.started_at),
        finished_at=_aware(row.finished_at),
    )


def unfinished(session: Session, sync_id: int) -> StoredRun | None:
    """The sync's queued or running run, if any."""
    row = session.scalar(
        select(SyncRun)
        .join(Job, Job.id == SyncRun.id)
        .where(SyncRun.sync_id == sync_id, Job.status.in_((jobs.QUEUED, jobs.RUNNING)))
    )
    return _stored(row) if row is not None else None


def start(
    session: Session, sync: StoredSync, *, full: bool, dry_run: bool, trigger: str
) -> tuple[StoredRun, bool]:
    """A new queued run of ``sync`` (True), or the one already queued or running (False)."""
    found = unfinished(session, sync.id)
    if found is not None:
        return found, False
    job = jobs.create(session, sync.workspace_id, KIND, {"sync_id": sync.id})
    row = SyncRun(
        id=job.id,
        sync_id=sync.id,
        workspace_id=sync.workspace_id,
        status="queued",
        full=full,
        dry_run=dry_run,
        trigger=trigger,
        cancel_requested=False,
        counts={},
    )
    session.add(row)
    session.flush()
    return _stored(row), True


def get(session: Session, workspace_id: int, run_id: str) -> StoredRun:
    """The workspace's run ``run_id``."""
    row = session.get(SyncRun, run_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"no run '{run_id}' in this workspace", field="run")
    return _stored(row)


def by_id(session: Session, run_id: str) -> StoredRun:
    """A run by id, for the worker running it."""
    row = session.get(SyncRun, run_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no run '{run_id}'", field="run")
    return _stored(row)


def list_for(session: Session, sync_id: int, *, limit: int = 50) -> list[StoredRun]:
    """The sync's latest runs, newest first."""
    rows = session.scalars(
        select(SyncRun)
        .where(SyncRun.sync_id == sync_id)
        .order_by(SyncRun.created_at.desc())
        .limit(limit)
    )
    return [_stored(r) for r in rows]


def last_finished(session: Session, sync_id: int) -> StoredRun | None:
    """The sync's latest finished run (for schedules and the list of syncs)."""
    row = session.scalar(
        select(SyncRun)
        .where(SyncRun.sync_id == sync_id, SyncRun.finished_at.is_not(None))
        .order_by(SyncRun.finished_at.desc())
        .limit(1)
    )
    return _stored(row) if row is not None else None


def request_cancel(session: Session, workspace_id: int, run_id: str) -> StoredRun:
    """Ask the run to stop after the batch in flight (a queued run never starts)."""
    row = session.get(SyncRun, run_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"no run '{run_id}' in this workspace", field="run")
    if row.finished_at is None:
        row.cancel_requested = True
        session.flush()
    return _stored(row)


def target_busy(session: Session, run_id: str, *, stale_after: timedelta) -> bool:
    """Whether another run writing to the same connection and object is under way (its
    worker still beating). Two such runs at once could both search a vendor that has no
    upsert, both find nothing, and both create. Call it in the transaction that claims the
    run: it locks the connection's row, so two workers cannot both see the target free."""
    this = session.get(SyncRun, run_id)
    if this is None:
        return False
    sync = session.get(Sync, this.sync_id)
    if sync is None:
        return False
    session.execute(
        select(Connection.id).where(Connection.id == sync.connection_id).with_for_update()
    )
    other = session.scalar(
        select(SyncRun.id)
        .join(Job, Job.id == SyncRun.id)
        .join(Sync, Sync.id == SyncRun.sync_id)
        .where(
            SyncRun.id != run_id,
            Sync.connection_id == sync.connection_id,
            Sync.entity == sync.entity,
            Job.status == jobs.RUNNING,
            Job.heartbeat_at >= utcnow() - stale_after,
        )
        .limit(1)
    )
    return other is not None


def mark_running(session: Session, run_id: str) -> None:
    """The run's worker started (or took it over)."""
    session.execute(
        update(SyncRun).where(SyncRun.id == run_id).values(status="running", started_at=utcnow())
    )


def save_counts(session: Session, run_id: str, counts: dict[str, Any]) -> None:
    """The run's counts so far."""
    session.execute(update(SyncRun).where(SyncRun.id == run_id).values(counts=counts))


def end(
    session: Session, run_id: str, status: str, counts: dict[str, Any], error: str | None = None
) -> None:
    """The run ended with ``status``."""
    session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id)
        .values(status=status, counts=counts, error=error, finished_at=utcnow())
    )


def states_of(session: Session, sync_id: int, record_ids: Sequence[int]) -> dict[int, State]:
    """What the sync last achieved for each of ``record_ids`` (absent: never sent)."""
    if not record_ids:
        return {}
    rows = session.execute(
        select(
            SyncState.record_id,
            SyncState.vendor_id,
            SyncState.fingerprint,
            SyncState.status,
            SyncState.attempts,
            SyncState.retry_at,
        ).where(SyncState.sync_id == sync_id, SyncState.record_id.in_(list(record_ids)))
    )
    return {row[0]: State(row[0], row[1], row[2], row[3], row[4], _aware(row[5])) for row in rows}


def record(session: Session, sync_id: int, run_id: str, results: Sequence[Result]) -> None:
    """Keep what a run did: each result, and each record's state for the next run.

    A failure keeps the fingerprint the vendor last accepted (so the record is sent again)
    and the vendor id it had; a dry run's results change no state.
    """
    if not results:
        return
    results_table = table_of(RunResult)
    bulk.upsert_rows(
        session,
        results_table,
        ["run_id", "record_id", "outcome", "vendor_id", "error", "attempt", "payload"],
        [
            (
                run_id,
                r.record_id,
                r.outcome,
                r.vendor_id,
                r.error,
                r.attempt,
                json.dumps(r.payload, default=str) if r.payload is not None else None,
            )
            for r in results
        ],
        key=["run_id", "record_id"],
    )
    states_table = table_of(SyncState)
    now = bulk.bound(session, states_table, "updated_at", utcnow())
    # A record create-only left alone is as good as sent: the vendor has it, under that id.
    sent = [
        r
        for r in results
        if r.outcome in ("created", "updated", "unchanged")
        or (r.outcome == "skipped" and r.vendor_id is not None)
    ]
    bulk.upsert_rows(
        session,
        states_table,
        [
            "sync_id",
            "record_id",
            "vendor_id",
            "fingerprint",
            "status",
            "error",
            "attempts",
            "retry_at",
            "run_id",
            "updated_at",
        ],
        [
            (sync_id, r.record_id, r.vendor_id, r.fingerprint, "synced", None, 0, None, run_id, now)
            for r in sent
        ],
        key=["sync_id", "record_id"],
    )
    removed = [(sync_id, r.record_id) for r in results if r.outcome == "removed"]
    if removed:
        bulk.delete_rows(session, states_table, ["sync_id", "record_id"], removed)
    failed = [r for r in results if r.outcome == "failed"]
    if failed:
        known = states_of(session, sync_id, [r.record_id for r in failed])
        bulk.upsert_rows(
            session,
            states_table,
            [
                "sync_id",
                "record_id",
                "vendor_id",
                "fingerprint",
                "status",
                "error",
                "attempts",
                "retry_at",
                "run_id",
                "updated_at",
            ],
            [
                (
                    sync_id,
                    r.record_id,
                    known[r.record_id].vendor_id if r.record_id in known else None,
                    known[r.record_id].fingerprint if r.record_id in known else None,
                    "failed",
                    r.error,
                    r.attempt,
                    bulk.bound(session, states_table, "retry_at", r.retry_at),
                    run_id,
                    now,
                )
                for r in failed
            ],
            key=["sync_id", "record_id"],
        )


def departed(
    session: Session, sync_id: int, workspace_id: int, source: str, filtered: Sequence[int]
) -> list[tuple[int, str]]:
    """``(record id, vendor id)`` of what the sync put in the vendor that has left its
    source: the hub record was deleted, or is among ``filtered`` (no longer meets the
    filter)."""
    model: Any = Company if source == "companies" else Person
    living = select(model.id).where(model.workspace_id == workspace_id)
    query = select(SyncState.record_id, SyncState.vendor_id).where(
        SyncState.sync_id == sync_id, SyncState.vendor_id.is_not(None)
    )
    deleted = session.execute(query.where(SyncState.record_id.not_in(living)))
    gone = [(row[0], str(row[1])) for row in deleted]
    for start in range(0, len(filtered), 1000):
        part = list(filtered[start : start + 1000])
        gone += [
            (row[0], str(row[1]))
            for row in session.execute(query.where(SyncState.record_id.in_(part)))
        ]
    return gone


def results(
    session: Session,
    workspace_id: int,
    run_id: str,
    *,
    outcome: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[Result]:
    """A page of the run's per-record results (by record id, after ``after``)."""
    get(session, workspace_id, run_id)  # the workspace owns the run, or NotFound
    query = select(RunResult).where(RunResult.run_id == run_id, RunResult.record_id > after)
    if outcome is not None:
        query = query.where(RunResult.outcome == outcome)
    rows = session.scalars(query.order_by(RunResult.record_id).limit(limit))
    return [
        Result(
            record_id=row.record_id,
            outcome=row.outcome,
            vendor_id=row.vendor_id,
            error=row.error,
            attempt=row.attempt,
            payload=row.payload,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class RunFacts:
    """One finished or running run, as metrics add them up."""

    workspace_id: int
    sync_id: int
    provider: str
    connection_id: int
    status: str
    counts: dict[str, Any]


def all_runs(session: Session) -> list[RunFacts]:
    """Every run of every workspace, for the operator's metrics (ids only, no names)."""
    rows = session.execute(
        select(
            SyncRun.workspace_id,
            SyncRun.sync_id,
            Connection.provider,
            Connection.id,
            SyncRun.status,
            SyncRun.counts,
        )
        .join(Sync, Sync.id == SyncRun.sync_id)
        .join(Connection, Connection.id == Sync.connection_id)
        .where(SyncRun.dry_run.is_(False))
    )
    return [RunFacts(r[0], r[1], r[2], r[3], r[4], dict(r[5] or {})) for r in rows]
