"""Finding each row's company within one chunk of a people import.

Two ways to prefetch what the store holds. *Careful* looks up every id and name the chunk
mentions, so every rule (identity order, ids owned by another company, rows describing two
companies) is decided here and reported per row. *Optimistic* looks up only each company's
strongest id and its name: it decides the common case with a fraction of the lookups, and
leaves the rest to the store's unique indexes. When an optimistic chunk would refuse a row,
or an index refuses a write, the caller rolls the chunk back and redoes it carefully, so both
ways give the same result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rbloom import Bloom
from sqlalchemy.orm import Session

from cardfile.ingest.csv.people_rows import PersonRow
from cardfile.ingest.csv.report import CsvReport
from cardfile.store import bulk, changes
from cardfile.store.schema import EXTERNAL_ID_COLUMNS, Company, table_of, utcnow

COMPANIES = table_of(Company)
ID_COLUMNS = tuple(EXTERNAL_ID_COLUMNS.values())
LABELS = {column: label for label, column in EXTERNAL_ID_COLUMNS.items()}
_INSERT = ("id", "workspace_id", "name", *ID_COLUMNS, "change_seq", "created_at", "updated_at")
_FETCH = ("id", "name", *ID_COLUMNS)


class WrittenValues:
    """The names and ids an import has written, for a workspace that had no companies when
    it began (and whose other writers wait for the import): a value never written cannot be
    in the store, so only the others need a lookup.

    A Bloom filter: its memory stays fixed however large the file, and its rare false
    positive only costs a lookup that finds nothing.
    """

    def __init__(self, expected: int = 4_000_000) -> None:
        self._filter = Bloom(expected, 0.01)

    def add(self, state: CompanyState) -> None:
        """Remember a company's name and ids as written."""
        for column in ("name", *ID_COLUMNS):
            value = state.values.get(column)
            if value:
                self._filter.add((column, value))

    def may_hold(self, column: str, value: str) -> bool:
        """False when the import has certainly not written ``value`` in ``column``."""
        return (column, value) in self._filter


class NeedsCareful(Exception):
    """An optimistic chunk met a case only the careful way decides."""


@dataclass
class CompanyState:
    """A company as this chunk sees it: its stored values plus the chunk's changes."""

    id: int | None
    values: dict[str, Any]
    key: int
    changed: set[str] = field(default_factory=set)


@dataclass
class ChunkOutcome:
    """What a chunk's company writes did, for the import's tally."""

    ids: dict[int, int]  # state key -> company id
    created: list[int]
    updated: list[int]
    seen: list[int]


