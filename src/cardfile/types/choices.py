"""Select, status and multi-select: values chosen from the options the spec lists.

A raw value names an option by id, by exact title, or by title ignoring case, in that order;
the typed value is always the option's id, so renaming an option loses nothing.
"""

from __future__ import annotations

import re

from cardfile.types.codec import (
    JSONValue,
    StringValued,
    check_text,
    invalid,
    require_str,
    wrong_value,
)
from cardfile.types.errors import InvalidValue, show
from cardfile.types.kinds import TypeSpec

# Past this many, "not an option" messages name the first few and count the rest: a status with
# 200 options would otherwise bury the sentence.
MAX_LISTED_OPTIONS = 10


def _listing(spec: TypeSpec) -> str:
    titles = [_quote_if_needed(option.title) for option in spec.options]
    if not titles:
        return "this attribute has no options"
    listed = ", ".join(titles[:MAX_LISTED_OPTIONS])
    rest = len(titles) - MAX_LISTED_OPTIONS
    return f"options: {listed}" + (f", and {rest} more" if rest > 0 else "")


def resolve(spec: TypeSpec, raw: object, name: str) -> str:
    """Return the id of the option ``name`` (an id or a title, already trimmed) stands for.

    Raises:
        InvalidValue: If no option matches, or only titles that differ by case and more than one.
    """
    found = spec.index.find(name)
    if len(found) == 1:
        return found[0].id
    if not found:
        message = f"{show(name)} is not an option ({_listing(spec)})"
    else:
        titles = ", ".join(option.title for option in found)
        message = (
            f"{show(name)} matches more than one option ({titles}); "
            "write the exact title or the option id"
        )
    raise InvalidValue(message, type=spec.type, raw=raw)


class SelectCodec(StringValued):
    """Select and status: one option, held as its id. A stored id is not checked against the
    options: it stays readable after its option is archived, and the store decides what that
    means."""

    _VALUE = "an option id (str)"

    _EXPECTED = "an option (expected an option id or title as a string)"

    def parse(self, spec: TypeSpec, raw: object) -> str:
        text = require_str(spec, raw, self._EXPECTED)
        return resolve(spec, raw, check_text(spec, raw, text).strip())


_SEPARATOR = re.compile(r"[,;]")


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def split_choices(text: str) -> list[str] | None:
    """Split multi-select CSV text on commas and semicolons, honouring double quotes.

    A piece starting with ``"`` runs to the next lone ``"`` (``""`` inside is one quote), so it
    may hold separators. Pieces are trimmed (option ids and titles never have surrounding
    spaces) and blank ones dropped.

    Returns:
        The pieces, or ``None`` if a quote is not closed or text follows a closing quote.
    """
    pieces: list[str] = []
    position, end = 0, len(text)
    while True:
        position = _skip_spaces(text, position)
        if position < end and text[position] == '"':
            parts: list[str] = []
            start = position + 1
            while (close := text.find('"', start)) >= 0 and text.startswith('"', close + 1):
                parts.append(text[start : close + 1])  # a doubled quote stands for one
                start = close + 2
            if close < 0:
                return None
            parts.append(text[start:close])
            piece = "".join(parts).strip()
            position = _skip_spaces(text, close + 1)
            if position < end and text[position] not in ",;":
                return None
        else:
            separator = _SEPARATOR.search(text, position)
            stop = separator.start() if separator else end
            piece = text[position:stop].strip()
            position = stop
        if piece:
            pieces.append(piece)
        if position >= end:
            return pieces
        position += 1  # past the separator


def _quote(piece: str) -> str:
    return '"' + piece.replace('"', '""') + '"'


def _quote_if_needed(piece: str) -> str:
    """Quote a choice that the splitting rules would otherwise cut or misread."""
    return _quote(piece) if piece.startswith('"') or "," in piece or ";" in piece else piece


class MultiSelectCodec:
    """Multi-select: a tuple of option ids, in the order given, without duplicates.

    Raw values are a JSON list of ids or titles, or CSV text with the choices separated by commas
    or semicolons (``Open; Won``). A choice whose id or title contains a comma or semicolon, or
    starts with a double quote, is written in double quotes (``"Yes, please", No``); a cell that
    as a whole names one option is that option, so ``Yes, please`` alone also works. An empty
    selection is unset (``None``), like any blank value.
    """

    _EXPECTED = "a list of options (expected option ids or titles)"

    def parse(self, spec: TypeSpec, raw: object) -> tuple[str, ...] | None:
        if isinstance(raw, list | tuple):
            names: list[str] = []
            for item in raw:
                if not isinstance(item, str):
                    raise invalid(spec, raw, f"a list of options ({show(item)} is not a string)")
                if item.strip():
                    names.append(check_text(spec, raw, item).strip())
        elif isinstance(raw, str):
            text = check_text(spec, raw, raw).strip()
            # The whole cell first, so a title with a comma needs no quotes when it is alone.
            if not text.startswith('"') and len(whole := spec.index.find(text)) == 1:
                return (whole[0].id,)
            pieces = split_choices(text)
            if pieces is None:
                raise invalid(spec, raw, "a list of options (a double quote is not closed)")
            names = pieces
        else:
            raise invalid(spec, raw, self._EXPECTED)
        ids = dict.fromkeys(resolve(spec, raw, name) for name in names)  # ordered, unique
        return tuple(ids) or None

    def _ids(self, spec: TypeSpec, value: object) -> tuple[str, ...]:
        if not isinstance(value, tuple) or not all(isinstance(item, str) for item in value):
            raise wrong_value(spec, value, "a tuple of option ids (str)")
        return value

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return list(self._ids(spec, value)) or None

    def from_json(self, spec: TypeSpec, data: object) -> tuple[str, ...] | None:
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            raise invalid(spec, data, self._EXPECTED)
        return tuple(data) or None

    def format_text(self, spec: TypeSpec, value: object) -> str:
        value = self._ids(spec, value)
        text = ", ".join(_quote_if_needed(item) for item in value)
        # If the joined text as a whole named some option, parse would read it as that one
        # option; quoting every piece makes it start with a quote, which turns that reading off.
        if len(value) > 1 and not text.startswith('"') and spec.index.find(text):
            text = ", ".join(_quote(item) for item in value)
        return text
