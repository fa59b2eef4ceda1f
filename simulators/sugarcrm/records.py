"""One module's records in memory, and Sugar's filter language over them.

Records are kept in creation order, which is ``date_entered`` order. Text comparisons ignore
case, as MySQL's default collation does under Sugar; ``email`` matches any of a record's
addresses.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from simulators.sugarcrm.errors import invalid_parameter, not_found
from simulators.sugarcrm.schema import Vardef, vardefs
from simulators.sugarcrm.values import accepted


def _now() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds")


def _plain(value: Any) -> list[Any]:
    """A stored value as the scalars a filter compares (an email list as its addresses)."""
    if isinstance(value, list):
        return [v["email_address"] if isinstance(v, dict) else v for v in value]
    return [value]


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    return bool(left == right)


class ModuleStore:
    """The records of one module."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.fields: dict[str, Vardef] = vardefs(module)
        self.records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self.records.clear()

    def get(self, record_id: str) -> dict[str, Any]:
        """A stored record.

        Raises:
            SugarError: 404 ``not_found``.
        """
        found = self.records.get(record_id)
        if found is None:
            raise not_found(f"Could not find record: {record_id} in module: {self.module}")
        return found

    def create(self, submitted: dict[str, Any]) -> dict[str, Any]:
        """Store a new record from submitted values (see :func:`accepted`)."""
        values = accepted(self.module, self.fields, submitted)
        stamp = _now()
        record = {"id": str(uuid.uuid4()), **values, "date_entered": stamp, "date_modified": stamp}
        with self._lock:
            self.records[record["id"]] = record
        return record

    def update(self, record_id: str, submitted: dict[str, Any]) -> dict[str, Any]:
        """Change a stored record's submitted values."""
        record = self.get(record_id)
        values = accepted(self.module, self.fields, submitted)
        with self._lock:
            record.update(values)
            record["date_modified"] = _now()
        return record

    def delete(self, record_id: str) -> None:
        """Delete a stored record. Sugar marks it deleted; from then on the API answers for
        it as for an id it never had, which forgetting it reproduces.

        Raises:
            SugarError: 404 ``not_found`` (never there, or deleted already).
        """
        self.get(record_id)
        with self._lock:
            self.records.pop(record_id, None)

    def view(self, record: dict[str, Any], fields: list[str] | None = None) -> dict[str, Any]:
        """A record as the API returns it: every field (or the ``fields`` asked for), with the
        id, modification date, ``_acl`` and ``_module`` always."""
        names = fields if fields else list(self.fields)
        shown: dict[str, Any] = {}
        for name in names:
            if name not in self.fields:
                continue
            if name == "email1":
                primary = [a for a in record.get("email") or [] if a["primary_address"]]
                shown[name] = primary[0]["email_address"] if primary else ""
            elif name == "full_name":
                parts = (record.get("first_name"), record.get("last_name"))
                shown[name] = " ".join(p for p in parts if p)
            else:
                default = [] if self.fields[name]["type"] in ("email", "multienum") else ""
                shown[name] = record.get(name, default)
        shown["id"] = record["id"]
        shown["date_modified"] = record["date_modified"]
        shown["_acl"] = {"fields": {}}
        shown["_module"] = self.module
        return shown

    def matches(self, record: dict[str, Any], clause: Any) -> bool:
        """Whether ``record`` satisfies one filter clause (an object of field conditions).

        Raises:
            SugarError: 422 for an unknown field or operator.
        """
        if not isinstance(clause, dict):
            raise invalid_parameter("Filter must be an array of objects")
        for name, condition in clause.items():
            if name in ("$or", "$and"):
                parts = condition if isinstance(condition, list) else []
                results = [self.matches(record, part) for part in parts]
                if not (any(results) if name == "$or" else all(results)):
                    return False
                continue
            if name not in self.fields:
                raise invalid_parameter(f"Unknown field: {name}")
            if not self._holds(record, name, condition):
                return False
        return True

    def _holds(self, record: dict[str, Any], name: str, condition: Any) -> bool:
        if not isinstance(condition, dict):
            condition = {"$equals": condition}
        stored = _plain(record.get("email") if name == "email1" else record.get(name))
        for operator, operand in condition.items():
            match operator:
                case "$equals":
                    ok = any(_same(v, operand) for v in stored)
                case "$not_equals":
                    ok = not any(_same(v, operand) for v in stored)
                case "$in" | "$not_in":
                    if not isinstance(operand, list):
                        raise invalid_parameter(f"{operator} requires an array")
                    found = any(_same(v, o) for v in stored for o in operand)
                    ok = found if operator == "$in" else not found
                case "$starts":
                    ok = any(str(v).casefold().startswith(str(operand).casefold()) for v in stored)
                case "$contains":
                    ok = any(str(operand).casefold() in str(v).casefold() for v in stored)
                case "$is_null":
                    ok = all(v in (None, "") for v in stored)
                case "$not_null":
                    ok = any(v not in (None, "") for v in stored)
                case "$gt" | "$gte" | "$lt" | "$lte":
                    ok = any(_ordered(operator, v, operand) for v in stored if v not in (None, ""))
                case _:
                    raise invalid_parameter(f"Did not recognize the operand: {operator}")
            if not ok:
                return False
        return True


def _ordered(operator: str, value: Any, operand: Any) -> bool:
    left, right = (value, operand) if not isinstance(value, str) else (value, str(operand))
    match operator:
        case "$gt":
            return bool(left > right)
        case "$gte":
            return bool(left >= right)
        case "$lt":
            return bool(left < right)
        case _:
            return bool(left <= right)
