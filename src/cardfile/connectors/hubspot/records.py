"""Request bodies from records, and per-record results from HubSpot's batch answers.

HubSpot takes every property value as a string: numbers as their digits, booleans as
``true``/``false``, several options joined with ``;``, and ``""`` to clear a value. Each input
carries an ``objectWriteTraceId`` (its position in the batch); HubSpot echoes it in results
and in each refused input's ``context``, which is how answers are matched back to records,
since HubSpot promises no order. Where a trace id is missing, the key the record was sent
under (its unique property's value, or its record id) matches it instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cardfile.connectors.base import Outcome, Record, RecordResult
from cardfile.connectors.errors import Action, VendorError


class UnsendableValue(ValueError):
    """A record holds a value HubSpot has no text for (a mapping, NaN, …)."""


def value_text(value: Any) -> str:
    """A value as the string HubSpot stores (``""`` clears the property).

    Raises:
        UnsendableValue: The value has no HubSpot text form.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsendableValue(f"{value} is not a number HubSpot can store")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(value_text(item) for item in value)
    if isinstance(value, str):
        return value
    raise UnsendableValue(f"a {type(value).__name__} has no HubSpot property form")


def properties_of(record: Record, *, without: tuple[str, ...] = ()) -> dict[str, str]:
    """The record's properties as HubSpot strings, leaving out ``without``.

    Raises:
        UnsendableValue: A value has no HubSpot text form (the message names the property).
    """
    found: dict[str, str] = {}
    for name, value in record.items():
        if name in without:
            continue
        try:
            found[name] = value_text(value)
        except UnsendableValue as error:
            raise UnsendableValue(f"{name}: {error}") from None
    return found


def key_text(match_key: str, value: Any) -> str:
    """A match key's value as compared: emails and domains ignore case, as HubSpot does."""
    text = value_text(value).strip()
    return text.lower() if match_key in {"email", "domain"} else text


@dataclass(frozen=True)
class Sent:
    """One input of a batch: its trace id, the key it was sent under, its properties."""

    trace: str
    key: str | None
    properties: Mapping[str, str]


def upsert_input(sent: Sent, id_property: str) -> dict[str, Any]:
    """A ``batch/upsert`` input."""
    return {
        "idProperty": id_property,
        "id": sent.key,
        "properties": dict(sent.properties),
        "objectWriteTraceId": sent.trace,
    }


def update_input(sent: Sent) -> dict[str, Any]:
    """A ``batch/update`` input (by record id)."""
    return {"id": sent.key, "properties": dict(sent.properties), "objectWriteTraceId": sent.trace}


def create_input(sent: Sent) -> dict[str, Any]:
    """A ``batch/create`` input."""
    return {
        "properties": dict(sent.properties),
        "associations": [],
        "objectWriteTraceId": sent.trace,
    }


def refused(message: str, *, status: int | None = None, code: str | None = None) -> RecordResult:
    """A record HubSpot refused (or that could not be sent): retrying will not help."""
    return RecordResult.failed(VendorError(message, status, code, Action.REFUSE))


def read_batch(
    body: Any,
    sent: Sequence[Sent],
    *,
    status: int,
    created: bool,
    id_property: str | None,
) -> dict[str, RecordResult]:
    """Each sent input's result, by trace id, from a batch answer (200, 201 or 207).

    Args:
        body: The answer's JSON body.
        sent: The inputs of the request.
        status: The answer's HTTP status (given to the refusals it lists).
        created: Whether a result without ``new`` is a creation (``batch/create``).
        id_property: The property inputs were keyed on (None: keyed on the record id, or,
            for creations, not keyed at all).

    Returns:
        Results by trace id; an input HubSpot said nothing about is missing from it.
    """
    by_trace = {item.trace: item for item in sent}
    by_key = {item.key: item for item in sent if item.key is not None}
    found: dict[str, RecordResult] = {}
    results = body.get("results") if isinstance(body, dict) else None
    for result in results or []:
        if not isinstance(result, dict):
            continue
        item = by_trace.get(str(result.get("objectWriteTraceId")))
        if item is None:
            item = _by_key(result, by_key, id_property, created)
        if item is None and created:
            item = _by_properties(result, [s for s in sent if s.trace not in found])
        if item is None:
            continue
        new = result.get("new", created)
        outcome = Outcome.CREATED if new else Outcome.UPDATED
        found[item.trace] = RecordResult(outcome, str(result.get("id")))
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors or []:
        if not isinstance(error, dict):
            continue
        context = error.get("context") or {}
        traces = [str(t) for t in context.get("objectWriteTraceId") or []]
        matched = [by_trace[t] for t in traces if t in by_trace]
        if not matched:
            matched = [by_key[str(k)] for k in context.get("ids") or [] if str(k) in by_key]
        message = str(error.get("message") or "HubSpot refused the record")
        for item in matched:
            found[item.trace] = refused(message, status=status, code=error.get("category"))
    return found


def _by_key(
    result: dict[str, Any], by_key: dict[str, Sent], id_property: str | None, created: bool
) -> Sent | None:
    if id_property is not None:
        held = (result.get("properties") or {}).get(id_property)
        return by_key.get(key_text(id_property, held)) if held is not None else None
    if created:
        return None
    return by_key.get(str(result.get("id")))


def _by_properties(result: dict[str, Any], unmatched: list[Sent]) -> Sent | None:
    """The one unmatched creation whose every sent value the result holds (else None)."""
    held = result.get("properties") or {}
    candidates = [
        item
        for item in unmatched
        if all(
            str(held.get(name) or "").lower() == value.lower()
            for name, value in item.properties.items()
            if value
        )
    ]
    return candidates[0] if len(candidates) == 1 else None
