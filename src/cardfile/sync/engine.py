"""One run of a sync: read the hub in chunks, send only what changed, keep what happened.

For each chunk of hub records the run maps every record to its vendor payload and fingerprints
it; a record whose fingerprint is the one the vendor last accepted is left alone (``--full``
sends it anyway), as is a failed record whose retry time has not come. The rest go to the
connector, which batches, paces and retries them, in groups of ten of its batches. After each
group the run stores every record's outcome and state, writes the vendor's ids back to hub
companies, and stores its counts, in one transaction. So a worker killed at any point loses at
most the group in flight, which the next attempt sends again: the vendor matches it by key, so
nothing is duplicated, and nothing confirmed is sent twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connector, Outcome, RecordResult
from cardfile.store import companies, runs
from cardfile.store.db import in_transaction
from cardfile.store.runs import Result, State, StoredRun
from cardfile.store.schema import EXTERNAL_ID_COLUMNS, utcnow
from cardfile.store.syncs import StoredSync
from cardfile.sync.mapping import fingerprint, match_value, payload
from cardfile.sync.pushes import vendor_entity
from cardfile.sync.source import HubRecord, Reader
from cardfile.sync.spec import Mode, SyncSpec, parse

FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=24)
T = TypeVar("T")


@dataclass
class Counts:
    """A run's tally."""

    planned: int = 0  # records the run looked at (those the filter let through)
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # not sent: the vendor already has this payload
    failed: int = 0
    waiting: int = 0  # failed earlier; not yet due for another try
    filtered: int = 0
    skipped: int = 0  # left alone by the mode: update-only's absent, create-only's existing
    removed: int = 0  # mirror: taken out of the vendor after leaving the source
    requests: int = 0
    rate_limited: int = 0
    retried: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Counts:
        """The counts a run stored (empty for a fresh run)."""
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def status_of(counts: Counts, *, cancelled: bool) -> str:
    """How a run ended, as a person reads it."""
    if cancelled:
        return runs.CANCELLED
    if counts.failed and not (counts.created or counts.updated or counts.unchanged):
        return runs.FAILED
    return runs.PARTIAL if counts.failed else runs.SUCCEEDED


def retry_time(attempt: int, now: datetime) -> datetime:
    """When a record that failed ``attempt`` times may be tried again: a minute after the
    first failure, doubling, at most a day."""
    wait: timedelta = min(FIRST_RETRY * (2 ** max(attempt - 1, 0)), LAST_RETRY)
    return now + wait


@dataclass(frozen=True)
class _Planned:
    record: HubRecord
    payload: dict[str, Any]
    fingerprint: str
    state: State | None


