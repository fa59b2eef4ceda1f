"""The part of SOQL a sync client sends: ``SELECT fields FROM object [WHERE conditions]
[ORDER BY f [ASC|DESC], …] [LIMIT n]``, where conditions compare a field with ``=``, ``!=``,
``<``, ``<=``, ``>``, ``>=`` or ``IN (…)`` and combine with ``AND``, ``OR`` and parentheses;
literals are quoted text, numbers, ``null``, ``true``/``false``, dates and datetimes.

Text comparisons ignore case, as Salesforce's do; ids compare in either their 15- or
18-character form. What this parser does not know is refused with Salesforce's
``MALFORMED_QUERY``; an unknown object or field with ``INVALID_TYPE`` and ``INVALID_FIELD``, in
Salesforce's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulators.salesforce.errors import Refusal
from simulators.salesforce.records import fold
from simulators.salesforce.schema import SObjectSpec

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')"
    r"|(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))"
    r"|(?P<date>\d{4}-\d{2}-\d{2})"
    r"|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|<=|>=|=|<|>|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
_KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "IN", "ORDER", "BY", "ASC", "DESC", "LIMIT"}
_COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}


def _moment(value: Any) -> datetime | None:
    """A datetime from Salesforce's forms (``…000+0000``, ``…Z``, ``…+00:00``), else None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    text = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _comparable(value: Any, as_ids: bool) -> Any:
    """``value`` in the form its comparisons use."""
    if as_ids:
        return str(value)[:15]
    moment = _moment(value)
    if moment is not None:
        return moment
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return fold(value)


@dataclass
class Condition:
    """``field <op> value`` or ``field IN (values)``."""

    field: str
    op: str
    values: list[Any]

    def holds(self, record: dict[str, Any], ids: set[str]) -> bool:
        """Whether the record's value satisfies the condition."""
        held = record.get(self.field)
        as_ids = self.field in ids
        if self.op in ("=", "!=", "IN"):
            if held is None:
                hit = None in self.values
            else:
                mine = _comparable(held, as_ids)
                hit = mine in {_comparable(v, as_ids) for v in self.values if v is not None}
            return hit != (self.op == "!=")
        if held is None or self.values[0] is None:
            return False
        mine, theirs = _comparable(held, as_ids), _comparable(self.values[0], as_ids)
        try:
            return bool(_ORDERED[self.op](mine, theirs))
        except TypeError:  # a datetime against text: Salesforce would refuse the query
            return False


_ORDERED: dict[str, Callable[[Any, Any], Any]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@dataclass
class Group:
    """Conditions joined by ``AND`` or ``OR``."""

    joiner: str
    parts: list[Condition | Group]

    def holds(self, record: dict[str, Any], ids: set[str]) -> bool:
        """Whether the record satisfies the group."""
        found = (part.holds(record, ids) for part in self.parts)
        return all(found) if self.joiner == "AND" else any(found)

    def conditions(self) -> Iterator[Condition]:
        """Every condition in the group, however deep."""
        for part in self.parts:
            if isinstance(part, Group):
                yield from part.conditions()
            else:
                yield part


@dataclass
class Query:
    """One parsed SELECT."""

    fields: list[str]
    sobject: str
    where: Group = field(default_factory=lambda: Group("AND", []))
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None


def _malformed(detail: str) -> Refusal:
    return Refusal(400, detail, "MALFORMED_QUERY")


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _malformed(f"unexpected token: '{text[position : position + 20]}'")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _literal(kind: str, value: str) -> Any:
    if kind == "string":
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if kind in ("datetime", "date"):
        return value
    if kind == "number":
        return float(value)
    if kind == "word" and value.lower() == "null":
        return None
    if kind == "word" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _malformed(f"unexpected token: '{value}'")


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str:
        return self.tokens[self.at][1].upper() if self.at < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise _malformed("unexpected end of query")
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, word: str) -> None:
        _, value = self.take()
        if value.upper() != word:
            raise _malformed(f"unexpected token: '{value}', expected {word}")

    def name(self) -> str:
        kind, value = self.take()
        if kind != "word" or value.upper() in _KEYWORDS:
            raise _malformed(f"unexpected token: '{value}'")
        return value


