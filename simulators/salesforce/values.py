"""Checking one record's field values the way Salesforce's save does, with its status codes
and messages (``INVALID_EMAIL_ADDRESS``, ``STRING_TOO_LONG``, ``REQUIRED_FIELD_MISSING``, …).

An unknown field fails the whole request instead (while Salesforce reads the JSON, before any
record is saved); :func:`unknown_field` finds it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from simulators.salesforce.errors import RecordError
from simulators.salesforce.schema import FieldSpec, SObjectSpec

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID = re.compile(r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$")
_TEXT = {"string", "textarea", "phone", "url", "email", "picklist", "multipicklist", "combobox"}
_NUMBER = {"int", "double", "currency", "percent"}


def is_id(value: Any) -> bool:
    """Whether ``value`` is shaped like a Salesforce record id."""
    return isinstance(value, str) and _ID.match(value) is not None


def unknown_field(spec: SObjectSpec, record: dict[str, Any]) -> str | None:
    """The first field of ``record`` the object does not have (``attributes`` aside)."""
    return next((name for name in record if name != "attributes" and name not in spec.fields), None)


_JSON_TYPES = {
    "int": "int",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}


def unreadable_value(spec: SObjectSpec, record: dict[str, Any]) -> str | None:
    """Why Salesforce's JSON reader cannot read one of the record's values into its field's
    type (text in a number, boolean or date field), which fails the whole request."""
    for name, value in record.items():
        field = spec.fields.get(name)
        if field is None or value is None or field.type not in _JSON_TYPES:
            continue
        kind = _JSON_TYPES[field.type]
        try:
            _typed(field, value)
        except RecordError:
            token = "VALUE_STRING" if isinstance(value, str) else "VALUE_TRUE"
            return (
                f"Cannot deserialize instance of {kind} from {token} value {value} or request "
                "may be missing a required field"
            )
    return None


def _text(field: FieldSpec, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            f"{field.label}: value not of required type: {value}",
            [field.name],
        )
    text = str(value)
    if field.length and len(text) > field.length:
        raise RecordError(
            "STRING_TOO_LONG",
            f"{field.label}: data value too large: {text[:40]} (max length={field.length})",
            [field.name],
        )
    if field.type == "email" and not _EMAIL.match(text):
        raise RecordError(
            "INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {text}", [field.name]
        )
    if field.restricted and field.picklist:
        chosen = text.split(";") if field.type == "multipicklist" else [text]
        for choice in chosen:
            if choice not in field.picklist:
                raise RecordError(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{field.label}: bad value for restricted picklist field: {choice}",
                    [field.name],
                )
    return text


def _typed(field: FieldSpec, value: Any) -> Any:
    """``value`` as stored for ``field``, or the record's refusal."""
    wrong = RecordError(
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        f"{field.label}: value not of required type: {value}",
        [field.name],
    )
    if field.type in _TEXT:
        return _text(field, value)
    if field.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise wrong
    if field.type in _NUMBER:
        if isinstance(value, bool):
            raise wrong
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise wrong from None
        return int(number) if field.type == "int" and number.is_integer() else number
    if field.type in ("date", "datetime"):
        try:
            if field.type == "date":
                return date.fromisoformat(str(value)).isoformat()
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            return moment.isoformat()
        except ValueError:
            raise wrong from None
    if field.type in ("reference", "id"):
        if not is_id(value):
            raise RecordError(
                "MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", [field.name]
            )
        return value
    raise wrong


def checked(
    spec: SObjectSpec, record: dict[str, Any], *, creating: bool, skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The record's values as stored, after Salesforce's checks for a create or an update.

    Args:
        spec: The object.
        record: The record as sent (``attributes`` and ``skip`` are left out).
        creating: A create (required fields, createable) rather than an update (updateable).
        skip: Fields the caller handles itself (the ``Id`` of an update).

    Raises:
        RecordError: The first value Salesforce would refuse.
    """
    values: dict[str, Any] = {}
    for name, value in record.items():
        if name == "attributes" or name in skip:
            continue
        field = spec.fields[name]
        allowed = field.createable if creating else field.updateable
        if not allowed:
            raise RecordError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {name}. Please check the security settings of "
                "this field and verify that it is read/write for your profile or permission set.",
                [name],
            )
        if value is None or value == "":
            if not field.nillable and not field.defaulted:
                raise RecordError(
                    "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{name}]", [name]
                )
            values[name] = None
            continue
        values[name] = _typed(field, value)
    if creating:
        missing = [
            f.name
            for f in spec.fields.values()
            if f.createable and not f.nillable and not f.defaulted and values.get(f.name) is None
        ]
        if missing:
            raise RecordError(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        for f in spec.fields.values():
            if f.defaulted and f.createable and values.get(f.name) is None:
                values[f.name] = (
                    f.picklist[0] if f.picklist else (False if f.type == "boolean" else None)
                )
    return values
