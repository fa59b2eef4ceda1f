"""Attio's record and entry queries: ``filter`` (shorthand and verbose), ``sorts``, ``limit``
and ``offset``.

Shorthand filters compare an attribute's main value for equality (``{"email_addresses":
"a@b.com"}``, ``{"name": "Acme"}``); verbose ones name an operator, optionally on one field of
the value (``{"name": {"full_name": {"$eq": "Ada Lovelace"}}}``), and combine conditions with
``$and``, ``$or`` and ``$not``. Operators: ``$eq``, ``$in``, ``$not_empty``, ``$contains``,
``$starts_with``, ``$ends_with``, ``$lt``, ``$lte``, ``$gt``, ``$gte``. Anything else is
refused with a 400 ``filter_error``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from simulators.attio.errors import AttioError, bad_request
from simulators.attio.records import Holder, active
from simulators.attio.schema import Attribute, Container
from simulators.attio.values import Payload, comparable

DEFAULT_LIMIT = 500
H = TypeVar("H", bound=Holder)

_CASELESS = {"email-address", "domain"}


def _filter_error(message: str) -> AttioError:
    return bad_request("filter_error", message)


def _fold(attribute: Attribute, value: Any) -> Any:
    if attribute.type in _CASELESS and isinstance(value, str):
        return value.strip().lower()
    return value


def _compare(operator: str, held: Any, wanted: Any) -> bool:
    match operator:
        case "$eq":
            return bool(held == wanted)
        case "$in":
            if not isinstance(wanted, list):
                raise _filter_error("$in takes an array of values.")
            return held in wanted
        case "$contains" | "$starts_with" | "$ends_with":
            if not isinstance(held, str) or not isinstance(wanted, str):
                return False
            if operator == "$contains":
                return wanted.casefold() in held.casefold()
            if operator == "$starts_with":
                return held.casefold().startswith(wanted.casefold())
            return held.casefold().endswith(wanted.casefold())
        case "$lt" | "$lte" | "$gt" | "$gte":
            try:
                if operator == "$lt":
                    return bool(held < wanted)
                if operator == "$lte":
                    return bool(held <= wanted)
                if operator == "$gt":
                    return bool(held > wanted)
                return bool(held >= wanted)
            except TypeError:
                return False
    raise _filter_error(f'Unknown filter operator "{operator}".')


def _condition(attribute: Attribute, payloads: list[Payload], condition: Any) -> bool:
    """Whether any value of the attribute meets ``condition`` (a plain value, operators, or
    operators per field of the value)."""
    if not isinstance(condition, dict):
        wanted = _fold(attribute, condition)
        return any(
            wanted in [_fold(attribute, c) for c in comparable(attribute, p)] for p in payloads
        )
    for key, operand in condition.items():
        if key == "$not_empty":
            if bool(payloads) != bool(operand):
                return False
        elif key.startswith("$"):
            wanted = _fold(attribute, operand)
            if not any(
                _compare(key, _fold(attribute, comparable(attribute, p)[0]), wanted)
                for p in payloads
            ):
                return False
        else:
            checks = operand if isinstance(operand, dict) else {"$eq": operand}
            for operator, wanted in checks.items():
                if operator == "$not_empty":
                    held = [p for p in payloads if p.get(key) not in (None, "")]
                    if bool(held) != bool(wanted):
                        return False
                elif not any(
                    key in p
                    and _compare(operator, _fold(attribute, p[key]), _fold(attribute, wanted))
                    for p in payloads
                ):
                    return False
    return True


def matches(container: Container, holder: Holder, query: Any) -> bool:
    """Whether ``holder`` meets the filter ``query``.

    Raises:
        AttioError: 400 ``filter_error`` for an unknown attribute or operator.
    """
    if not isinstance(query, dict):
        raise _filter_error("A filter must be an object.")
    for key, condition in query.items():
        if key in ("$and", "$or"):
            if not isinstance(condition, list):
                raise _filter_error(f"{key} takes an array of filters.")
            results = [matches(container, holder, part) for part in condition]
            if not (all(results) if key == "$and" else any(results)):
                return False
        elif key == "$not":
            if matches(container, holder, condition):
                return False
        else:
            attribute = container.attribute(key)
            if attribute is None:
                raise _filter_error(f'Unknown attribute slug/ID "{key}" in filter.')
            payloads = [s.payload for s in active(holder, attribute)]
            if not _condition(attribute, payloads, condition):
                return False
    return True


def _sort_key(container: Container, sort: Any) -> Callable[[Holder], tuple[bool, Any]]:
    if not isinstance(sort, dict) or not isinstance(sort.get("attribute"), str):
        raise _filter_error(
            "Each sort needs an attribute and a direction (path sorts are not "
            "supported by the simulator)."
        )
    attribute = container.attribute(sort["attribute"])
    if attribute is None:
        raise _filter_error(f'Unknown attribute slug/ID "{sort["attribute"]}" in sorts.')
    field = sort.get("field")

    def key(holder: Holder) -> tuple[bool, Any]:
        held = active(holder, attribute)
        if not held:
            return (True, "")
        payload = held[0].payload
        value = payload.get(field) if field else comparable(attribute, payload)[0]
        return (value is None, value if value is not None else "")

    return key


def _number(raw: Any, name: str, default: int) -> int:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
        raise bad_request("validation_type", f"{name} must be a non-negative number.")
    return int(raw)


def run(container: Container, holders: Sequence[H], body: Any) -> list[H]:
    """The holders a query body selects, sorted and paged.

    Raises:
        AttioError: The body, a filter or a sort is malformed.
    """
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise bad_request("validation_type", "Body payload validation error: expected an object.")
    query = body.get("filter")
    selected = [h for h in holders if query is None or matches(container, h, query)]
    sorts = body.get("sorts") or []
    if not isinstance(sorts, list):
        raise _filter_error("sorts must be an array.")
    for sort in reversed(sorts):
        reverse = isinstance(sort, dict) and sort.get("direction") == "desc"
        key = _sort_key(container, sort)
        present = [h for h in selected if not key(h)[0]]
        missing = [h for h in selected if key(h)[0]]
        try:
            present.sort(key=lambda h: key(h)[1], reverse=reverse)
        except TypeError:
            present.sort(key=lambda h: str(key(h)[1]), reverse=reverse)
        selected = present + missing
    offset = _number(body.get("offset"), "offset", 0)
    limit = _number(body.get("limit"), "limit", DEFAULT_LIMIT)
    return selected[offset : offset + limit]
