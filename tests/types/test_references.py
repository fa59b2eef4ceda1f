from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardfile.types import (
    AttributeType,
    InvalidValue,
    RecordReference,
    TypeSpec,
    format_text,
    parse,
    to_json,
)

RoundTrips = Callable[[TypeSpec, object], None]

RECORD = TypeSpec(AttributeType.RECORD_REFERENCE)
ACTOR = TypeSpec(AttributeType.ACTOR_REFERENCE)


# record reference


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("person@example.com", "person@example.com"),  # the seed's three kinds
        ("app.attio.com", "app.attio.com"),
        ("0677efa5-7e2c-4f4b-9d7c-2a1b3c4d5e6f", "0677efa5-7e2c-4f4b-9d7c-2a1b3c4d5e6f"),
        ("  0677efa ", "0677efa"),
        (RecordReference("0677efa"), "0677efa"),
    ],
)
def test_record_reference_accepts(raw: object, value: str) -> None:
    assert parse(RECORD, raw) == RecordReference(value)


@pytest.mark.parametrize("raw", [42, ["a"], {"target_record_id": "a"}, True])
def test_record_reference_refuses_json_that_is_not_a_string(raw: object) -> None:
    with pytest.raises(InvalidValue, match="is not a record reference"):
        parse(RECORD, raw)


def test_record_reference_refuses_nul() -> None:
    with pytest.raises(InvalidValue, match="NUL"):
        parse(RECORD, "a\x00")


def test_a_blank_record_reference_is_unset() -> None:
    assert parse(RECORD, RecordReference("  ")) is None


def test_record_reference_json_is_the_bare_string() -> None:
    assert to_json(RECORD, RecordReference("abc")) == "abc"
    assert format_text(RECORD, RecordReference("abc")) == "abc"
    with pytest.raises(TypeError, match="RecordReference"):
        to_json(RECORD, "abc")


@given(st.text(min_size=1).map(str.strip).filter(lambda s: s and "\x00" not in s))
@settings(max_examples=200)
def test_record_references_round_trip(round_trips: RoundTrips, text: str) -> None:
    round_trips(RECORD, RecordReference(text))


# actor reference


def test_actor_reference_is_a_validated_email() -> None:
    assert parse(ACTOR, " Alice@Attio.COM ") == "Alice@attio.com"  # the seed's example, shouted
    with pytest.raises(InvalidValue, match="is not a valid email address") as caught:
        parse(ACTOR, "alice")
    assert caught.value.type is AttributeType.ACTOR_REFERENCE


@given(st.emails())
@settings(max_examples=100, deadline=None)
def test_actor_references_round_trip(round_trips: RoundTrips, text: str) -> None:
    try:
        value = parse(ACTOR, text)
    except InvalidValue:
        return  # hypothesis' emails() also makes addresses email_validator refuses
    round_trips(ACTOR, value)
