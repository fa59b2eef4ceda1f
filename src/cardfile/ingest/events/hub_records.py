"""The people and companies one batch of events reaches, held in memory while it is applied.

Everything the batch could look a record up by (its emails, userIds, groupIds and domains) is
read from the store in a few queries up front; after that, finding, creating and changing
records happens here, event after event, exactly as the store would answer if each event were
written before the next was read. Lookups are verified against a record's current value, so a
value a record gave up earlier in the batch no longer finds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from cardfile.store.schema import Company, CompanyValue, Person, PersonValue, table_of

PERSON_COLUMNS = ("name", "email", "external_user_id", "company_id")
COMPANY_COLUMNS = ("name", "domain", "arr", "number_of_employees", "custom_id")
_CHUNK = 1000  # values per IN list: under every driver's parameter limit
_PEOPLE = table_of(Person).name
_COMPANIES = table_of(Company).name
_VALUES = {
    "person": (table_of(PersonValue).name, "person_id"),
    "company": (table_of(CompanyValue).name, "company_id"),
}
# New records sort after every stored one, in the order the batch made them (their ids will).
_NEW = 1 << 62


@dataclass(eq=False, slots=True)
class Record:
    """A person or company as the batch sees it.

    ``key`` is the stored id, or a negative stand-in for a record the batch creates (a person's
    ``company_id`` may hold one until the company is written); ``id`` is set once written.
    """

    key: int
    order: int
    fields: dict[str, Any]
    values: dict[int, str] = field(default_factory=dict)  # definition id -> stored text
    stored_fields: dict[str, Any] | None = None  # None: created by this batch
    stored_values: dict[int, str] = field(default_factory=dict)
    id: int | None = None

    @property
    def is_new(self) -> bool:
        """Whether the batch created this record."""
        return self.stored_fields is None

    def set(self, column: str, value: Any) -> bool:
        """Set one field; whether that changed it."""
        if self.fields.get(column) == value:
            return False
        self.fields[column] = value
        return True

    def set_values(self, encoded: Mapping[int, str | None]) -> bool:
        """Set attribute values (None unsets); whether that changed any."""
        changed = False
        for definition_id, text in encoded.items():
            if text is None:
                changed |= self.values.pop(definition_id, None) is not None
            elif self.values.get(definition_id) != text:
                self.values[definition_id] = text
                changed = True
        return changed

    def differs(self) -> bool:
        """Whether the record must be written: new, or changed from what is stored."""
        return (
            self.stored_fields is None
            or self.fields != self.stored_fields
            or self.values != self.stored_values
        )


class Records:
    """One kind of record, indexed by the fields events find them by.

    ``unique`` fields hold a value at most one record has (emails, userIds, customIds);
    ``shared`` ones may repeat (domains), and a lookup takes the oldest record holding it, as
    ``store.companies.match`` does.
    """

    def __init__(self, columns: Sequence[str], unique: Sequence[str], shared: Sequence[str]):
        self.columns = tuple(columns)
        self._indexed = (*unique, *shared)
        self._unique: dict[str, dict[Any, Record]] = {c: {} for c in unique}
        self._shared: dict[str, dict[Any, list[Record]]] = {c: defaultdict(list) for c in shared}
        self.by_key: dict[int, Record] = {}
        self._made = 0

    def _index(self, record: Record, column: str, value: Any) -> None:
        if value is None:
            return
        if column in self._unique:
            self._unique[column][value] = record
        elif column in self._shared:
            holders = self._shared[column][value]
            if record not in holders:
                holders.append(record)
                holders.sort(key=lambda r: r.order)

    def load(self, rows: Iterable[Sequence[Any]]) -> None:
        """Add stored records from ``(id, *columns)`` rows (one seen before is kept as is)."""
        for row in rows:
            key = int(row[0])
            if key in self.by_key:
                continue
            fields = dict(zip(self.columns, row[1:], strict=True))
            record = Record(key=key, order=key, fields=fields, stored_fields=dict(fields), id=key)
            self.by_key[key] = record
            for column in self._indexed:
                self._index(record, column, fields[column])

    def create(self, **fields: Any) -> Record:
        """A new record holding ``fields`` (the others unset)."""
        self._made += 1
        values = {column: fields.get(column) for column in self.columns}
        record = Record(key=-self._made, order=_NEW + self._made, fields=values)
        self.by_key[record.key] = record
        for column in self._indexed:
            self._index(record, column, values[column])
        return record

    def find(self, column: str, value: Any) -> Record | None:
        """The record whose ``column`` holds ``value`` now (the oldest, for a shared field)."""
        if column in self._unique:
            found = self._unique[column].get(value)
            return found if found is not None and found.fields[column] == value else None
        for record in self._shared[column].get(value, ()):
            if record.fields[column] == value:
                return record
        return None

    def assign(self, record: Record, column: str, value: Any) -> bool:
        """Set ``record``'s ``column`` (a unique value must be free); whether it changed."""
        if not record.set(column, value):
            return False
        self._index(record, column, value)
        return True

    def stored(self) -> list[Record]:
        """The records read from the store."""
        return [r for r in self.by_key.values() if not r.is_new]


