"""Zoho's search criteria: ``(Email:equals:a)``, groups joined by ``and`` or ``or``.

    ((Last_Name:starts_with:G)and(Email:equals:deborah@example.com))
    ((Email:equals:a@example.com)or(Email:equals:b@example.com))
    (Lead_Source:in:Web,Partner)

A value escapes ``(``, ``)``, ``,`` and ``\\`` with a backslash. Comparisons ignore case, as
Zoho's search does. One search takes at most ten criteria; a group mixes ``and`` and ``or``
only through nested parentheses. Anything else is Zoho's 400 ``INVALID_QUERY``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from simulators.zoho.errors import ZohoError
from simulators.zoho.records import folded

MAX_CRITERIA = 10
OPERATORS = frozenset({"equals", "not_equal", "starts_with", "in"})
Test = Callable[[Mapping[str, Any]], bool]
"""Whether a record's values meet the criteria."""


def invalid_query(reason: str, api_name: str | None = None) -> ZohoError:
    """Zoho's 400 for criteria it cannot read (the reason is the simulator's wording)."""
    details: dict[str, Any] = {"reason": reason}
    if api_name is not None:
        details["api_name"] = api_name
    return ZohoError(400, "INVALID_QUERY", "invalid query formed", details)


@dataclass(frozen=True)
class _Term:
    field: str
    operator: str
    values: tuple[str, ...]

    def test(self, record: Mapping[str, Any]) -> bool:
        held = record.get(self.field)
        found = (_text(h) for h in (held if isinstance(held, list) else [held]))
        texts = [t for t in found if t is not None]
        wanted = [folded(v) for v in self.values]
        if self.operator == "starts_with":
            return any(t.startswith(w) for t in texts for w in wanted)
        hit = any(t in wanted for t in texts)
        return not hit if self.operator == "not_equal" else hit


def _text(value: Any) -> str | None:
    """A held value as compared: a lookup by its name (or id), without case."""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("id")
    if value in (None, ""):
        return None
    return folded(value)


class _Parser:
    def __init__(self, text: str, fields: frozenset[str]) -> None:
        self.text = text
        self.at = 0
        self.fields = fields
        self.terms = 0

    def expect(self, char: str) -> None:
        if self.text[self.at : self.at + 1] != char:
            raise invalid_query(f"expected {char!r} at position {self.at}")
        self.at += 1

    def skip_spaces(self) -> None:
        while self.text[self.at : self.at + 1] == " ":
            self.at += 1

    def expression(self) -> Test:
        self.skip_spaces()
        self.expect("(")
        self.skip_spaces()
        if self.text[self.at : self.at + 1] != "(":
            return self.term()
        parts = [self.expression()]
        joiner: str | None = None
        while True:
            self.skip_spaces()
            if self.text[self.at : self.at + 1] == ")":
                self.at += 1
                break
            word = next((w for w in ("and", "or") if self.text.startswith(w, self.at)), None)
            if word is None or (joiner is not None and word != joiner):
                raise invalid_query(f"expected and, or or ')' at position {self.at}")
            joiner = word
            self.at += len(word)
            parts.append(self.expression())
        if joiner == "or":
            return lambda record: any(part(record) for part in parts)
        return lambda record: all(part(record) for part in parts)

    def term(self) -> Test:
        # Each of field, operator and value, as its comma-separated pieces (an escaped
        # character never separates anything).
        parts: list[list[str]] = [[""]]
        while True:
            char = self.text[self.at : self.at + 1]
            if not char:
                raise invalid_query("unbalanced parentheses")
            self.at += 1
            if char == "\\":
                parts[-1][-1] += self.text[self.at : self.at + 1]
                self.at += 1
            elif char == ")":
                break
            elif char == ":" and len(parts) < 3:
                parts.append([""])
            elif char == ",":
                parts[-1].append("")
            else:
                parts[-1][-1] += char
        if len(parts) != 3:
            raise invalid_query("a criterion is (field:operator:value)")
        name, operator = (",".join(p).strip() for p in parts[:2])
        if name not in self.fields:
            raise invalid_query("the field is not available for search", name)
        if operator not in OPERATORS:
            raise invalid_query(f"the operator {operator} is not supported", name)
        self.terms += 1
        if self.terms > MAX_CRITERIA:
            raise invalid_query(f"at most {MAX_CRITERIA} criteria are allowed")
        values = tuple(parts[2]) if operator == "in" else (",".join(parts[2]),)
        return _Term(name, operator, values).test


def parse(text: str, fields: frozenset[str]) -> Test:
    """The test that ``text`` describes, over the module's ``fields``.

    Raises:
        ZohoError: Zoho's ``INVALID_QUERY``.
    """
    parser = _Parser(text.strip(), fields)
    test = parser.expression()
    if parser.at != len(parser.text):
        raise invalid_query(f"unexpected text at position {parser.at}")
    return test
