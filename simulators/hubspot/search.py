"""``POST /crm/v3/objects/{type}/search``: filter groups (OR of ANDed filters), one sort,
offset paging with ``after``, at most 200 results a page and 10,000 in all."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

from simulators.hubspot.errors import Refusal, whole_number
from simulators.hubspot.properties import Property, to_ms
from simulators.hubspot.records import ObjectStore, StoredRecord

MAX_LIMIT = 200
MAX_RESULTS = 10_000
MAX_GROUPS = 5
MAX_FILTERS = 18
_SEARCHED = {
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "companies": ("name", "domain", "website", "phone"),
}

Comparable = float | str


def search(store: ObjectStore, body: Any) -> dict[str, Any]:
    """The page of records a search body selects, as HubSpot answers it.

    Raises:
        Refusal: The body is malformed, names an unknown property, or asks past the limits.
    """
    if not isinstance(body, dict):
        raise Refusal(400, "Invalid input JSON: the body must be an object")
    limit = whole_number(body.get("limit"), "limit", 10)
    if not 0 < limit <= MAX_LIMIT:
        raise Refusal(400, f"limit must be between 1 and {MAX_LIMIT}")
    after = whole_number(body.get("after"), "after", 0)
    if after + limit > MAX_RESULTS:
        raise Refusal(400, f"The search API returns at most {MAX_RESULTS} results for a query")
    groups = _groups(store, body.get("filterGroups") or [])
    query = str(body.get("query") or "").strip().lower()
    found = [
        record
        for record in store.records.values()
        if (not groups or any(all(test(record) for test in group) for group in groups))
        and (not query or _mentions(store, record, query))
    ]
    found = _sorted(store, found, body.get("sorts") or [])
    names = body.get("properties") or None
    page = found[after : after + limit]
    answer: dict[str, Any] = {
        "total": len(found),
        "results": [record.to_json(names, store.object_type) for record in page],
    }
    if after + limit < len(found):
        answer["paging"] = {
            "next": {"after": str(after + limit), "link": f"?after={after + limit}"}
        }
    return answer


Test = Callable[[StoredRecord], bool]


def _groups(store: ObjectStore, raw: Any) -> list[list[Test]]:
    if not isinstance(raw, list) or len(raw) > MAX_GROUPS:
        raise Refusal(400, f"filterGroups must be a list of at most {MAX_GROUPS} groups")
    groups = [group.get("filters") or [] for group in raw if isinstance(group, dict)]
    if sum(len(filters) for filters in groups) > MAX_FILTERS:
        raise Refusal(400, f"A search may hold at most {MAX_FILTERS} filters")
    return [[_filter(store, f) for f in filters] for filters in groups]


def _prop(store: ObjectStore, name: Any) -> Property:
    prop = store.properties.get(str(name))
    if prop is None:
        raise Refusal(400, f"Property {name} does not exist", context={"propertyName": [str(name)]})
    return prop


def _typed(prop: Property, text: str | None) -> Comparable | None:
    if text is None or text == "":
        return None
    if prop.type == "number":
        try:
            return float(text)
        except ValueError:
            return None
    if prop.type in {"date", "datetime"}:
        ms = to_ms(text)
        return None if ms is None else float(ms)
    return text.lower()


def _wanted(prop: Property, raw: Any) -> Comparable:
    value = _typed(prop, None if raw is None else str(raw))
    if value is None:
        raise Refusal(400, f"{raw} is not a valid value for {prop.name}")
    return value


def _parts(prop: Property, record: StoredRecord) -> list[Comparable]:
    text = record.values.get(prop.name)
    if text is None:
        return []
    pieces = text.split(";") if prop.multiple else [text]
    return [v for v in (_typed(prop, piece) for piece in pieces) if v is not None]


def _filter(store: ObjectStore, raw: Any) -> Test:
    if not isinstance(raw, dict):
        raise Refusal(400, "Each filter must be an object")
    prop = _prop(store, raw.get("propertyName"))
    operator = str(raw.get("operator", "EQ"))

    def held(record: StoredRecord) -> list[Comparable]:
        return _parts(prop, record)

    match operator:
        case "HAS_PROPERTY":
            return lambda r: bool(held(r))
        case "NOT_HAS_PROPERTY":
            return lambda r: not held(r)
        case "IN" | "NOT_IN":
            values = {_wanted(prop, v) for v in raw.get("values") or []}
            inside = operator == "IN"
            return lambda r: any(v in values for v in held(r)) == inside
        case "BETWEEN":
            low, high = _wanted(prop, raw.get("value")), _wanted(prop, raw.get("highValue"))
            return lambda r: any(_between(v, low, high) for v in held(r))
        case "CONTAINS_TOKEN" | "NOT_CONTAINS_TOKEN":
            pattern = str(raw.get("value", "")).lower()
            contains = operator == "CONTAINS_TOKEN"
            return lambda r: _has_token(r.values.get(prop.name), pattern) == contains
    compare = _COMPARE.get(operator)
    if compare is None:
        raise Refusal(400, f"Unknown filter operator {operator}")
    wanted = _wanted(prop, raw.get("value"))
    if operator == "NEQ":
        return lambda r: not any(v == wanted for v in held(r))
    return lambda r: any(_same_kind(v, wanted) and compare(v, wanted) for v in held(r))


def _same_kind(a: Comparable, b: Comparable) -> bool:
    return isinstance(a, float) == isinstance(b, float)


def _between(value: Comparable, low: Comparable, high: Comparable) -> bool:
    if not (_same_kind(value, low) and _same_kind(value, high)):
        return False
    return low <= value <= high  # type: ignore[operator]


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "EQ": lambda a, b: a == b,
    "NEQ": lambda a, b: a != b,
    "LT": lambda a, b: a < b,
    "LTE": lambda a, b: a <= b,
    "GT": lambda a, b: a > b,
    "GTE": lambda a, b: a >= b,
}


def _has_token(text: str | None, pattern: str) -> bool:
    if not text:
        return False
    tokens = text.lower().replace("@", " ").replace(".", " ").split()
    return any(fnmatch.fnmatchcase(token, pattern) for token in [*tokens, text.lower()])


def _mentions(store: ObjectStore, record: StoredRecord, query: str) -> bool:
    return any(
        query in (record.values.get(name) or "").lower() for name in _SEARCHED[store.object_type]
    )


def _sorted(store: ObjectStore, records: list[StoredRecord], sorts: Any) -> list[StoredRecord]:
    if not isinstance(sorts, list) or not sorts:
        return sorted(records, key=lambda r: int(r.id))
    first = sorts[0]
    if isinstance(first, str):
        name, descending = first.lstrip("-"), first.startswith("-")
    elif isinstance(first, dict):
        name = str(first.get("propertyName"))
        descending = str(first.get("direction", "ASCENDING")).upper() == "DESCENDING"
    else:
        raise Refusal(400, "Each sort must name a property")
    prop = _prop(store, name)
    keyed = [(_typed(prop, r.values.get(prop.name)), r) for r in records]
    present = [(value, r) for value, r in keyed if value is not None]
    present.sort(key=lambda pair: (pair[0], int(pair[1].id)), reverse=descending)
    # Records without the value come last whichever the direction.
    return [r for _, r in present] + [r for value, r in keyed if value is None]