class Run:
    """One run of one sync, on its connector."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        connector: Connector,
        sync: StoredSync,
        run: StoredRun,
        *,
        chunk: int = 2000,
        heartbeat: Callable[[Session, dict[str, Any]], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.connector = connector
        self.sync = sync
        self.run = run
        self.spec: SyncSpec = parse(sync.definition)
        self.entity = vendor_entity(connector, self.spec.entity)
        self.chunk = chunk
        self.heartbeat = heartbeat
        self.group = max(connector.capabilities.batch_size * 10, 50)
        self.counts = Counts()
        self.departed: list[int] = []  # mirror: records the filter now leaves out
        self._reader: Reader | None = None
        self._unmatched: list[Result] = []
        self._base_stats = _stats(connector)
        # Where a record's vendor id is kept in the hub (companies only: vendor ids are theirs).
        column = EXTERNAL_ID_COLUMNS.get(f"{sync.provider}Id")
        self.id_column = column if self.spec.source == "companies" else None

    async def _db(self, work: Callable[[Session], T]) -> T:
        return await asyncio.to_thread(in_transaction, self.sessions, work)

    async def execute(self) -> str:
        """Run to the end (or the cancel); the run's status."""
        started = time.monotonic()
        cancelled = False
        after = 0
        # Records to send gather across source chunks until they fill a group, so a few
        # changes spread over a million records still go out in full batches.
        pending: list[_Planned] = []
        exhausted = False
        while not cancelled and not (exhausted and not pending):
            if not exhausted and len(pending) < self.group:
                planned, after = await self._read(partial(self._next, after=after))
                exhausted = after == 0
                pending += planned
                continue
            if await self._db(lambda s: runs.by_id(s, self.run.id).cancel_requested):
                cancelled = True
                break
            group, pending = pending[: self.group], pending[self.group :]
            await self._send(group, started)
        if self._unmatched:
            await self._db(partial(self._keep, results=self._unmatched))
            self._unmatched = []
        if self.spec.mode is Mode.MIRROR and not cancelled and not self.run.dry_run:
            await self._remove_departed()
        self._tally_stats(started)
        status = status_of(self.counts, cancelled=cancelled)
        counts = self.counts.as_dict()
        await self._db(lambda s: runs.end(s, self.run.id, status, counts))
        return status

    async def _read(self, work: Callable[[Session], T]) -> T:
        """``work`` in a session of its own that only reads (no write lock on SQLite)."""

        def in_session() -> T:
            with self.sessions() as session:
                return work(session)

        return await asyncio.to_thread(in_session)

    def _next(self, session: Session, *, after: int) -> tuple[list[_Planned], int]:
        """The next chunk, planned; and where the chunk after it starts (0: the end)."""
        if self._reader is None:
            self._reader = Reader.load(session, self.sync.workspace_id, self.spec.source)
        batch = self._reader.chunk(session, after=after, size=self.chunk)
        if not batch:
            return [], 0
        return self._plan(session, batch=batch), batch[-1].id

    def _plan(self, session: Session, *, batch: list[HubRecord]) -> list[_Planned]:
        """What of ``batch`` must be sent; the rest is counted here."""
        kept = [r for r in batch if r.meets(self.spec.filter)]
        self.counts.filtered += len(batch) - len(kept)
        if self.spec.mode is Mode.MIRROR:
            self.departed += [r.id for r in batch if not r.meets(self.spec.filter)]
        self.counts.planned += len(kept)
        states = runs.states_of(session, self.sync.id, [r.id for r in kept])
        now = utcnow()
        planned: list[_Planned] = []
        unmatched: list[Result] = []
        for record in kept:
            state = states.get(record.id)
            if match_value(self.spec, record) is None:
                attempt = (state.attempts if state else 0) + 1
                unmatched.append(
                    Result(
                        record.id,
                        "failed",
                        error=f"no {self.spec.match_hub} to match the vendor's "
                        f"{self.spec.match_vendor} on",
                        attempt=attempt,
                        retry_at=retry_time(attempt, now),
                    )
                )
                continue
            made = payload(self.spec, record, creating=state is None or state.vendor_id is None)
            printed = fingerprint(made)
            if not self.run.full and state is not None:
                if state.status == "synced" and state.fingerprint == printed:
                    self.counts.unchanged += 1
                    continue
                if state.status == "failed" and state.retry_at and state.retry_at > now:
                    self.counts.waiting += 1
                    continue
            planned.append(_Planned(record, made, printed, state))
        if unmatched and not self.run.dry_run:
            self.counts.failed += len(unmatched)
            self._unmatched += unmatched  # written with the next group, or at the end
        return planned

    async def _send(self, group: list[_Planned], started: float) -> None:
        if not group:
            return
        if self.run.dry_run:
            plans = [
                Result(
                    p.record.id,
                    "would_update" if p.state and p.state.vendor_id else "would_create",
                    vendor_id=p.state.vendor_id if p.state else None,
                    payload=p.payload,
                )
                for p in group
            ]
            for plan in plans:
                self._bump("updated" if plan.outcome == "would_update" else "created")
            await self._db(lambda s: runs.record(s, self.sync.id, self.run.id, plans))
            return
        results: list[Result] = []
        planned_ids = {p.record.id: p for p in group}
        group = await self._apply_mode(group, results)
        answers = await self._upsert(group) if group else []
        now = utcnow()
        for planned, answer in zip(group, answers, strict=True):
            if answer.outcome is Outcome.FAILED:
                attempt = (planned.state.attempts if planned.state else 0) + 1
                results.append(
                    Result(
                        planned.record.id,
                        "failed",
                        vendor_id=planned.state.vendor_id if planned.state else None,
                        error=answer.error.message if answer.error else "refused",
                        attempt=attempt,
                        retry_at=retry_time(attempt, now),
                    )
                )
                self.counts.failed += 1
                continue
            outcome = answer.outcome.value  # created, updated or unchanged
            results.append(
                Result(
                    planned.record.id,
                    outcome,
                    vendor_id=answer.vendor_id,
                    fingerprint=planned.fingerprint,
                )
            )
            self._bump(outcome)
        self._tally_stats(started)
        counts = self.counts.as_dict()

        unmatched, self._unmatched = self._unmatched, []

        def keep(session: Session) -> None:
            runs.record(session, self.sync.id, self.run.id, [*results, *unmatched])
            self._write_back(session, planned_ids, results)
            runs.save_counts(session, self.run.id, counts)
            if self.heartbeat is not None:  # may refuse: another worker took the run over
                self.heartbeat(session, counts)

        await self._db(keep)

    async def _apply_mode(self, group: list[_Planned], results: list[Result]) -> list[_Planned]:
        """What of ``group`` the sync's mode lets through to the write. Update-only sends
        only records the vendor has (found by key, without writing); create-only sends only
        those it lacks, and learns the ids of those it has. Those left alone are results."""
        mode = self.spec.mode
        if mode in (Mode.UPSERT, Mode.MIRROR):
            return group
        known = [p for p in group if p.state is not None and p.state.vendor_id]
        unknown = [p for p in group if not (p.state is not None and p.state.vendor_id)]
        values = [str(p.payload[self.spec.match_vendor]) for p in unknown]
        found: dict[str, str] = {}
        if values:
            found = await self.connector.find(self.entity, self.spec.match_vendor, values)
        if mode is Mode.UPDATE:
            through = list(known)
            for planned, value in zip(unknown, values, strict=True):
                vendor_id = found.get(value)
                if vendor_id is None:
                    results.append(Result(planned.record.id, "skipped"))
                    self.counts.skipped += 1
                    continue
                through.append(
                    _Planned(
                        planned.record,
                        planned.payload,
                        planned.fingerprint,
                        _known(planned, vendor_id),
                    )
                )
            return through
        through = []  # create-only
        for planned in known:
            results.append(_left(planned, _vendor_id(planned)))
            self.counts.skipped += 1
        for planned, value in zip(unknown, values, strict=True):
            vendor_id = found.get(value)
            if vendor_id is None:
                through.append(planned)
                continue
            results.append(_left(planned, vendor_id))
            self.counts.skipped += 1
        return through

    async def _remove_departed(self) -> None:
        """Mirror: take out of the vendor what left the source (deleted from the hub, or no
        longer meeting the filter), by the ids the sync knows."""
        gone = await self._db(
            lambda s: runs.departed(
                s, self.sync.id, self.sync.workspace_id, self.spec.source, self.departed
            )
        )
        for start in range(0, len(gone), self.group):
            part = gone[start : start + self.group]
            answers = await self.connector.remove(self.entity, [v for _, v in part])
            now = utcnow()
            results: list[Result] = []
            for (record_id, vendor_id), answer in zip(part, answers, strict=True):
                if answer.outcome is Outcome.REMOVED:
                    results.append(Result(record_id, "removed", vendor_id=vendor_id))
                    self.counts.removed += 1
                else:
                    message = answer.error.message if answer.error else "refused"
                    results.append(
                        Result(
                            record_id,
                            "failed",
                            vendor_id=vendor_id,
                            error=message,
                            retry_at=retry_time(1, now),
                        )
                    )
                    self.counts.failed += 1
            await self._db(partial(self._keep, results=results))

    def _keep(self, session: Session, *, results: list[Result]) -> None:
        runs.record(session, self.sync.id, self.run.id, results)

    async def _upsert(self, group: list[_Planned]) -> list[RecordResult]:
        """Send the group: records whose vendor id is known by that id (no search, and it
        stays right when the match key's value changes), the rest by the sync's match key."""
        id_key = self.connector.capabilities.record_id_key
        by_id = [
            n for n, p in enumerate(group) if id_key and p.state is not None and p.state.vendor_id
        ]
        known = set(by_id)
        by_key = [n for n in range(len(group)) if n not in known]
        answers: list[RecordResult | None] = [None] * len(group)
        if by_id and id_key:
            sent = [{**group[n].payload, id_key: _vendor_id(group[n])} for n in by_id]
            found = await self.connector.upsert(self.entity, sent, id_key)
            for n, answer in zip(by_id, found, strict=True):
                answers[n] = answer
        if by_key:
            sent = [group[n].payload for n in by_key]
            found = await self.connector.upsert(self.entity, sent, self.spec.match_vendor)
            for n, answer in zip(by_key, found, strict=True):
                answers[n] = answer
        return [a for a in answers if a is not None]

    def _bump(self, outcome: str) -> None:
        setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)

    def _write_back(
        self, session: Session, planned: dict[int, _Planned], results: list[Result]
    ) -> None:
        """Give hub companies the vendor's id, so every face of the hub shows it (those
        whose id column is empty; an id another company holds stays in the state only)."""
        if self.id_column is None:
            return
        label = _label(self.id_column)
        ids = {
            r.record_id: r.vendor_id
            for r in results
            if r.vendor_id is not None and not planned[r.record_id].record.fields.get(label)
        }
        companies.give_ids(session, self.sync.workspace_id, self.id_column, ids)

    def _tally_stats(self, started: float) -> None:
        requests, limited, retried = _stats(self.connector)
        base = self._base_stats
        self.counts.requests = requests - base[0]
        self.counts.rate_limited = limited - base[1]
        self.counts.retried = retried - base[2]
        self.counts.seconds = round(time.monotonic() - started, 3)


def _known(planned: _Planned, vendor_id: str) -> State:
    """The planned record's state as if the sync had known the vendor's id all along."""
    base = planned.state
    return State(
        planned.record.id,
        vendor_id,
        base.fingerprint if base else None,
        base.status if base else "synced",
        base.attempts if base else 0,
        base.retry_at if base else None,
    )


def _left(planned: _Planned, vendor_id: str | None) -> Result:
    """A record create-only leaves alone: its id is kept, and its payload counts as sent, so
    later runs leave it alone without asking the vendor again."""
    return Result(
        planned.record.id, "skipped", vendor_id=vendor_id, fingerprint=planned.fingerprint
    )


def _vendor_id(planned: _Planned) -> str | None:
    return planned.state.vendor_id if planned.state is not None else None


def _label(column: str) -> str:
    return next(label for label, name in EXTERNAL_ID_COLUMNS.items() if name == column)


def _stats(connector: Connector) -> tuple[int, int, int]:
    # Connectors built on the shared HTTP layer expose their client's call statistics.
    stats = getattr(getattr(connector, "client", None), "stats", None)
    if stats is None:
        return (0, 0, 0)
    return (stats.requests, stats.rate_limited, stats.retried)
