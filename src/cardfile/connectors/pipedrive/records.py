"""Write bodies from records, and match key values out of them.

Records arrive in Pipedrive's v2 field names and shapes (``{"name": "Ann Lee", "emails":
[{"value": "ann@acme.com", "primary": true}], "custom_fields": {"<hash>": 3}}``), with a few
conveniences a caller cannot be expected to know:

* ``emails``, ``phones`` and ``im`` may be a string or a list of strings (the first is
  primary); ``email`` and ``phone``, the field codes, mean the same;
* a custom field may be named by its hash or its label, inside ``custom_fields`` or at the top
  level, and a select's value by its option's label;
* dates, decimals and sets become their JSON forms.

Anything else is sent as it is, so that Pipedrive refuses it in its own words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cardfile.connectors.base import Record
from cardfile.connectors.pipedrive.fields import (
    BODY_NAMES,
    WRITABLE,
    FieldIndex,
    is_hash,
    select_values,
)

RECORD_ID = "id"
_CONTACT_LISTS = frozenset({"emails", "phones", "im"})


def json_ready(value: Any) -> Any:
    """A value as JSON carries it: dates as ISO 8601, decimals as numbers, sets as lists."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(item) for item in value]
    return value


def contact_list(value: Any) -> Any:
    """``emails``/``phones``/``im`` as Pipedrive's ``[{value, primary, label}]``."""
    if value is None:
        return None
    items = value if isinstance(value, list | tuple) else [value]
    made: list[Any] = []
    for position, item in enumerate(items):
        if isinstance(item, Mapping):
            made.append(json_ready(item))
        else:
            made.append({"value": str(item), "primary": position == 0, "label": "work"})
    return made


def needs_index(kind: str, record: Record) -> bool:
    """Whether turning ``record`` into a body needs the object's fields (a custom field, or a
    name the body does not know)."""
    known = WRITABLE.get(kind, frozenset()) | BODY_NAMES.keys() | {RECORD_ID}
    return any(key == "custom_fields" or key not in known for key in record)


def body_of(kind: str, record: Record, index: FieldIndex | None) -> dict[str, Any]:
    """The create or update body of ``record`` (its ``id`` left out: it names the target)."""
    writable = WRITABLE.get(kind, frozenset())
    body: dict[str, Any] = {}
    custom: dict[str, Any] = {}

    def put_custom(key: str, value: Any) -> bool:
        found = index.custom(key) if index is not None else None
        if found is None or index is None:
            return False
        custom[str(found["field_code"])] = json_ready(select_values(index, found, value))
        return True

    for raw_key, value in record.items():
        key = BODY_NAMES.get(raw_key, raw_key)
        if key == RECORD_ID:
            continue
        if key == "custom_fields" and isinstance(value, Mapping):
            for inner, held in value.items():
                if not put_custom(str(inner), held):
                    custom[str(inner)] = json_ready(held)
        elif key in _CONTACT_LISTS and key in writable:
            body[key] = contact_list(value)
        elif key in writable:
            body[key] = json_ready(value)
        elif not put_custom(key, value):
            target = custom if is_hash(key) else body
            target[key] = json_ready(value)
    if custom:
        body["custom_fields"] = custom
    return body


def key_text(value: Any) -> str | None:
    """A match key's value as compared: text without case or surrounding space."""
    if isinstance(value, Mapping):
        value = value.get("value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None:
        return None
    text = str(json_ready(value)).strip().casefold()
    return text or None


def key_of(body: Mapping[str, Any], key: str) -> str | None:
    """The value a body is matched on: its first email for ``emails``, the custom value for a
    custom field's hash, else the field's value."""
    if key in _CONTACT_LISTS:
        held = body.get(key)
        listed: list[Any] = held if isinstance(held, list) else []
        marked = [i for i in listed if isinstance(i, Mapping) and i.get("primary") is True]
        return key_text((marked or listed or [None])[0])
    if is_hash(key):
        custom = body.get("custom_fields")
        return key_text(custom.get(key)) if isinstance(custom, Mapping) else None
    return key_text(body.get(key))
