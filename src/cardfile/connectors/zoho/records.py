"""Request bodies from records, and per-record results from Zoho's write answers.

Records arrive in Zoho's API names and JSON shapes (``{"Account_Name": "Acme", "Website":
"acme.com"}``; a lookup as ``{"id": "…"}``). Python values are turned into Zoho's forms: dates
as ``YYYY-MM-DD``, datetimes as ``YYYY-MM-DDTHH:MM:SS+00:00`` (Zoho takes no fraction of a
second), decimals as numbers, sets and tuples as lists. Zoho answers a write's records in
input order, one item each. A ``Website`` is read back as the domain it names, for
``identity``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from cardfile.connectors.base import Outcome, Record, RecordResult, first_text
from cardfile.connectors.errors import Action, VendorError
from cardfile.connectors.values import JsonForm, offset_seconds
from cardfile.connectors.zoho.errors import message_of

FORM = JsonForm("Zoho", offset_seconds)
json_ready = FORM.value


def payload(record: Record) -> dict[str, Any]:
    """The record as one item of a write's ``data``.

    Raises:
        UnsendableValue: A value has no Zoho form (the message names the field).
    """
    return FORM.values(record)


def key_text(value: Any) -> str:
    """A match key's value as Zoho's duplicate check compares it (without case)."""
    if isinstance(value, Mapping):
        value = value.get("id") or value.get("name")
    return "" if value is None else str(value).strip().casefold()


def refused(
    message: str,
    *,
    status: int | None = None,
    code: str | None = None,
    action: Action = Action.REFUSE,
) -> RecordResult:
    """A record Zoho refused (or that could not be sent)."""
    return RecordResult.failed(VendorError(message, status, code, action))


def result_of(item: Any, status: int) -> RecordResult:
    """One record's result from its item of a write's ``data``."""
    if not isinstance(item, dict):
        return refused("Zoho's answer did not mention this record", status=status)
    raw = item.get("details")
    details: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if item.get("status") == "success" and details.get("id"):
        created = item.get("action", "insert") == "insert"
        return RecordResult(Outcome.CREATED if created else Outcome.UPDATED, str(details["id"]))
    code = item.get("code")
    return refused(message_of(item), status=status, code=str(code) if code else None)


def domain_of(website: Any) -> str | None:
    """The domain of a Zoho ``Website`` value (``https://www.acme.com/x`` → ``acme.com``)."""
    text = first_text(website)
    if text is None:
        return None
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.lower().removeprefix("www.")
    return host or None


GONE_CODE = "INVALID_DATA"
"""The code of a delete's item for an id Zoho has no record of (``the id given seems to be
invalid``); Zoho also uses it for a record it would not delete, so an id answered so counts
as removed only once a read shows it is gone."""


def removal_of(item: Any, status: int) -> RecordResult:
    """One id's result from its item of a delete's ``data``."""
    if not isinstance(item, dict):
        return refused("Zoho's answer did not mention this record", status=status)
    raw = item.get("details")
    details: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if item.get("status") == "success":
        found = details.get("id")
        return RecordResult(Outcome.REMOVED, str(found) if found else None)
    code = item.get("code")
    return refused(message_of(item), status=status, code=str(code) if code else None)


def items_by_id(data: Any, ids: list[str]) -> dict[str, Any]:
    """A multi-id answer's items by the id each names (``details.id``), or by position for an
    item that names none (Zoho answers in input order)."""
    items = data if isinstance(data, list) else []
    found: dict[str, Any] = {}
    for position, item in enumerate(items):
        details = item.get("details") if isinstance(item, dict) else None
        named = details.get("id") if isinstance(details, dict) else None
        if named is not None:
            found.setdefault(str(named), item)
        elif position < len(ids):
            found.setdefault(ids[position], item)
    return found
