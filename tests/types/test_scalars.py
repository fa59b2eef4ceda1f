from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardfile.types import AttributeType, TypeSpec, format_text, parse, to_json
from tests.types.conftest import refusal

RoundTrips = Callable[[TypeSpec, object], None]

TEXT = TypeSpec(AttributeType.TEXT)
NUMBER = TypeSpec(AttributeType.NUMBER)
CHECKBOX = TypeSpec(AttributeType.CHECKBOX)
CURRENCY = TypeSpec(AttributeType.CURRENCY, currency_code="USD")
RATING = TypeSpec(AttributeType.RATING)


# text


@pytest.mark.parametrize("raw", ["A piece of text", "  padded  ", "line\nbreak", "0", "é ✓ 漢字"])
def test_text_is_kept_exactly(raw: str) -> None:
    assert parse(TEXT, raw) == raw


@pytest.mark.parametrize("raw", [42, 4.2, True, ["a"], {"a": 1}])
def test_text_refuses_json_that_is_not_a_string(raw: object) -> None:
    assert refusal(TEXT, raw).endswith("is not text (expected a string)")


def test_text_refuses_nul() -> None:
    assert "NUL" in refusal(TEXT, "a\x00b")


@given(st.text(min_size=1).filter(lambda s: not s.isspace() and "\x00" not in s))
@settings(max_examples=200)
def test_text_round_trips(round_trips: RoundTrips, value: str) -> None:
    round_trips(TEXT, value)


# number


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("42.192", 42.192),
        ("17", 17.0),
        (" -2.5 ", -2.5),
        ("+3", 3.0),
        ("1e3", 1000.0),
        ("1.5E-3", 0.0015),
        (".5", 0.5),
        ("5.", 5.0),
        (17, 17.0),
        (42.192, 42.192),
        (Decimal("1.25"), 1.25),
    ],
)
def test_number_accepts(raw: object, number: float) -> None:
    parsed = parse(NUMBER, raw)
    assert parsed == number
    assert type(parsed) is float


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "'abc' is not a number"),
        ("1,000", "'1,000' is not a number (write it without thousands separators"),
        ("2,5", "'2,5' is not a number (write it without thousands separators"),
        ("1_000", "'1_000' is not a number"),
        ("NaN", "'NaN' is not a number (NaN and Infinity are not allowed)"),
        ("-Infinity", "'-Infinity' is not a number (NaN and Infinity are not allowed)"),
        (math.nan, "NaN is not a number (NaN is not allowed)"),
        (math.inf, "Infinity is too large for a number"),
        ("1e999", "'1e999' is too large for a number"),
        (10**400, "is too large for a number"),
        (True, "true is not a number"),
        ("0x10", "'0x10' is not a number"),
        ("12 kg", "'12 kg' is not a number"),
        ([1], "[1] is not a number"),
    ],
)
def test_number_refuses(raw: object, message: str) -> None:
    assert message in refusal(NUMBER, raw)


def test_number_writes_whole_numbers_without_a_point() -> None:
    assert format_text(NUMBER, 17.0) == "17"
    assert format_text(NUMBER, -0.0) == "0"
    assert format_text(NUMBER, 0.1) == "0.1"
    assert format_text(NUMBER, 1e300) == "1e+300"
    assert to_json(NUMBER, 17.0) == 17.0


def test_number_to_json_refuses_what_is_not_a_finite_float() -> None:
    with pytest.raises(TypeError, match="must be a float"):
        to_json(NUMBER, "17")
    with pytest.raises(TypeError, match="finite"):
        to_json(NUMBER, math.nan)


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=300)
def test_number_round_trips(round_trips: RoundTrips, value: float) -> None:
    round_trips(NUMBER, value)


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=100)
def test_number_reads_python_float_text(value: float) -> None:
    assert parse(NUMBER, repr(value)) == value
    assert parse(NUMBER, str(value)) == value


# checkbox


@pytest.mark.parametrize(
    "raw", [True, 1, "true", "TRUE", " yes ", "Y", "1", "on", "Checked", "True"]
)
def test_checkbox_reads_true(raw: object) -> None:
    assert parse(CHECKBOX, raw) is True


@pytest.mark.parametrize("raw", [False, 0, "false", "No", "n", "0", "OFF", "unchecked"])
def test_checkbox_reads_false(raw: object) -> None:
    assert parse(CHECKBOX, raw) is False


