"""Request records from Cardfile's records, and per-record results from Salesforce's
``SaveResult`` / ``UpsertResult`` arrays.

Salesforce takes JSON values as they are (text, numbers, booleans, ``null`` to clear), dates
as ``YYYY-MM-DD``, datetimes in ISO 8601, and several picklist values joined with ``;``.
Collections answer one result per record **in the order sent**, so results are matched back
by position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cardfile.connectors.base import Outcome, Record, RecordResult
from cardfile.connectors.errors import Action, VendorError
from cardfile.connectors.values import JsonForm, utc_milliseconds

# Per-record codes of a passing condition (another transaction held the row): a later
# attempt may well succeed.
RETRYABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})
# A delete's code for a record no longer there (in the recycle bin, or never was): the
# record is gone, as a removal asks.
GONE_CODE = "ENTITY_IS_DELETED"
_RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


# Multi-select picklists take their values joined with ";".
FORM = JsonForm("Salesforce", utc_milliseconds, list_separator=";", objects=False)
value_json = FORM.value


def values_of(record: Record, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """The record's fields in Salesforce's JSON, leaving out ``without`` (and a record's
    ``attributes``, which the collection call writes itself).

    Raises:
        UnsendableValue: A value has no Salesforce form (the message names the field).
    """
    return FORM.values(record, without=(*without, "attributes"))


def key_text(value: Any) -> str:
    """A match key's value as Salesforce compares it: SOQL and external ids ignore case."""
    return str(value_json(value)).strip().lower()


def is_record_id(text: str) -> bool:
    """Whether ``text`` is shaped like a record id (15 characters, or 18 with the checksum)."""
    return _RECORD_ID.match(text) is not None


def sobject_record(sobject: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A collection's record: its ``attributes`` naming the object, and its fields."""
    return {"attributes": {"type": sobject}, **values}


def refused(message: str, *, status: int | None = None, code: str | None = None) -> RecordResult:
    """A record Salesforce refused (or that could not be sent): retrying will not help."""
    return RecordResult.failed(VendorError(message, status, code, Action.REFUSE))


def failure(errors: Any, status: int) -> VendorError:
    """A refused record's error: every message Salesforce gave, its first status code."""
    items = [e for e in errors or [] if isinstance(e, dict)]
    if not items:
        return VendorError("Salesforce refused the record without a reason", status)
    messages = []
    for item in items:
        message = str(item.get("message") or item.get("statusCode") or "refused")
        fields = [str(f) for f in item.get("fields") or []]
        if fields and not any(f in message for f in fields):
            message += f" ({', '.join(fields)})"
        messages.append(message)
    code = str(items[0].get("statusCode") or "") or None
    action = Action.RETRY if code in RETRYABLE_CODES else Action.REFUSE
    return VendorError("; ".join(messages), status, code, action)


def result_of(item: Any, *, created: bool | None, status: int) -> RecordResult:
    """One record's result from a ``SaveResult`` or ``UpsertResult``.

    Args:
        item: The result.
        created: Whether success means a new record (None: the result's ``created`` says,
            as an upsert's does).
        status: The answer's HTTP status.
    """
    if not isinstance(item, dict):
        return refused("Salesforce's answer held no result for this record", status=status)
    if not item.get("success"):
        return RecordResult.failed(failure(item.get("errors"), status))
    new = bool(item.get("created")) if created is None else created
    record_id = item.get("id")
    return RecordResult(
        Outcome.CREATED if new else Outcome.UPDATED, str(record_id) if record_id else None
    )


def removal_of(item: Any, record_id: str, *, status: int) -> RecordResult:
    """One id's result from a ``DeleteResult``: removed, or failed in Salesforce's words.

    Args:
        item: The result.
        record_id: The id as it was given.
        status: The answer's HTTP status.
    """
    if not isinstance(item, dict):
        return refused("Salesforce's answer held no result for this record", status=status)
    if item.get("success"):
        return RecordResult(Outcome.REMOVED, record_id)
    error = failure(item.get("errors"), status)
    if error.code == GONE_CODE:
        return RecordResult(Outcome.REMOVED, record_id)
    return RecordResult.failed(error)