class CompanyResolver:
    """Resolves each row's company inside one chunk, against the store and earlier rows."""

    def __init__(
        self,
        session: Session,
        workspace_id: int,
        rows: list[PersonRow],
        *,
        careful: bool,
        written: WrittenValues | None = None,
        before_lookup: Callable[[], None] = lambda: None,
    ) -> None:
        """Prefetch what the store holds of the rows' companies.

        Args:
            written: what this import has written, when that is all the workspace's
                companies: the lookups then skip the values it has not written.
            before_lookup: called before the first lookup, to finish writes in flight.
        """
        self.session = session
        self.workspace_id = workspace_id
        self.careful = careful
        self.written = written
        self.states: dict[int, CompanyState] = {}
        self.index: dict[tuple[str, str], int] = {}
        self.touched: set[int] = set()
        self._next_new = -1
        self._prefetch(rows, before_lookup)

    def _prefetch(self, rows: list[PersonRow], before_lookup: Callable[[], None]) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        written = self.written
        for name, ids in {(r.company_name, tuple(r.ids.items())) for r in rows}:
            for column, value in [("name", name), *(ids if self.careful else ids[:1])]:
                if written is None or written.may_hold(column, value):
                    wanted[column].add(value)
        if wanted:
            before_lookup()
        fetched: set[int] = set()
        for column, values in wanted.items():
            found_rows = bulk.rows_matching(
                self.session,
                COMPANIES,
                _FETCH,
                workspace_id=self.workspace_id,
                column=column,
                values=sorted(values),
            )
            for found in found_rows:
                if found[0] not in fetched:
                    fetched.add(found[0])
                    values_of = dict(zip(_FETCH, found, strict=True))
                    state = CompanyState(id=found[0], values=values_of, key=found[0])
                    self.states[state.key] = state
                    self._index(state)

    def _index(self, state: CompanyState) -> None:
        for column in ID_COLUMNS:
            value = state.values.get(column)
            if value:
                self.index[(column, value)] = state.key
        # The first company of a name wins, as in ``companies.match``.
        self.index.setdefault(("name", state.values["name"]), state.key)

    def _refuse(self, report: CsvReport, row: PersonRow, column: str, reason: str) -> None:
        if not self.careful:
            raise NeedsCareful(reason)
        report.refuse(row.number, LABELS[column], reason)
        report.refused_rows += 1

    def resolve(self, row: PersonRow, report: CsvReport) -> int | None:
        """The state key of the row's company (created if new), or None if refused."""
        key = None
        tried: list[str] = []
        matched_by = ""
        for column in ID_COLUMNS:
            value = row.ids.get(column)
            if value and (column, value) in self.index:
                key, matched_by = self.index[(column, value)], column
                break
            if value:
                tried.append(column)
        if key is not None and not self._agrees(self.states[key], row, tried, matched_by, report):
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
        for column, value in row.ids.items():
            owner = self.index.get((column, value))
            if owner is not None and owner != key:
                reason = f"{LABELS[column]} '{value}' already belongs to another company"
                self._refuse(report, row, column, reason)
                return None
        for column, value in [("name", row.company_name), *row.ids.items()]:
            if state.values.get(column) != value:
                state.values[column] = value
                state.changed.add(column)
        self._index(state)
        self.touched.add(key)
        return key

    def _agrees(
        self,
        state: CompanyState,
        row: PersonRow,
        tried: list[str],
        matched_by: str,
        report: CsvReport,
    ) -> bool:
        """A stronger id of the row that matched nothing must not differ from the matched
        company's own value: the row would then describe two companies at once."""
        for column in tried:
            held = state.values.get(column)
            if held and held != row.ids[column]:
                reason = (
                    f"{LABELS[column]} '{row.ids[column]}' contradicts the company matched by "
                    f"{LABELS[matched_by]} '{row.ids[matched_by]}', whose {LABELS[column]} is "
                    f"'{held}'"
                )
                self._refuse(report, row, column, reason)
                return False
        return True

    @staticmethod
    def _contradicts(state: CompanyState, row: PersonRow) -> bool:
        return any(
            state.values.get(column) not in (None, "", value) for column, value in row.ids.items()
        )

    def _create(self, row: PersonRow) -> int:
        values: dict[str, Any] = {"id": None, "name": row.company_name, **row.ids}
        state = CompanyState(id=None, values=values, key=self._next_new)
        self._next_new -= 1
        self.states[state.key] = state
        self._index(state)
        self.touched.add(state.key)
        return state.key

    def write(self) -> tuple[ChunkOutcome, bulk.Rows]:
        """Update changed companies; returns the outcome and the new companies' rows, for
        the caller to insert (ids and change numbers are already theirs)."""
        created = [s for s in self.states.values() if s.id is None]
        updated = [s for s in self.states.values() if s.id is not None and s.changed]
        ids = {s.key: s.id for s in self.states.values() if s.id is not None}
        outcome = ChunkOutcome(
            ids=ids,
            created=[],
            updated=[s.id for s in updated if s.id is not None],
            seen=[ids[k] for k in self.touched if k in ids],
        )
        if self.written is not None:
            for state in (*created, *updated):
                self.written.add(state)
        if not created and not updated:
            return outcome, bulk.Rows(COMPANIES, _INSERT, [])
        session = self.session
        first = changes.take(session, len(created) + len(updated))
        now = bulk.bound(session, COMPANIES, "updated_at", utcnow())
        outcome.created = bulk.reserve_ids(session, COMPANIES, len(created))
        rows = []
        for offset, (state, new_id) in enumerate(zip(created, outcome.created, strict=True)):
            ids[state.key] = new_id
            values = state.values
            rows.append(
                (
                    new_id,
                    self.workspace_id,
                    values["name"],
                    *(values.get(c) for c in ID_COLUMNS),
                    first + offset,
                    now,
                    now,
                )
            )
        base = first + len(created)
        by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for offset, state in enumerate(updated):
            columns = tuple(sorted(state.changed))
            by_columns[columns].append(
                (*(state.values.get(c) for c in columns), base + offset, now, state.id)
            )
        for columns, batch in by_columns.items():
            bulk.update_rows(session, COMPANIES, [*columns, "change_seq", "updated_at"], batch)
        return outcome, bulk.Rows(COMPANIES, _INSERT, rows)