@pytest.mark.parametrize("raw", [2, -1, 1.0, "t", "maybe", "yess", "2", ["true"]])
def test_checkbox_refuses(raw: object) -> None:
    assert "is not a checkbox value (expected true/false, yes/no" in refusal(CHECKBOX, raw)


@given(st.booleans())
def test_checkbox_round_trips(round_trips: RoundTrips, value: bool) -> None:
    round_trips(CHECKBOX, value)
    assert format_text(CHECKBOX, value) == ("true" if value else "false")


# currency


@pytest.mark.parametrize(
    ("raw", "amount", "json"),
    [
        (99, Decimal(99), "99"),
        (29.9999, Decimal("29.9999"), "29.9999"),
        ("29.9999", Decimal("29.9999"), "29.9999"),
        (" 99.50 ", Decimal("99.50"), "99.50"),
        ("1.50000", Decimal("1.5000"), "1.5000"),
        ("1e3", Decimal(1000), "1000"),
        (1e20, Decimal(10**20), "100000000000000000000"),
        ("-12.3", Decimal("-12.3"), "-12.3"),
        ("-0.00", Decimal("0.00"), "0.00"),
        (Decimal("7.25"), Decimal("7.25"), "7.25"),
    ],
)
def test_currency_accepts(raw: object, amount: Decimal, json: str) -> None:
    parsed = parse(CURRENCY, raw)
    assert parsed == amount
    assert isinstance(parsed, Decimal)
    assert to_json(CURRENCY, parsed) == json


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("29.99999", "'29.99999' has more than 4 decimal places; amounts are not rounded"),
        (0.1 + 0.2, "0.30000000000000004 has more than 4 decimal places"),
        ("$29.99", "'$29.99' is not an amount (write it without a currency sign or code"),
        ("29.99 EUR", "is not an amount (write it without a currency sign or code"),
        ("€ 12", "is not an amount (write it without a currency sign or code"),
        ("1,000.50", "'1,000.50' is not an amount (write it without thousands separators"),
        ("abc", "'abc' is not an amount (expected a number with up to 4 decimal places"),
        ("NaN", "'NaN' is not an amount (NaN and Infinity are not allowed)"),
        (math.inf, "Infinity is not an amount (NaN and Infinity are not allowed)"),
        (Decimal("sNaN"), "is not an amount (NaN and Infinity are not allowed)"),
        ("1e24", "'1e24' is too large for an amount (at most 24 digits before the decimal point)"),
        (True, "true is not an amount"),
        ({"amount": 1}, "is not an amount"),
    ],
)
def test_currency_refuses(raw: object, message: str) -> None:
    assert message in refusal(CURRENCY, raw)


def test_currency_accepts_the_largest_amount() -> None:
    largest = "9" * 24 + ".9999"
    assert parse(CURRENCY, largest) == Decimal(largest)


currencies = st.one_of(
    [
        st.decimals(
            min_value=-(10**20), max_value=10**20, allow_nan=False, allow_infinity=False, places=p
        )
        for p in range(5)
    ]
)


@given(currencies)
@settings(max_examples=300)
def test_currency_round_trips(round_trips: RoundTrips, value: Decimal) -> None:
    round_trips(CURRENCY, value)
    assert "E" not in format_text(CURRENCY, value)


def test_currency_to_json_refuses_floats() -> None:
    with pytest.raises(TypeError, match="must be a Decimal"):
        to_json(CURRENCY, 1.5)


# rating


@pytest.mark.parametrize(
    ("raw", "rating"),
    [("3", 3), (3, 3), (3.0, 3), ("0", 0), (" 5 ", 5), ("3.0", 3), (Decimal("4"), 4)],
)
def test_rating_accepts(raw: object, rating: int) -> None:
    parsed = parse(RATING, raw)
    assert parsed == rating
    assert type(parsed) is int


@pytest.mark.parametrize(
    "raw", [3.5, "3.5", 6, "-1", True, "three", math.nan, 1e300, [3], Decimal("2.5")]
)
def test_rating_refuses(raw: object) -> None:
    assert refusal(RATING, raw).endswith("is not a rating (expected a whole number from 0 to 5)")


@given(st.integers(0, 5))
def test_rating_round_trips(round_trips: RoundTrips, value: int) -> None:
    round_trips(RATING, value)


def test_rating_to_json_refuses_out_of_range() -> None:
    with pytest.raises(TypeError):
        to_json(RATING, 6)
    with pytest.raises(TypeError):
        to_json(RATING, True)
