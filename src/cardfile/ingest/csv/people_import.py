"""``importCustomersFromCSV``: a people-granularity CSV into companies and people.

Each row is one person and the company it belongs to; the ID columns belong to the company.
Rows are validated one by one (a bad row is refused with its row, column and reason, the
others applied) and written in chunks with one bulk statement per kind of write, so a file of
a million rows streams through in bounded memory. The whole file is one transaction: a file
that turns out unreadable half-way (say, a non-UTF-8 byte on row 900,000) changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardfile.ingest.csv.reader import CsvFileError, CsvRow, CsvSource, Progress, chunks
from cardfile.ingest.csv.report import CsvReport, Refusal
from cardfile.store import bulk, changes
from cardfile.store.people import normalise_email
from cardfile.store.schema import EXTERNAL_ID_COLUMNS, Company, Person, table_of, utcnow
from cardfile.types import AttributeType, InvalidValue, TypeSpec, parse

REQUIRED = ("companyName", "name", "email")
# Cycle's doc lists "pipedrive (optional)" beside the pipedriveId column of its example.
ALIASES = {"pipedrive": "pipedriveId"}
CHUNK = 2000

_EMAIL = TypeSpec(AttributeType.EMAIL)
_COMPANIES = table_of(Company)
_PEOPLE = table_of(Person)
_ID_COLUMNS = tuple(EXTERNAL_ID_COLUMNS.values())
_LABELS = {column: label for label, column in EXTERNAL_ID_COLUMNS.items()}
_COMPANY_INSERT = (
    "id",
    "workspace_id",
    "name",
    *_ID_COLUMNS,
    "change_seq",
    "created_at",
    "updated_at",
)
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
class _Row:
    number: int
    company_name: str
    person_name: str
    email: str
    ids: dict[str, str]


@dataclass
class _Tally:
    """Company ids by outcome across the whole file, so a company whose rows span two
    chunks is counted once (created wins over updated wins over unchanged)."""

    created: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)
    seen: set[int] = field(default_factory=set)

    def finish(self, report: CsvReport) -> None:
        report.companies_created = len(self.created)
        report.companies_updated = len(self.updated - self.created)
        report.companies_unchanged = len(self.seen - self.updated - self.created)


@dataclass
class _CompanyState:
    """A company as this chunk sees it: its stored values plus the chunk's changes."""

    id: int | None
    values: dict[str, Any]
    changed: set[str] = field(default_factory=set)
    key: int = 0


def _header_map(header: list[str], report: CsvReport) -> dict[str, str]:
    """Map each understood column to its header name; note the ignored ones."""
    known = {"companyName", "name", "email", *EXTERNAL_ID_COLUMNS}
    mapping: dict[str, str] = {}
    for name in header:
        canonical = ALIASES.get(name, name)
        if canonical in known and canonical not in mapping:
            mapping[canonical] = name
        else:
            report.ignored_columns.append(name)
    missing = [column for column in REQUIRED if column not in mapping]
    if missing:
        raise CsvFileError(
            f"the header lacks the required column(s) {', '.join(missing)}; "
            f"a people import needs {', '.join(REQUIRED)}"
        )
    return mapping


def _validate(row: CsvRow, mapping: dict[str, str], report: CsvReport) -> _Row | None:
    problems: list[tuple[str | None, str]] = []
    if row.extra:
        problems.append((None, f"the row has {len(row.extra)} more cell(s) than the header"))
    company_name = row.cells[mapping["companyName"]].strip()
    if not company_name:
        problems.append((mapping["companyName"], "is empty: every row needs its company's name"))
    person_name = row.cells[mapping["name"]].strip()
    if not person_name:
        problems.append(
            (mapping["name"], "is empty: give the person's name, or 'Main contact' for a company")
        )
    raw_email = row.cells[mapping["email"]]
    email = ""
    try:
        parsed = parse(_EMAIL, raw_email)
        if parsed is None:
            problems.append((mapping["email"], "is empty: every row needs an email"))
        else:
            email = normalise_email(str(parsed)) or ""
    except InvalidValue as error:
        problems.append((mapping["email"], error.message))
    if problems:
        for column, reason in problems:
            report.refuse(row.number, column, reason)
        report.refused_rows += 1
        return None
    ids = {
        EXTERNAL_ID_COLUMNS[label]: row.cells[header].strip()
        for label, header in mapping.items()
        if label in EXTERNAL_ID_COLUMNS and row.cells[header].strip()
    }
    return _Row(row.number, company_name, person_name, email, ids)


