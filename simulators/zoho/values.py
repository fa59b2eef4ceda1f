"""How Zoho checks a value written to a field, and the error it answers for a bad one.

A bad value is refused with ``INVALID_DATA`` / ``invalid data`` and details naming the field,
its ``json_path`` in the request, and ``expected_data_type`` (or ``maximum_length`` for text
that is too long). A missing mandatory field is ``MANDATORY_NOT_FOUND`` / ``required field not
found``. Fields the module does not have are ignored, as Zoho ignores them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from simulators.zoho.modules import USER, ZohoField

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_TEXT_TYPES = {"text", "textarea", "phone", "website", "email", "picklist", "autonumber"}


class BadValue(Exception):
    """A value Zoho refuses: its error code, message and details."""

    def __init__(self, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def invalid(zoho_field: ZohoField, path: str, expected: str | None = None) -> BadValue:
    """``INVALID_DATA`` for ``zoho_field`` at ``path``."""
    details: dict[str, Any] = {"api_name": zoho_field.api_name, "json_path": path}
    if expected is not None:
        details["expected_data_type"] = expected
    return BadValue("INVALID_DATA", "invalid data", details)


def missing(api_name: str, path: str) -> BadValue:
    """``MANDATORY_NOT_FOUND`` for a mandatory field left out."""
    return BadValue(
        "MANDATORY_NOT_FOUND",
        "required field not found",
        {"api_name": api_name, "json_path": path},
    )


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _is_datetime(text: str) -> bool:
    # Zoho takes yyyy-MM-ddTHH:mm:ss with an offset, no fraction of a second.
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)", text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


LookupCheck = Callable[[str, str], dict[str, Any] | None]
"""The stored ``{name, id}`` of record ``id`` in ``module`` (None: no such record)."""


def checked(zoho_field: ZohoField, value: Any, path: str, lookup: LookupCheck) -> Any:
    """The value as stored, or the error Zoho answers.

    Args:
        zoho_field: The field written.
        value: The value in the request (``None`` clears the field).
        path: The value's ``json_path`` (``$.data[0].Email``).
        lookup: Finds the record a lookup value points at.

    Raises:
        BadValue: Zoho refuses the value.
    """
    if value is None:
        return None
    kind = zoho_field.data_type
    if kind in _TEXT_TYPES:
        if not isinstance(value, str):
            raise invalid(zoho_field, path, "text" if kind != "email" else "email")
        if len(value) > zoho_field.length:
            details = {
                "api_name": zoho_field.api_name,
                "json_path": path,
                "maximum_length": str(zoho_field.length),  # a string, as record.json has it
            }
            raise BadValue("INVALID_DATA", "invalid data", details)
        if kind == "email" and value and not _EMAIL.match(value):
            raise invalid(zoho_field, path, "email")
        if kind == "picklist" and value not in ("-None-", *zoho_field.options):
            raise invalid(zoho_field, path, "picklist")
        return value
    if kind == "multiselectpicklist":
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v in zoho_field.options for v in value
        ):
            raise invalid(zoho_field, path, "jsonarray")
        return list(value)
    if kind in {"integer", "bigint"}:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(zoho_field, path, "integer")
        return value
    if kind in {"double", "currency"}:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid(zoho_field, path, "double")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise invalid(zoho_field, path, "boolean")
        return value
    if kind == "date":
        if not isinstance(value, str) or not _is_date(value):
            raise invalid(zoho_field, path, "date")
        return value
    if kind == "datetime":
        if not isinstance(value, str) or not _is_datetime(value):
            raise invalid(zoho_field, path, "datetime")
        return value
    if kind == "ownerlookup":
        owner = value.get("id") if isinstance(value, dict) else value
        if str(owner) != USER["id"]:
            raise invalid(zoho_field, path, "jsonobject")
        return {"name": USER["name"], "id": USER["id"], "email": USER["email"]}
    if kind == "lookup":
        target = value.get("id") if isinstance(value, dict) else value
        found = lookup(zoho_field.lookup or "", str(target)) if target is not None else None
        if found is None:
            raise invalid(zoho_field, path, "jsonobject")
        return found
    raise invalid(zoho_field, path)
