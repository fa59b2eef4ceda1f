"""The records of one object type, in memory, with HubSpot's ids, timestamps and uniqueness.

Unique values (``hasUniqueValue`` properties, and contacts' ``email``, which HubSpot keeps
unique without flagging it) are indexed, so upserts find their record without a scan.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from simulators.hubspot.properties import (
    DEFAULT_READ,
    LAST_MODIFIED,
    Property,
    default_properties,
    iso,
    now_ms,
)


@dataclass
class StoredRecord:
    """One record: its id, property values and timestamps (epoch milliseconds)."""

    id: str
    values: dict[str, str]
    created_ms: int
    updated_ms: int

    def to_json(self, names: Iterable[str] | None, object_type: str) -> dict[str, Any]:
        """The record as HubSpot's ``SimplePublicObject``, with ``names`` (None: defaults)."""
        wanted = list(DEFAULT_READ[object_type] if names is None else names)
        for always in ("hs_object_id", "createdate", LAST_MODIFIED[object_type]):
            if always not in wanted:
                wanted.append(always)
        return {
            "id": self.id,
            "properties": {name: self.values.get(name) for name in wanted},
            "createdAt": iso(self.created_ms),
            "updatedAt": iso(self.updated_ms),
            "archived": False,
        }


class ObjectStore:
    """Every record of one object type (``companies`` or ``contacts``)."""

    def __init__(self, object_type: str, ids: Iterator[int]) -> None:
        self.object_type = object_type
        self.properties: dict[str, Property] = default_properties(object_type)
        self.records: dict[str, StoredRecord] = {}
        self._ids = ids
        self._index: dict[str, dict[str, str]] = {}
        self._last_ms = 0
        self._rebuild_index()

    def clear(self) -> None:
        """Forget every record (the properties stay, as a portal's schema does)."""
        self.records.clear()
        self._rebuild_index()

    def add_property(self, prop: Property) -> None:
        """Add a custom property (indexed when unique)."""
        self.properties[prop.name] = prop
        self._rebuild_index()

    def unique_names(self) -> set[str]:
        """Properties whose values identify one record."""
        names = {p.name for p in self.properties.values() if p.unique}
        if self.object_type == "contacts":
            names.add("email")
        return names

    def key(self, name: str, value: str) -> str:
        """A unique value as compared (emails ignore case)."""
        return value.lower() if name == "email" else value

    def find(self, name: str, value: str) -> StoredRecord | None:
        """The record whose unique property ``name`` holds ``value``."""
        if name == "hs_object_id":
            return self.records.get(value)
        found = self._index.get(name, {}).get(self.key(name, value))
        return self.records.get(found) if found else None

    def holder(
        self, values: dict[str, str | None], exclude: str | None
    ) -> tuple[str, str, str] | None:
        """``(property, value, record id)`` of another record already holding a unique value."""
        for name in self.unique_names():
            value = values.get(name)
            if value is None:
                continue
            owner = self._index.get(name, {}).get(self.key(name, value))
            if owner is not None and owner != exclude:
                return name, value, owner
        return None

    def archive(self, record_id: str) -> bool:
        """Move a record to the recycling bin (here: forget it); False when there is none."""
        record = self.records.pop(record_id, None)
        if record is None:
            return False
        for name, index in self._index.items():
            value = record.values.get(name)
            if value is not None:
                index.pop(self.key(name, value), None)
        return True

    def _tick(self) -> int:
        # Writes in one batch may share a millisecond, as they do in HubSpot; never go back.
        self._last_ms = max(self._last_ms, now_ms())
        return self._last_ms

    def create(self, values: dict[str, str | None]) -> StoredRecord:
        """A new record holding ``values`` (None values are left unset)."""
        record_id = str(next(self._ids))
        ms = self._tick()
        record = StoredRecord(record_id, {}, ms, ms)
        record.values["hs_object_id"] = record_id
        record.values["createdate"] = iso(ms)
        self.records[record_id] = record
        self._write(record, values, ms)
        return record

    def update(self, record: StoredRecord, values: dict[str, str | None]) -> StoredRecord:
        """Set ``values`` on ``record`` (None clears); bumps the last-modified date on change."""
        changed = any(record.values.get(name) != value for name, value in values.items())
        if changed:
            self._write(record, values, self._tick())
        return record

    def _write(self, record: StoredRecord, values: dict[str, str | None], ms: int) -> None:
        unique = self.unique_names()
        for name, value in values.items():
            old = record.values.get(name)
            if name in unique and old is not None:
                self._index.get(name, {}).pop(self.key(name, old), None)
            if value is None:
                record.values.pop(name, None)
            else:
                record.values[name] = value
                if name in unique:
                    self._index.setdefault(name, {})[self.key(name, value)] = record.id
        record.updated_ms = ms
        record.values[LAST_MODIFIED[self.object_type]] = iso(ms)

    def _rebuild_index(self) -> None:
        self._index = {name: {} for name in self.unique_names()}
        for record in self.records.values():
            for name, index in self._index.items():
                value = record.values.get(name)
                if value is not None:
                    index[self.key(name, value)] = record.id


def id_counter(start: int = 30_000_000_001) -> Iterator[int]:
    """HubSpot-looking record ids, shared by every object type of a portal."""
    return itertools.count(start)
