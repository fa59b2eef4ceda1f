"""The records of one module, kept in memory, with Zoho's system fields and a unique index.

Record ids are 19-digit numbers, as Zoho's are. Values of the fields upsert may match on are
compared without case (Zoho's duplicate check ignores case).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulators.zoho.modules import USER, Module


def zoho_time() -> str:
    """Now, as Zoho writes datetimes (``2025-06-01T10:11:12+00:00``)."""
    return datetime.now(tz=UTC).replace(microsecond=0).isoformat()


def folded(value: Any) -> str:
    """A value as the duplicate check compares it."""
    return str(value).strip().casefold()


@dataclass
class StoredRecord:
    """One record: its id and values (system fields included)."""

    id: str
    values: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The record as Zoho answers it."""
        return {"id": self.id, **self.values}


class ModuleStore:
    """The records of one module."""

    def __init__(self, module: Module, ids: Iterator[int]) -> None:
        self.module = module
        self._ids = ids
        self.records: dict[str, StoredRecord] = {}

    def clear(self) -> None:
        """Forget every record."""
        self.records.clear()

    def find(self, api_name: str, value: Any) -> StoredRecord | None:
        """The oldest record whose ``api_name`` holds ``value`` (ignoring case)."""
        if value in (None, ""):
            return None
        wanted = folded(value)
        for record in self.records.values():
            held = record.values.get(api_name)
            if held not in (None, "") and folded(held) == wanted:
                return record
        return None

    def holder(self, values: dict[str, Any], exclude: str | None) -> tuple[str, str] | None:
        """``(field, record id)`` of another record already holding a unique value."""
        for zoho_field in self.module.fields.values():
            if not zoho_field.unique:
                continue
            found = self.find(zoho_field.api_name, values.get(zoho_field.api_name))
            if found is not None and found.id != exclude:
                return zoho_field.api_name, found.id
        return None

    def create(self, values: dict[str, Any]) -> StoredRecord:
        """A new record holding ``values``."""
        now = zoho_time()
        owner = {"name": USER["name"], "id": USER["id"], "email": USER["email"]}
        record = StoredRecord(str(next(self._ids)))
        record.values.update({"Owner": owner, "Created_Time": now, "Created_By": owner})
        self.records[record.id] = record
        self.update(record, values)
        return record

    def delete(self, record_id: str) -> bool:
        """Move a record to the recycle bin (here: forget it); False when there is none."""
        return self.records.pop(record_id, None) is not None

    def update(self, record: StoredRecord, values: dict[str, Any]) -> StoredRecord:
        """Set ``values`` on ``record`` (None clears a field)."""
        for name, value in values.items():
            if value is None:
                record.values.pop(name, None)
            else:
                record.values[name] = value
        if "Last_Name" in self.module.fields:
            parts = [record.values.get("First_Name"), record.values.get("Last_Name")]
            record.values["Full_Name"] = " ".join(str(p) for p in parts if p)
        owner = {"name": USER["name"], "id": USER["id"]}
        record.values.update({"Modified_Time": zoho_time(), "Modified_By": owner})
        return record


def id_counter(start: int = 6_112_000_000_200_001) -> Iterator[int]:
    """Zoho-looking record ids, shared by every module of an org."""
    return itertools.count(start)
