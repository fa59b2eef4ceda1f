"""The records of one object, in memory, with Salesforce's 18-character ids, timestamps and
unique-field index."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulators.salesforce.schema import SObjectSpec

_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def id_counter() -> Iterator[int]:
    """Numbers for new record ids, shared by every object of an org."""
    return itertools.count(1)


def full_id(id15: str) -> str:
    """The 18-character form of a 15-character id: three letters encoding which of its
    characters are upper case, which is how Salesforce makes ids case-insensitive."""
    suffix = ""
    for start in range(0, 15, 5):
        chunk = id15[start : start + 5]
        flags = sum(1 << bit for bit, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += _SUFFIX[flags]
    return id15 + suffix


def now_text() -> str:
    """A timestamp as Salesforce writes datetimes: ``2026-01-02T03:04:05.000+0000``."""
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + "000+0000"


def fold(value: Any) -> str:
    """A value as Salesforce compares text: without case."""
    return str(value).strip().lower()


@dataclass
class StoredRecord:
    """One record: its id, field values and the order it was created in."""

    id: str
    values: dict[str, Any]
    created: int


class ObjectStore:
    """Every record of one object."""

    def __init__(self, spec: SObjectSpec, ids: Iterator[int]) -> None:
        self.spec = spec
        self.records: dict[str, StoredRecord] = {}
        self._ids = ids
        self._unique = [f.name for f in spec.fields.values() if f.unique]
        self._index: dict[str, dict[str, str]] = {name: {} for name in self._unique}

    def clear(self) -> None:
        """Forget every record."""
        self.records.clear()
        self._index = {name: {} for name in self._unique}

    def get(self, record_id: str) -> StoredRecord | None:
        """The record with this 15- or 18-character id."""
        if len(record_id) == 15:
            record_id = full_id(record_id)
        return self.records.get(record_id)

    def holder(self, field: str, value: Any) -> str | None:
        """The id of the record holding ``value`` in the unique ``field``."""
        if value in (None, ""):
            return None
        return self._index.get(field, {}).get(fold(value))

    def holders(self, field: str, value: Any) -> list[str]:
        """The ids of every record holding ``value`` in ``field`` (a scan), oldest first."""
        wanted = fold(value)
        found = [r for r in self.records.values() if fold(r.values.get(field) or "") == wanted]
        return [r.id for r in sorted(found, key=lambda r: r.created)]

    def create(self, values: dict[str, Any]) -> StoredRecord:
        """Store a new record (its values already checked)."""
        number = next(self._ids)
        record_id = full_id(f"{self.spec.prefix}8d{number:010d}")
        stamp = now_text()
        held = {
            **values,
            "Id": record_id,
            "CreatedDate": stamp,
            "LastModifiedDate": stamp,
            "SystemModstamp": stamp,
        }
        record = StoredRecord(record_id, held, number)
        self.records[record_id] = record
        self._reindex(record, {})
        return record

    def update(self, record: StoredRecord, values: dict[str, Any]) -> None:
        """Change a record's values (already checked)."""
        before = dict(record.values)
        record.values.update(values)
        record.values["LastModifiedDate"] = record.values["SystemModstamp"] = now_text()
        self._reindex(record, before)

    def replace(self, record: StoredRecord, values: dict[str, Any]) -> None:
        """Put back every value a record held (a rolled-back update)."""
        before = dict(record.values)
        record.values.clear()
        record.values.update(values)
        self._reindex(record, before)

    def restore(self, record: StoredRecord) -> None:
        """Put back a deleted record (a rolled-back delete)."""
        self.records[record.id] = record
        self._reindex(record, {})

    def delete(self, record: StoredRecord) -> None:
        """Remove a record."""
        self.records.pop(record.id, None)
        self._reindex(None, record.values)

    def _reindex(self, record: StoredRecord | None, before: dict[str, Any]) -> None:
        for name in self._unique:
            index = self._index[name]
            old = before.get(name)
            if old not in (None, ""):
                index.pop(fold(old), None)
            if record is not None and record.values.get(name) not in (None, ""):
                index[fold(record.values[name])] = record.id

    def to_json(self, record: StoredRecord, names: list[str], version: str) -> dict[str, Any]:
        """The record as a query answers it: its ``attributes`` and the fields asked for."""
        body: dict[str, Any] = {
            "attributes": {
                "type": self.spec.name,
                "url": f"/services/data/{version}/sobjects/{self.spec.name}/{record.id}",
            }
        }
        for name in names:
            body[name] = record.values.get(name)
        return body