class _ChunkCompanies:
    """Resolves each row's company inside one chunk, against the store and earlier rows."""

    def __init__(self, session: Session, workspace_id: int, rows: list[_Row]) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.states: dict[int, _CompanyState] = {}
        self.index: dict[tuple[str, str], int] = {}
        self.touched: set[int] = set()
        self._next_new = -1
        self._prefetch(rows)

    def _remember(self, values: dict[str, Any]) -> None:
        state = _CompanyState(id=values["id"], values=values, key=values["id"])
        self.states[state.key] = state
        self._index(state)

    def _index(self, state: _CompanyState) -> None:
        for column in EXTERNAL_ID_COLUMNS.values():
            value = state.values.get(column)
            if value:
                self.index[(column, value)] = state.key
        # The first company of a name wins, as in ``companies.match``.
        self.index.setdefault(("name", state.values["name"]), state.key)

    def _prefetch(self, rows: list[_Row]) -> None:
        wanted: dict[str, set[str]] = {}
        for name, ids in {(r.company_name, tuple(r.ids.items())) for r in rows}:
            for column, value in ids:
                wanted.setdefault(column, set()).add(value)
            wanted.setdefault("name", set()).add(name)
        columns = [
            _COMPANIES.c.id,
            _COMPANIES.c.name,
            *(_COMPANIES.c[c] for c in EXTERNAL_ID_COLUMNS.values()),
        ]
        seen: set[int] = set()
        for column, values in wanted.items():
            stmt = (
                select(*columns)
                .where(_COMPANIES.c.workspace_id == self.workspace_id)
                .where(_COMPANIES.c[column].in_(sorted(values)))
                .order_by(_COMPANIES.c.id)
            )
            for found in self.session.execute(stmt).mappings():
                if found["id"] not in seen:
                    seen.add(found["id"])
                    self._remember(dict(found))

    def resolve(self, row: _Row, report: CsvReport) -> int | None:
        """The state key of the row's company (created if new), or None if refused."""
        key = None
        tried: list[str] = []
        for column in EXTERNAL_ID_COLUMNS.values():
            value = row.ids.get(column)
            if value and (column, value) in self.index:
                key = self.index[(column, value)]
                break
            if value:
                tried.append(column)
        if key is not None and not self._agrees(self.states[key], row, tried, column, report):
            return None
        if key is None:
            key = self.index.get(("name", row.company_name))
            # A same-named company whose own ids contradict the row's is another company
            # (two "Acme"s in two countries), not this one.
            if key is not None and self._contradicts(self.states[key], row):
                key = None
        if key is None:
            return self._create(row)
        state = self.states[key]
        # Check every id before touching anything, so a refused row changes nothing.
        labels = _LABELS
        for column, value in row.ids.items():
            owner = self.index.get((column, value))
            if owner is not None and owner != key:
                report.refuse(
                    row.number,
                    labels[column],
                    f"{labels[column]} '{value}' already belongs to another company",
                )
                report.refused_rows += 1
                return None
        for column, value in [("name", row.company_name), *row.ids.items()]:
            if state.values.get(column) != value:
                state.values[column] = value
                state.changed.add(column)
        self._index(state)
        self.touched.add(key)
        return key

    @staticmethod
    def _agrees(
        state: _CompanyState, row: _Row, tried: list[str], matched_by: str, report: CsvReport
    ) -> bool:
        """A stronger id of the row that matched nothing must not differ from the matched
        company's own value: the row would then describe two companies at once."""
        labels = _LABELS
        for column in tried:
            held = state.values.get(column)
            if held and held != row.ids[column]:
                report.refuse(
                    row.number,
                    labels[column],
                    f"{labels[column]} '{row.ids[column]}' contradicts the company matched by "
                    f"{labels[matched_by]} '{row.ids[matched_by]}', whose {labels[column]} is "
                    f"'{held}'",
                )
                report.refused_rows += 1
                return False
        return True

    @staticmethod
    def _contradicts(state: _CompanyState, row: _Row) -> bool:
        return any(
            state.values.get(column) not in (None, "", value) for column, value in row.ids.items()
        )

    def _create(self, row: _Row) -> int:
        values: dict[str, Any] = {"id": None, "name": row.company_name, **row.ids}
        state = _CompanyState(id=None, values=values, key=self._next_new)
        self._next_new -= 1
        self.states[state.key] = state
        self._index(state)
        self.touched.add(state.key)
        return state.key

    def write(self, tally: _Tally) -> dict[int, int]:
        """Insert new and update changed companies; returns state key -> company id."""
        created = [s for s in self.states.values() if s.id is None]
        updated = [s for s in self.states.values() if s.id is not None and s.changed]
        ids = {s.key: s.id for s in self.states.values() if s.id is not None}
        tally.seen.update(ids[k] for k in self.touched if k in ids)
        tally.updated.update(s.id for s in updated if s.id is not None)
        if not created and not updated:
            return ids
        session = self.session
        first = changes.take(session, len(created) + len(updated))
        now = bulk.bound(session, _COMPANIES, "updated_at", utcnow())
        new_ids = bulk.reserve_ids(session, _COMPANIES, len(created))
        rows = []
        for offset, (state, new_id) in enumerate(zip(created, new_ids, strict=True)):
            ids[state.key] = new_id
            values = state.values
            rows.append(
                (
                    new_id,
                    self.workspace_id,
                    values["name"],
                    *(values.get(c) for c in _ID_COLUMNS),
                    first + offset,
                    now,
                    now,
                )
            )
        bulk.insert_rows(session, _COMPANIES, _COMPANY_INSERT, rows)
        tally.created.update(new_ids)
        base = first + len(created)
        by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for offset, state in enumerate(updated):
            columns = tuple(sorted(state.changed))
            by_columns[columns].append(
                (*(state.values.get(c) for c in columns), base + offset, now, state.id)
            )
        for columns, batch in by_columns.items():
            bulk.update_rows(session, _COMPANIES, [*columns, "change_seq", "updated_at"], batch)
        return ids


