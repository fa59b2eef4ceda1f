"""The contract each attribute type's module implements, and the checks they share."""

from __future__ import annotations

from typing import Protocol, TypeAlias

from cardfile.types.errors import InvalidValue, show
from cardfile.types.kinds import TypeSpec

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"


class Codec(Protocol):
    """Reads and writes the values of one attribute type.

    The public functions in :mod:`cardfile.types.api` deal with unset values (``None``, blank
    text) before calling a codec, so a codec never sees them as input.
    """

    def parse(self, spec: TypeSpec, raw: object) -> object | None:
        """Validate a raw value (CSV text or a JSON value) and return the typed value."""
        ...

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        """Return the JSON form of a typed value."""
        ...

    def from_json(self, spec: TypeSpec, data: object) -> object | None:
        """Decode what :meth:`to_json` returned, without re-running costly checks."""
        ...

    def format_text(self, spec: TypeSpec, value: object) -> str:
        """Return CSV cell text that :meth:`parse` reads back as the same value."""
        ...


def invalid(spec: TypeSpec, raw: object, expected: str) -> InvalidValue:
    """Build the usual error: ``<raw> is not <expected>``.

    Args:
        spec: The attribute's spec.
        raw: The raw value, quoted in the message.
        expected: What it should have been, with its article, e.g. ``"a number"`` or
            ``"a date (expected YYYY-MM-DD)"``.
    """
    return InvalidValue(f"{show(raw)} is not {expected}", type=spec.type, raw=raw)


def wrong_value(spec: TypeSpec, value: object, expected: str) -> TypeError:
    """Report a typed value of the wrong Python type handed to ``to_json``/``format_text``.

    That is a bug in the caller, not bad input, hence a ``TypeError`` and not ``InvalidValue``.
    """
    return TypeError(
        f"a {spec.type.value} value must be {expected}, not {type(value).__name__} {value!r}"
    )


def str_value(spec: TypeSpec, value: object, expected: str = "a str") -> str:
    """Return a typed value that must be a ``str``; anything else is a caller's bug.

    Raises:
        TypeError: If ``value`` is not a ``str``.
    """
    if not isinstance(value, str):
        raise wrong_value(spec, value, expected)
    return value


def check_text(spec: TypeSpec, raw: object, text: str) -> str:
    """Refuse text the store cannot hold, and return it unchanged otherwise.

    PostgreSQL text columns reject NUL characters and every driver rejects lone surrogates (which
    ``json.loads`` produces from ``"\\ud800"``); refusing them here gives the user a message
    naming the value instead of a failed transaction later.
    """
    if "\x00" in text:
        raise InvalidValue(
            f"{show(raw)} contains a NUL character, which cannot be stored",
            type=spec.type,
            raw=raw,
        )
    try:
        if not text.isascii():  # the common case costs no encoding
            text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue(
            f"{show(raw)} contains an unpaired surrogate character, which is not valid Unicode",
            type=spec.type,
            raw=raw,
        ) from None
    return text


def require_str(spec: TypeSpec, raw: object, expected: str) -> str:
    """Return ``raw`` if it is a string, else raise ``InvalidValue`` saying what was expected."""
    if not isinstance(raw, str):
        raise invalid(spec, raw, expected)
    return raw


class StringValued:
    """``to_json``, ``from_json`` and ``format_text`` of a type whose typed value is a string
    checked on the way in (so a stored one is trusted: re-validating would double a read's
    cost)."""

    _EXPECTED = "a string"
    _VALUE = "a str"

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        """The string itself."""
        return str_value(spec, value, self._VALUE)

    def from_json(self, spec: TypeSpec, data: object) -> str:
        """The stored string."""
        return require_str(spec, data, self._EXPECTED)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        """The string itself."""
        return str_value(spec, value, self._VALUE)
