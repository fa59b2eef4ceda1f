"""Request bodies from records, and per-record results from Attio's answers.

Records arrive in Attio's own attribute slugs and input formats (``{"domains":
["acme.com"], "name": "Acme"}``); they are sent as ``{"data": {"values": …}}`` with Python
dates, decimals and tuples turned into their JSON forms.

Attio's assert answer does not say whether it created the record or updated it, so
:func:`outcome` infers it from the answer:

* a record this connector already wrote is updated;
* a record created (``created_at``) more than :data:`CREATED_WINDOW` seconds before the
  answer was sent (its ``Date`` header; both are Attio's clock) existed before the request;
* a record with a value that became active after the record was created was just updated
  (a new record's values are all active from its creation);
* anything else was created. The one case this gets wrong is an update, within a couple of
  seconds of the record's creation by someone else, that changes no value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from cardfile.connectors.base import Outcome, Record, RecordResult
from cardfile.connectors.errors import Action, VendorError

CREATED_WINDOW = 2.0
"""Seconds between a record's creation and the answer's ``Date`` within which the record may
have been created by the request answered (``Date`` has whole seconds)."""

_LATER = 0.001  # seconds a value must be younger than its record to count as written later
_KEYED = ("email_address", "domain", "value", "original_phone_number", "target_record_id")


def json_of(response: httpx.Response) -> Any:
    """An answer's JSON (None when the body is not JSON)."""
    try:
        return response.json()
    except ValueError:
        return None


def json_ready(value: Any) -> Any:
    """A value as JSON carries it: dates as ISO 8601, decimals as numbers, sets as lists."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(item) for item in value]
    return value


def values_of(record: Record, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """The record's values for Attio, leaving out ``without``."""
    return {str(k): json_ready(v) for k, v in record.items() if k not in without}


def write_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """The body of a record write."""
    return {"data": {"values": dict(values)}}


def key_values(value: Any) -> list[str]:
    """A match key's values as compared: several for a multiselect key, without case (Attio
    keeps email addresses and domains in lower case)."""
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    found: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = next((item[k] for k in _KEYED if k in item), None)
        if item is None or item == "":
            continue
        found.append(str(json_ready(item)).strip().lower())
    return found


def seconds(text: Any) -> float | None:
    """Seconds since the epoch of Attio's timestamp text (nine fractional digits)."""
    if not isinstance(text, str):
        return None
    raw = re.sub(r"(\.\d{6})\d+", r"\1", text.strip().replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _answered_at(date_header: str | None) -> float | None:
    if not date_header:
        return None
    try:
        return parsedate_to_datetime(date_header).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def record_of(body: Any) -> dict[str, Any]:
    """The ``data`` record of an answer (empty when there is none)."""
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def record_id(body: Any) -> str | None:
    """The ``record_id`` of an answer's record."""
    ids = record_of(body).get("id")
    found = ids.get("record_id") if isinstance(ids, dict) else None
    return str(found) if found else None


def was_created(body: Any, date_header: str | None) -> bool:
    """Whether an assert answer's record was created by the request (see the module)."""
    data = record_of(body)
    created = seconds(data.get("created_at"))
    if created is None:
        return False
    answered = _answered_at(date_header)
    if answered is not None and created < answered - CREATED_WINDOW:
        return False
    values = data.get("values")
    for held in values.values() if isinstance(values, dict) else []:
        for value in held if isinstance(held, list) else []:
            since = seconds(value.get("active_from")) if isinstance(value, dict) else None
            if since is not None and since > created + _LATER:
                return False
    return True


def written(body: Any, *, created: bool) -> RecordResult:
    """The result of a write Attio accepted."""
    found = record_id(body)
    if found is None:
        return refused("Attio's answer carried no record id")
    return RecordResult(Outcome.CREATED if created else Outcome.UPDATED, found)


def refused(
    message: str,
    *,
    status: int | None = None,
    code: str | None = None,
    action: Action = Action.REFUSE,
) -> RecordResult:
    """A record Attio refused (or that could not be sent)."""
    return RecordResult.failed(VendorError(message, status, code, action))
