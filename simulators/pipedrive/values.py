"""Validation of person and organization write bodies, as Pipedrive's v2 API refuses them.

A body may hold the object's writable standard fields and ``custom_fields`` (keyed by the
40-character hash). Pipedrive refuses a parameter the object does not have, a value of the
wrong type, an option id the field does not offer, an empty array for a ``set`` field (the v2
description: clear it with ``null``), and a new record without its required ``name``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from simulators.pipedrive.errors import bad_request
from simulators.pipedrive.schema import FieldDef, Schema

OWNER_ID = 1
"""The company's one user, who owns every record."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TEXT_TYPES = {"varchar", "text", "varchar_auto", "phone", "varchar_options"}
_LISTED_CONTACTS = {"emails", "phones", "im"}

Exists = Callable[[str, int], bool]
"""Whether a record of a kind exists (for ``org_id``)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _refuse(name: str, reason: str) -> Exception:
    return bad_request(f"Validation failed: {name}: {reason}")


def _contacts(key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _refuse(key, "must be an array of objects with a value")
    items = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise _refuse(key, "each item must be an object with a string value")
        if "primary" in item and not isinstance(item["primary"], bool):
            raise _refuse(key, "primary must be a boolean")
        unknown = set(item) - {"value", "primary", "label"}
        if unknown:
            raise _refuse(key, f"unknown property {sorted(unknown)[0]}")
        items.append(
            {
                "value": item["value"],
                "primary": bool(item.get("primary", False)),
                "label": str(item.get("label") or "work"),
            }
        )
    if items and not any(i["primary"] for i in items):
        items[0]["primary"] = True
    return items


def _typed(name: str, field: FieldDef, value: Any) -> Any:
    """``value`` checked against the field's type (None clears the field)."""
    if value is None:
        return None
    kind = field.type
    if kind in _TEXT_TYPES:
        if not isinstance(value, str):
            raise _refuse(name, "must be a string")
        return value
    if kind in {"double", "int"}:
        if not _is_number(value) or (kind == "int" and not _is_int(value)):
            raise _refuse(name, f"must be {'an integer' if kind == 'int' else 'a number'}")
        return value
    if kind == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            raise _refuse(name, "must be a date in the format YYYY-MM-DD")
        return value
    if kind in {"enum", "visible_to", "status"}:
        if value not in field.option_ids() or isinstance(value, bool):
            raise _refuse(name, f"option {value!r} does not exist")
        return value
    if kind == "set":
        if not isinstance(value, list) or not value:
            raise _refuse(name, "must be a non-empty array of option ids (use null to clear)")
        missing = [v for v in value if v not in field.option_ids() or isinstance(v, bool)]
        if missing:
            raise _refuse(name, f"option {missing[0]!r} does not exist")
        return list(dict.fromkeys(value))
    if kind == "monetary":
        if (
            not isinstance(value, dict)
            or not _is_number(value.get("value"))
            or not isinstance(value.get("currency"), str)
        ):
            raise _refuse(name, "must be an object with a numeric value and a currency code")
        return {"value": value["value"], "currency": value["currency"]}
    if kind == "address":
        if not isinstance(value, dict) or not isinstance(value.get("value"), str):
            raise _refuse(name, "must be an object with a string value")
        return dict(value)
    return value


def _standard(key: str, field: FieldDef, value: Any, exists: Exists) -> Any:
    if key in _LISTED_CONTACTS:
        return _contacts(key, value) if value is not None else []
    if key == "label_ids" and value == []:  # labels clear with an empty array, custom sets not
        return []
    if key == "name" and (not isinstance(value, str) or not value.strip()):
        raise _refuse("name", "must be a non-empty string")
    if key == "add_time":
        if not isinstance(value, str):
            raise _refuse(key, "must be a string")
        return value
    if key == "owner_id" and value is not None:
        if not _is_int(value) or value != OWNER_ID:
            raise bad_request(f"User with id {value} does not exist")
        return value
    if key == "org_id" and value is not None:
        if not _is_int(value) or not exists("organizations", value):
            raise bad_request(f"Organization with id {value} does not exist")
        return value
    return _typed(key, field, value)


def checked(
    kind: str,
    body: Any,
    schema: Schema,
    *,
    creating: bool,
    exists: Exists,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The standard values and custom values of a valid write body of ``kind``.

    Raises:
        PipedriveError: 400 with what is wrong.
    """
    if not isinstance(body, dict):
        raise bad_request("Validation failed: the request body must be a JSON object")
    standard = schema.by_body_key(kind)
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key == "custom_fields":
            continue
        field = standard.get(key)
        if field is None:
            raise bad_request(f"Validation failed: {key}: parameter is not allowed for {kind}")
        values[key] = _standard(key, field, value, exists)
    if creating and not values.get("name"):
        raise _refuse("name", "is required")
    custom = _custom(kind, body.get("custom_fields"), schema)
    return values, custom


def _custom(kind: str, raw: Any, schema: Schema) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _refuse("custom_fields", "must be an object keyed by custom field keys")
    known = schema.custom(kind)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        field = known.get(str(key))
        if field is None:
            raise bad_request(f"Validation failed: custom_fields: unknown custom field {key}")
        values[str(key)] = _typed(f"custom_fields.{key} ({field.name})", field, value)
    return values