def parse(text: str) -> Query:
    """Parse a SOQL SELECT (the subset above).

    Raises:
        Refusal: ``MALFORMED_QUERY``.
    """
    reader = _Reader(_tokens(text))
    reader.expect("SELECT")
    fields = [reader.name()]
    while reader.peek() == ",":
        reader.take()
        fields.append(reader.name())
    reader.expect("FROM")
    query = Query(fields, reader.name())
    if reader.peek() == "WHERE":
        reader.take()
        query.where = _joined(reader)
    if reader.peek() == "ORDER":
        reader.take()
        reader.expect("BY")
        while True:
            name = reader.name()
            descending = False
            if reader.peek() in ("ASC", "DESC"):
                descending = reader.take()[1].upper() == "DESC"
            query.order.append((name, descending))
            if reader.peek() != ",":
                break
            reader.take()
    if reader.peek() == "LIMIT":
        reader.take()
        kind, value = reader.take()
        if kind != "number":
            raise _malformed(f"unexpected token: '{value}'")
        query.limit = int(float(value))
    if reader.at != len(reader.tokens):
        raise _malformed(f"unexpected token: '{reader.tokens[reader.at][1]}'")
    return query


def _joined(reader: _Reader) -> Group:
    """``term (OR term)*``, each term ``factor (AND factor)*``."""
    terms: list[Condition | Group] = [_term(reader)]
    while reader.peek() == "OR":
        reader.take()
        terms.append(_term(reader))
    return Group("OR", terms)


def _term(reader: _Reader) -> Group:
    factors = [_factor(reader)]
    while reader.peek() == "AND":
        reader.take()
        factors.append(_factor(reader))
    return Group("AND", factors)


def _factor(reader: _Reader) -> Condition | Group:
    if reader.peek() == "(":
        reader.take()
        inner = _joined(reader)
        reader.expect(")")
        return inner
    return _condition(reader)


def _condition(reader: _Reader) -> Condition:
    name = reader.name()
    _, op = reader.take()
    if op in _COMPARISONS:
        return Condition(name, op, [_literal(*reader.take())])
    if op.upper() != "IN":
        raise _malformed(f"unexpected token: '{op}'")
    reader.expect("(")
    values = [_literal(*reader.take())]
    while reader.peek() == ",":
        reader.take()
        values.append(_literal(*reader.take()))
    reader.expect(")")
    return Condition(name, "IN", values)


def check_names(query: Query, spec: SObjectSpec) -> None:
    """Refuse fields the object does not have, as Salesforce words it."""
    named = [
        *query.fields,
        *(c.field for c in query.where.conditions()),
        *(name for name, _ in query.order),
    ]
    for name in named:
        if name not in spec.fields:
            raise Refusal(
                400,
                f"\n{', '.join(query.fields)} FROM {spec.name}\n^\nERROR at Row:1:Column:8\n"
                f"No such column '{name}' on entity '{spec.name}'. If you are attempting to use "
                "a custom field, be sure to append the '__c' after the custom field name.",
                "INVALID_FIELD",
            )


def _sort_key(name: str) -> Callable[[dict[str, Any]], tuple[bool, str]]:
    return lambda row: (row.get(name) is None, str(row.get(name) or ""))


def run(query: Query, spec: SObjectSpec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``spec``'s object matching the query, ordered and limited."""
    ids = {name for name, f in spec.fields.items() if f.type in ("id", "reference")}
    found = [row for row in rows if not query.where.parts or query.where.holds(row, ids)]
    for name, descending in reversed(query.order):
        found.sort(key=_sort_key(name), reverse=descending)
    return found[: query.limit] if query.limit is not None else found
