"""Shared checks for the type system's tests."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from cardfile.types import InvalidValue, TypeSpec, format_text, from_json, parse, to_json

RoundTrips = Callable[[TypeSpec, object], None]


def refusal(spec: TypeSpec, raw: object) -> str:
    """The message with which ``parse`` refuses ``raw``, after checking the error carries
    the raw value and the type."""
    with pytest.raises(InvalidValue) as caught:
        parse(spec, raw)
    assert caught.value.raw is raw
    assert caught.value.type is spec.type
    return caught.value.message


def _check_round_trips(spec: TypeSpec, value: object) -> None:
    """Assert that a typed value survives every way out and back in, as the same Python type."""
    text = format_text(spec, value)
    from_text = parse(spec, text)
    assert from_text == value, f"format_text gave {text!r}, which parses to {from_text!r}"
    assert type(from_text) is type(value)

    data = to_json(spec, value)
    assert from_json(spec, data) == value
    assert parse(spec, data) == value, f"to_json gave {data!r}, which parse does not read back"

    wire = json.loads(json.dumps(data))  # through a real encoder: tuples become lists, etc.
    assert from_json(spec, wire) == value
    assert to_json(spec, from_json(spec, wire)) == data  # the JSON form is stable


@pytest.fixture(scope="session")
def round_trips() -> RoundTrips:
    """``round_trips(spec, value)`` asserts parse/format_text and to_json/from_json agree.

    Session-scoped so that hypothesis tests may use it (it holds no state).
    """
    return _check_round_trips
