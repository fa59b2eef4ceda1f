"""``importCustomersFromCSV``: a people-granularity CSV into companies and people.

Each row is one person and the company it belongs to; the ID columns belong to the company.
Rows are checked one by one (a bad row is refused with its row, column and reason, the others
applied) and written in chunks, with the driver's bulk path for each kind of write, so a file
of a million rows streams through in bounded memory. The whole file is one transaction: a
file that turns out unreadable half-way (say, a non-UTF-8 byte on row 900,000) changes
nothing. Each chunk is first tried the optimistic way (few lookups, the unique indexes as the
safety net) inside a savepoint, and redone the careful way if that meets anything unusual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import Table, exc, select
from sqlalchemy.orm import Session, SessionTransaction

from cardfile.ingest.csv.company_resolver import (
    ChunkOutcome,
    CompanyResolver,
    NeedsCareful,
    WrittenValues,
)
from cardfile.ingest.csv.people_rows import Columns, PersonRow, check_row, locate_columns
from cardfile.ingest.csv.reader import CsvSource, Progress
from cardfile.ingest.csv.report import CsvReport, Refusal
from cardfile.store import bulk, changes
from cardfile.store.schema import Company, Person, table_of, utcnow

CHUNK = 2000

_PEOPLE = table_of(Person)
_COMPANIES = table_of(Company)
_PERSON_INSERT = (
    "workspace_id",
    "email",
    "name",
    "company_id",
    "change_seq",
    "created_at",
    "updated_at",
)


@dataclass
class _Tally:
    """Company ids by outcome across the whole file, so a company whose rows span two
    chunks is counted once (created wins over updated wins over unchanged)."""

    created: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)
    seen: set[int] = field(default_factory=set)

    def add(self, outcome: ChunkOutcome) -> None:
        self.created.update(outcome.created)
        self.updated.update(outcome.updated)
        self.seen.update(outcome.seen)

    def finish(self, report: CsvReport) -> None:
        report.companies_created = len(self.created)
        report.companies_updated = len(self.updated - self.created)
        report.companies_unchanged = len(self.seen - self.updated - self.created)


@dataclass
class _PeopleOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _write_people(
    session: Session,
    workspace_id: int,
    placed: list[tuple[PersonRow, int]],
    new_companies: bulk.Rows,
    *,
    look_up: bool,
) -> tuple[_PeopleOutcome, bulk.Pending]:
    """Insert ``new_companies``, and create or update each row's person (matched by email)
    under its company.

    Without ``look_up`` (a workspace that had no people when the import began) every email
    is taken as new; one this import already wrote trips the unique index instead. The
    inserts go last and may still be finishing in the database: the caller waits on the
    returned ``Pending`` before it uses the session again.
    """
    latest: dict[str, tuple[PersonRow, int]] = {}
    for row, company_id in placed:
        latest[row.email] = (row, company_id)  # a later row for the same email wins
    existing: dict[str, tuple[int, str | None, int | None]] = {}
    if look_up:
        found = bulk.rows_matching(
            session,
            _PEOPLE,
            ("email", "id", "name", "company_id"),
            workspace_id=workspace_id,
            column="email",
            values=sorted(latest),
        )
        for email, person_id, name, company_id in found:
            existing[email] = (person_id, name, company_id)
    creates: list[tuple[str, str, int]] = []
    updates: list[tuple[str, int, int]] = []
    for email, (row, company_id) in latest.items():
        current = existing.get(email)
        if current is None:
            creates.append((email, row.person_name, company_id))
        elif current[1] != row.person_name or current[2] != company_id:
            updates.append((row.person_name, company_id, current[0]))
    outcome = _PeopleOutcome(len(creates), len(updates), len(latest) - len(creates) - len(updates))
    if not creates and not updates:
        return outcome, bulk.insert_behind(session, [new_companies])
    first = changes.take(session, len(creates) + len(updates))
    now = bulk.bound(session, _PEOPLE, "updated_at", utcnow())
    if updates:
        # A person may move to a company this chunk creates: it must exist first.
        bulk.insert_rows(session, *new_companies)
        new_companies = new_companies._replace(rows=[])
        bulk.update_rows(
            session,
            _PEOPLE,
            ["name", "company_id", "change_seq", "updated_at"],
            [
                (name, company_id, first + offset, now, person_id)
                for offset, (name, company_id, person_id) in enumerate(updates)
            ],
        )
    base = first + len(updates)
    new_people = bulk.Rows(
        _PEOPLE,
        _PERSON_INSERT,
        [
            (workspace_id, email, name, company_id, base + offset, now, now)
            for offset, (email, name, company_id) in enumerate(creates)
        ],
    )
    return outcome, bulk.insert_behind(session, [new_companies, new_people])


@dataclass
class _Resolved:
    """A chunk whose rows have found their companies (in memory; nothing written yet)."""

    rows: list[PersonRow]
    careful: bool
    resolver: CompanyResolver
    keyed: list[tuple[PersonRow, int | None]]
    refusals: CsvReport


@dataclass
class _Written:
    """A chunk's writes, sent but not yet confirmed: nothing of it reaches the report or
    the tally until the database has accepted all of them, so a chunk that is rolled back
    and redone leaves no trace."""

    rows: list[PersonRow]
    refusals: CsvReport
    companies: ChunkOutcome
    people: _PeopleOutcome
    placed: int
    pending: bulk.Pending


@dataclass
class _Import:
    """One file's import: its workspace, report and running tally.

    Chunks go through the database one after another, but not in lockstep: a chunk is
    written optimistically inside a savepoint and left to finish in the database (on
    PostgreSQL) while the next chunk is read, checked and resolved; ``settle`` then confirms
    it, or rolls it back and redoes it carefully. Resolving a chunk needs no database when
    the workspace had no companies to begin with and the chunk names none this import has
    written (``WrittenValues``); otherwise it settles the previous chunk before it looks up.
    """

    session: Session
    workspace_id: int
    report: CsvReport
    people_existed: bool
    written_values: WrittenValues | None
    tally: _Tally = field(default_factory=_Tally)
    unsettled: tuple[_Written, SessionTransaction] | None = None

    def apply(self, rows: list[PersonRow]) -> None:
        """Resolve one chunk of valid rows and start writing it."""
        if not rows:
            return
        try:
            resolved = self._resolve(rows, careful=False)
        except NeedsCareful:
            self.settle()
            self._write_carefully(rows)
            return
        self.settle()
        savepoint = self.session.begin_nested()
        try:
            written = self._send(resolved)
        except self._retryable():
            savepoint.rollback()
            self._write_carefully(rows)
            return
        self.unsettled = (written, savepoint)

    def settle(self) -> None:
        """Wait for the last chunk's writes; keep them, or redo the chunk carefully."""
        if self.unsettled is None:
            return
        written, savepoint = self.unsettled
        self.unsettled = None
        try:
            written.pending.wait()
        except self._retryable():
            savepoint.rollback()
            self._write_carefully(written.rows)
            return
        savepoint.commit()
        self._record(written)

    def abandon(self) -> None:
        """Let an unsettled chunk's writes end before the caller rolls the file back."""
        if self.unsettled is not None:
            with suppress(Exception):
                self.unsettled[0].pending.wait()
            self.unsettled = None

    def _retryable(self) -> tuple[type[BaseException], ...]:
        return (NeedsCareful, *_integrity_errors(self.session))

    def _write_carefully(self, rows: list[PersonRow]) -> None:
        written = self._send(self._resolve(rows, careful=True))
        written.pending.wait()
        self._record(written)

    def _resolve(self, rows: list[PersonRow], *, careful: bool) -> _Resolved:
        scratch = CsvReport(keep=None)
        resolver = CompanyResolver(
            self.session,
            self.workspace_id,
            rows,
            careful=careful,
            written=self.written_values,
            before_lookup=self.settle,
        )
        keyed: list[tuple[PersonRow, int | None]] = []
        previous: tuple[str, dict[str, str]] | None = None
        key: int | None = None
        for row in rows:
            # People of one company usually sit on consecutive rows that repeat its columns;
            # resolving the same description again would give the same answer.
            if previous is None or key is None or previous != (row.company_name, row.ids):
                key = resolver.resolve(row, scratch)
                previous = (row.company_name, row.ids)
            keyed.append((row, key))
        return _Resolved(rows, careful, resolver, keyed, scratch)

    def _send(self, resolved: _Resolved) -> _Written:
        companies, new_companies = resolved.resolver.write()
        placed = [(row, companies.ids[key]) for row, key in resolved.keyed if key is not None]
        people, pending = _write_people(
            self.session,
            self.workspace_id,
            placed,
            new_companies,
            look_up=resolved.careful or self.people_existed,
        )
        return _Written(resolved.rows, resolved.refusals, companies, people, len(placed), pending)

    def _record(self, written: _Written) -> None:
        self.tally.add(written.companies)
        report = self.report
        report.merge_refusals(written.refusals)
        report.rows_applied += written.placed
        report.people_created += written.people.created
        report.people_updated += written.people.updated
        report.people_unchanged += written.people.unchanged