def _write_people(
    session: Session,
    workspace_id: int,
    placed: list[tuple[_Row, int]],
    report: CsvReport,
) -> None:
    """Create or update each row's person (matched by email) under its company."""
    latest: dict[str, tuple[_Row, int]] = {}
    for row, company_id in placed:
        latest[row.email] = (row, company_id)  # a later row for the same email wins
    existing: dict[str, tuple[int, str | None, int | None]] = {}
    emails = sorted(latest)
    for start in range(0, len(emails), 900):
        stmt = select(_PEOPLE.c.email, _PEOPLE.c.id, _PEOPLE.c.name, _PEOPLE.c.company_id).where(
            _PEOPLE.c.workspace_id == workspace_id,
            _PEOPLE.c.email.in_(emails[start : start + 900]),
        )
        for email, person_id, name, company_id in session.execute(stmt):
            existing[email] = (person_id, name, company_id)
    creates: list[tuple[str, str, int]] = []
    updates: list[tuple[str, int, int]] = []
    for email, (row, company_id) in latest.items():
        current = existing.get(email)
        if current is None:
            creates.append((email, row.person_name, company_id))
        elif current[1] != row.person_name or current[2] != company_id:
            updates.append((row.person_name, company_id, current[0]))
    report.people_unchanged += len(latest) - len(creates) - len(updates)
    if not creates and not updates:
        return
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
    report.people_created += len(creates)
    report.people_updated += len(updates)


def import_people(
    session: Session,
    workspace_id: int,
    stream: BinaryIO,
    *,
    progress: Progress | None = None,
    on_refusal: Any = None,
) -> CsvReport:
    """Import a people-granularity CSV into the workspace; the caller commits.

    Raises:
        CsvFileError: the file is not readable CSV or lacks a required column; nothing of
            it should be kept (the caller rolls back).
    """
    report = CsvReport(on_refusal=on_refusal)
    source = CsvSource(stream)
    mapping = _header_map(source.header, report)
    tally = _Tally()
    for batch in chunks(source, CHUNK):
        report.rows += len(batch)
        valid = [r for r in (_validate(row, mapping, report) for row in batch) if r is not None]
        _apply(session, workspace_id, valid, report, tally)
        if progress is not None:
            progress(report.rows, source.bytes_read)
    tally.finish(report)
    return report


def _apply(
    session: Session, workspace_id: int, rows: Iterable[_Row], report: CsvReport, tally: _Tally
) -> None:
    rows = list(rows)
    if not rows:
        return
    resolver = _ChunkCompanies(session, workspace_id, rows)
    keyed: list[tuple[_Row, int | None]] = []
    previous: tuple[str, dict[str, str]] | None = None
    key: int | None = None
    for row in rows:
        # People of one company usually sit on consecutive rows that repeat its columns;
        # resolving the same description again would give the same answer.
        if previous is None or key is None or previous != (row.company_name, row.ids):
            key = resolver.resolve(row, report)
            previous = (row.company_name, row.ids)
        keyed.append((row, key))
    ids = resolver.write(tally)
    placed = [(row, ids[key]) for row, key in keyed if key is not None]
    _write_people(session, workspace_id, placed, report)
    report.rows_applied += len(placed)


__all__ = ["Refusal", "import_people"]
