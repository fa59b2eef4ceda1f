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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import exc, select
from sqlalchemy.orm import Session

from cardfile.ingest.csv.company_resolver import ChunkOutcome, CompanyResolver, NeedsCareful
from cardfile.ingest.csv.people_rows import Columns, PersonRow, check_row, locate_columns
from cardfile.ingest.csv.reader import CsvSource, Progress, chunks
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
    session: Session, workspace_id: int, placed: list[tuple[PersonRow, int]], *, look_up: bool
) -> _PeopleOutcome:
    """Create or update each row's person (matched by email) under its company.

    Without ``look_up`` (a workspace that had no people when the import began) every email
    is taken as new; one this import already wrote trips the unique index instead.
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
        return outcome
    first = changes.take(session, len(creates) + len(updates))
    now = bulk.bound(session, _PEOPLE, "updated_at", utcnow())
    bulk.insert_rows(
        session,
        _PEOPLE,
        _PERSON_INSERT,
        [
            (workspace_id, email, name, company_id, first + offset, now, now)
            for offset, (email, name, company_id) in enumerate(creates)
        ],
    )
    base = first + len(creates)
    bulk.update_rows(
        session,
        _PEOPLE,
        ["name", "company_id", "change_seq", "updated_at"],
        [
            (name, company_id, base + offset, now, person_id)
            for offset, (name, company_id, person_id) in enumerate(updates)
        ],
    )
    return outcome


@dataclass
class _Import:
    """One file's import: its workspace, report and running tally."""

    session: Session
    workspace_id: int
    report: CsvReport
    people_existed: bool
    tally: _Tally = field(default_factory=_Tally)

    def apply(self, rows: list[PersonRow]) -> None:
        """Write one chunk of valid rows: optimistically, else carefully."""
        if not rows:
            return
        retry: tuple[type[BaseException], ...] = (NeedsCareful, *_integrity_errors(self.session))
        try:
            with self.session.begin_nested():
                self._write(rows, careful=False)
                return
        except retry:
            pass
        self._write(rows, careful=True)

    def _write(self, rows: list[PersonRow], *, careful: bool) -> None:
        # Nothing reaches the report or the tally before the chunk's writes succeed, so a
        # rolled-back optimistic attempt leaves no trace.
        scratch = CsvReport(keep=None)
        resolver = CompanyResolver(self.session, self.workspace_id, rows, careful=careful)
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
        companies = resolver.write()
        placed = [(row, companies.ids[key]) for row, key in keyed if key is not None]
        people = _write_people(
            self.session,
            self.workspace_id,
            placed,
            look_up=careful or self.people_existed,
        )
        self.tally.add(companies)
        report = self.report
        report.merge_refusals(scratch)
        report.rows_applied += len(placed)
        report.people_created += people.created
        report.people_updated += people.updated
        report.people_unchanged += people.unchanged


def _integrity_errors(session: Session) -> tuple[type[Exception], ...]:
    """The exceptions a unique index raises: SQLAlchemy's, and the driver's own (the bulk
    writes use the driver directly)."""
    dbapi = session.get_bind().dialect.loaded_dbapi
    return (exc.IntegrityError, dbapi.IntegrityError)


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
    people_existed = _has_people(session, workspace_id)
    run = _Import(session, workspace_id, report, people_existed)

    with bulk.large_write(session):
        for number, batch in enumerate(chunks(source, CHUNK), start=1):
            report.rows += len(batch)
            run.apply([r for r in (check_row(row, columns, report) for row in batch) if r])
            if number & (number - 1) == 0:  # after chunks 1, 2, 4, 8…: as the tables double
                bulk.refresh_statistics(session, [_COMPANIES, _PEOPLE])
            if progress is not None:
                progress(report.rows, source.bytes_read)
    run.tally.finish(report)
    return report


def _has_people(session: Session, workspace_id: int) -> bool:
    probe = select(_PEOPLE.c.id).where(_PEOPLE.c.workspace_id == workspace_id).limit(1)
    return session.execute(probe).first() is not None


__all__ = ["import_people"]
