"""SOQL text from values: quoted literals and ``IN`` lists cut to a size a GET's query string
carries (Salesforce refuses URIs past about 16,000 characters)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

MAX_IN_VALUES = 100
MAX_IN_CHARACTERS = 6_000
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def literal(text: str) -> str:
    """``text`` as a SOQL string literal, escaped as SOQL requires."""
    return "'" + "".join(_ESCAPES.get(char, char) for char in text) + "'"


def in_list(values: Sequence[str]) -> str:
    """``('a', 'b')``."""
    return "(" + ", ".join(literal(v) for v in values) + ")"


def chunks(values: Sequence[str]) -> Iterator[list[str]]:
    """``values`` in groups small enough for one ``IN`` clause of a GET query."""
    group: list[str] = []
    size = 0
    for value in values:
        cost = len(literal(value)) + 2
        if group and (len(group) >= MAX_IN_VALUES or size + cost > MAX_IN_CHARACTERS):
            yield group
            group, size = [], 0
        group.append(value)
        size += cost
    if group:
        yield group
