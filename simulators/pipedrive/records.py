"""Persons and organizations kept in memory, shown as the v2 API shows them, and searched as
``GET /api/v2/{persons|organizations}/search`` searches them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulators.pipedrive.errors import not_found
from simulators.pipedrive.schema import SEARCHABLE_CUSTOM, Schema
from simulators.pipedrive.values import OWNER_ID

DEFAULT_VISIBLE_TO = 3  # the entire company

_SINGULAR = {"persons": "person", "organizations": "organization"}

SEARCH_FIELDS = {
    "persons": frozenset({"name", "email", "phone", "notes", "custom_fields"}),
    "organizations": frozenset({"name", "address", "notes", "custom_fields"}),
}
"""What each search endpoint may look into (its ``fields`` parameter)."""


def now_text() -> str:
    """A v2 timestamp: RFC 3339 in UTC, whole seconds."""
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Stored:
    """One record: its standard values by body key, and its custom values by hash."""

    id: int
    values: dict[str, Any]
    custom: dict[str, Any]
    add_time: str
    update_time: str

    def texts(self, key: str) -> list[str]:
        """The searchable texts of a standard field."""
        value = self.values.get(key)
        if isinstance(value, list):
            return [str(v.get("value")) for v in value if isinstance(v, dict)]
        if isinstance(value, dict):
            return [str(value["value"])] if value.get("value") else []
        return [str(value)] if value not in (None, "") else []


@dataclass
class RecordStore:
    """The records of one kind (``persons`` or ``organizations``)."""

    kind: str
    records: dict[int, Stored] = field(default_factory=dict)
    next_id: int = 1
    deleted: int = 0  # records deleted through the API since the last reset
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, record_id: int) -> Stored:
        """A record by id.

        Raises:
            PipedriveError: 404, as Pipedrive answers for a missing or deleted record.
        """
        found = self.records.get(record_id)
        if found is None:
            raise not_found(f"{_SINGULAR[self.kind].capitalize()} not found")
        return found

    def create(self, values: dict[str, Any], custom: dict[str, Any]) -> Stored:
        """Store a new record."""
        with self._lock:
            stamp = values.pop("add_time", None) or now_text()
            record = Stored(self.next_id, values, custom, stamp, now_text())
            self.records[record.id] = record
            self.next_id += 1
            return record

    def patch(self, record_id: int, values: dict[str, Any], custom: dict[str, Any]) -> Stored:
        """Change the given values of a record (the others stay)."""
        with self._lock:
            record = self.get(record_id)
            values.pop("add_time", None)
            record.values.update(values)
            record.custom.update(custom)
            record.update_time = now_text()
            return record

    def delete(self, record_id: int) -> None:
        """Delete a record. Pipedrive marks it deleted and purges it after 30 days; until then
        the v2 API answers 404 for it as for one never made, so here it is simply gone.

        Raises:
            PipedriveError: 404, the record does not exist or was deleted already.
        """
        with self._lock:
            self.get(record_id)
            del self.records[record_id]
            self.deleted += 1

    def search(
        self, schema: Schema, term: str, fields: frozenset[str], exact: bool
    ) -> list[Stored]:
        """Records holding ``term`` in one of ``fields`` (all of it when ``exact``, without
        case), by id."""
        wanted = term.casefold()
        searchable = {
            code for code, f in schema.custom(self.kind).items() if f.type in SEARCHABLE_CUSTOM
        }

        def hit(text: str) -> bool:
            held = text.casefold()
            return held == wanted if exact else wanted in held

        found = []
        for record in sorted(self.records.values(), key=lambda r: r.id):
            texts: list[str] = []
            for name in fields:
                if name == "custom_fields":
                    texts += [_text(record.custom.get(code)) for code in searchable]
                else:
                    texts += record.texts({"email": "emails", "phone": "phones"}.get(name, name))
            if any(hit(t) for t in texts if t):
                found.append(record)
        return found


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def shown(kind: str, record: Stored, schema: Schema) -> dict[str, Any]:
    """A record as the v2 API answers it (unset optional fields left out, custom fields all
    present, null where empty)."""
    values = record.values
    data: dict[str, Any] = {
        "id": record.id,
        "name": values.get("name"),
        "owner_id": values.get("owner_id") or OWNER_ID,
        "add_time": record.add_time,
        "update_time": record.update_time,
        "is_deleted": False,
        "visible_to": values.get("visible_to") or DEFAULT_VISIBLE_TO,
        "label_ids": list(values.get("label_ids") or []),
        "custom_fields": {code: record.custom.get(code) for code in schema.custom(kind)},
    }
    if kind == "persons":
        first, _, last = str(values.get("name") or "").partition(" ")
        data.update(
            first_name=first,
            last_name=last,
            emails=list(values.get("emails") or []),
            phones=list(values.get("phones") or []),
            im=list(values.get("im") or []),
        )
        for key in ("org_id", "postal_address", "notes", "birthday", "job_title"):
            if values.get(key) is not None:
                data[key] = values[key]
    else:
        for key in ("website", "linkedin", "industry", "annual_revenue", "employee_count"):
            data[key] = values.get(key)
        if values.get("address") is not None:
            data["address"] = values["address"]
    return data


def search_item(
    kind: str, record: Stored, exact: bool, organization: Stored | None
) -> dict[str, Any]:
    """A search result as ``GET …/search`` lists it."""
    custom = [_text(v) for v in record.custom.values() if _text(v)]
    item: dict[str, Any] = {
        "id": record.id,
        "type": _SINGULAR[kind],
        "name": record.values.get("name"),
        "visible_to": record.values.get("visible_to") or DEFAULT_VISIBLE_TO,
        "owner": {"id": record.values.get("owner_id") or OWNER_ID},
        "custom_fields": custom,
        "notes": [record.values["notes"]] if record.values.get("notes") else [],
    }
    if kind == "persons":
        item["emails"] = record.texts("emails")
        item["phones"] = record.texts("phones")
        if organization is not None:
            item["organization"] = {
                "id": organization.id,
                "name": organization.values.get("name"),
            }
    elif record.texts("address"):
        item["address"] = record.texts("address")[0]
    return {"result_score": 1.0 if exact else 0.5, "item": item}