def _select(
    session: Session,
    table: str,
    columns: Sequence[str],
    equal: Mapping[str, Any],
    among: Mapping[str, Sequence[Any]],
) -> list[tuple[Any, ...]]:
    """``SELECT columns FROM table`` where each ``equal`` column holds its value and each
    ``among`` column one of its values; sent as plain SQL (PostgreSQL gets each list as one
    array), which costs a fraction of building the statement with SQLAlchemy every batch."""
    postgres = session.get_bind().dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    where = [f"{column} = {mark}" for column in equal]
    params: list[Any] = list(equal.values())
    for column, values in among.items():
        if postgres:
            where.append(f"{column} = ANY(%s)")
            params.append(list(values))
        else:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params += values
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {' AND '.join(where)}"
    return [tuple(row) for row in session.connection().exec_driver_sql(sql, tuple(params))]


def _rows(
    session: Session,
    table: str,
    columns: Sequence[str],
    workspace_id: int,
    column: str,
    values: Collection[Any],
) -> list[tuple[Any, ...]]:
    """``(id, *columns)`` of the workspace's rows whose ``column`` is one of ``values``,
    oldest first.

    Sorted here rather than by the query: ``ORDER BY id`` leads SQLite's planner to walk the
    workspace's (workspace_id, id) index instead of the lookup column's, a scan that grows
    with the workspace.
    """
    wanted = sorted(values)
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(wanted), _CHUNK):
        found += _select(
            session,
            table,
            ("id", *columns),
            {"workspace_id": workspace_id},
            {column: wanted[start : start + _CHUNK]},
        )
    return sorted(found, key=lambda row: int(row[0]))


def load_people(
    session: Session,
    workspace_id: int,
    people: Records,
    *,
    emails: Collection[str],
    user_ids: Collection[str],
) -> None:
    """Read the workspace's people holding any of these emails or user ids."""
    for column, values in (("email", emails), ("external_user_id", user_ids)):
        if values:
            people.load(_rows(session, _PEOPLE, people.columns, workspace_id, column, values))


def load_companies(
    session: Session,
    workspace_id: int,
    companies: Records,
    *,
    custom_ids: Collection[str],
    domains: Collection[str],
) -> None:
    """Read the workspace's companies holding any of these customIds or domains (oldest
    first, so a domain several companies share finds the oldest)."""
    for column, values in (("custom_id", custom_ids), ("domain", domains)):
        if values:
            rows = _rows(session, _COMPANIES, companies.columns, workspace_id, column, values)
            companies.load(rows)


def load_values(
    session: Session, records: Records, entity: str, definition_ids: Collection[int]
) -> None:
    """Read the stored records' values of these definitions (what a change is measured by).

    The records are the workspace's (read by ``load_people``/``load_companies``), and so are
    their values."""
    stored = sorted(r.key for r in records.stored())
    if not stored or not definition_ids:
        return
    table, owner = _VALUES[entity]
    # By record only, the definitions picked out here: with the definitions in the query,
    # PostgreSQL may walk a definition's every value instead of the records' few.
    wanted = set(definition_ids)
    for start in range(0, len(stored), _CHUNK):
        part = stored[start : start + _CHUNK]
        rows = _select(session, table, (owner, "definition_id", "value"), {}, {owner: part})
        for record_id, definition_id, text in rows:
            if definition_id in wanted:
                record = records.by_key[record_id]
                record.values[definition_id] = text
                record.stored_values[definition_id] = text