def _integrity_errors(session: Session) -> tuple[type[Exception], ...]:
    """The exceptions a unique index raises: SQLAlchemy's, and the driver's own (the bulk
    writes use the driver directly)."""
    dbapi = session.get_bind().dialect.loaded_dbapi
    return (exc.IntegrityError, dbapi.IntegrityError)


def _batches(source: CsvSource, columns: Columns, report: CsvReport) -> Iterator[list[PersonRow]]:
    """The file's valid rows in chunks of about ``CHUNK``, each ending between two companies
    where it can (at most twice ``CHUNK``): a company whose rows all sit in one chunk needs
    no lookup of what an earlier chunk wrote. Refused rows are reported on the way."""
    batch: list[PersonRow] = []
    for raw in source.rows():
        report.rows += 1
        row = check_row(raw, columns, report)
        if row is None:
            continue
        if len(batch) >= CHUNK:
            last = batch[-1]
            same = last.company_name == row.company_name and last.ids == row.ids
            if not same or len(batch) >= 2 * CHUNK:
                yield batch
                batch = []
        batch.append(row)
    if batch:
        yield batch


def import_people(
    session: Session,
    workspace_id: int,
    stream: BinaryIO,
    *,
    progress: Progress | None = None,
    on_refusal: Callable[[Refusal], None] | None = None,
) -> CsvReport:
    """Import a people-granularity CSV into the workspace; the caller commits.

    Raises:
        CsvFileError: the file is not readable CSV or lacks a required column; nothing of
            it should be kept (the caller rolls back).
    """
    report = CsvReport(on_refusal=on_refusal)
    source = CsvSource(stream)
    columns: Columns = locate_columns(source.header, report)
    # Hold the change counter from the start: other writers of this workspace's companies
    # and people wait until the import ends, so what it looked up stays true.
    changes.lock(session)
    run = _Import(
        session,
        workspace_id,
        report,
        people_existed=_has_any(session, _PEOPLE, workspace_id),
        written_values=None if _has_any(session, _COMPANIES, workspace_id) else WrittenValues(),
    )

    with bulk.large_write(session):
        try:
            # Each chunk is read and checked while the database finishes the one before.
            for number, batch in enumerate(_batches(source, columns, report), start=1):
                if number > 1 and (number - 1) & (number - 2) == 0:  # after 1, 2, 4, 8… chunks
                    run.settle()
                    bulk.refresh_statistics(session, [_COMPANIES, _PEOPLE])
                run.apply(batch)
                if progress is not None:
                    progress(report.rows, source.bytes_read)
            run.settle()
        except BaseException:
            run.abandon()
            raise
    run.tally.finish(report)
    return report


def _has_any(session: Session, table: Table, workspace_id: int) -> bool:
    probe = select(table.c.id).where(table.c.workspace_id == workspace_id).limit(1)
    return session.execute(probe).first() is not None


__all__ = ["import_people"]
