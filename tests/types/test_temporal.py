from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardfile.types import AttributeType, TypeSpec, format_text, parse, to_json
from tests.types.conftest import refusal

RoundTrips = Callable[[TypeSpec, object], None]

DATE = TypeSpec(AttributeType.DATE)
TIMESTAMP = TypeSpec(AttributeType.TIMESTAMP)


# date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-09-28", date(2023, 9, 28)),
        (" 2023-09-28 ", date(2023, 9, 28)),
        ("0005-01-01", date(5, 1, 1)),
        # Cycle's CSV example: closedDate 1678670383 is 2023-03-13T01:19:43Z
        (1678670383, date(2023, 3, 13)),
        ("1678670383", date(2023, 3, 13)),
        (-100_000_000, date(1966, 10, 31)),
        (date(2020, 2, 29), date(2020, 2, 29)),
    ],
)
def test_date_accepts(raw: object, expected: date) -> None:
    assert parse(DATE, raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2023-02-30", "'2023-02-30' is not a valid date (day is out of range for month)"),
        ("2023-13-01", "'2023-13-01' is not a valid date (month must be in 1..12)"),
        ("28/09/2023", "'28/09/2023' is not a date (expected YYYY-MM-DD, e.g. 2023-09-28"),
        ("2023-9-28", "is not a date (expected YYYY-MM-DD"),
        ("2023-09-28T04:39:17", "is not a date (expected YYYY-MM-DD"),
        ("2023-W39-4", "is not a date (expected YYYY-MM-DD"),
        ("20230928", "'20230928' is ambiguous as a date: epoch seconds need at least 9 digits"),
        (2023, "2023 is ambiguous as a date"),
        (0, "0 is ambiguous as a date"),
        (1678670383.5, "is not a date (epoch seconds must be a whole number)"),
        (1678670383000, "is out of range for epoch seconds (years 1 to 9999); it looks like"),
        (True, "true is not a date"),
        (datetime(2023, 9, 28, tzinfo=UTC), "is not a date"),
    ],
)
def test_date_refuses(raw: object, message: str) -> None:
    assert message in refusal(DATE, raw)


@given(st.dates())
@settings(max_examples=200)
def test_date_round_trips(round_trips: RoundTrips, value: date) -> None:
    round_trips(DATE, value)
    assert format_text(DATE, value) == to_json(DATE, value) == value.isoformat()


@given(st.integers(min_value=10**8, max_value=253402300799))
@settings(max_examples=100)
def test_date_reads_epoch_seconds_in_utc(seconds: int) -> None:
    expected = datetime.fromtimestamp(seconds, tz=UTC).date()
    assert parse(DATE, seconds) == expected
    assert parse(DATE, str(seconds)) == expected


def test_date_to_json_refuses_datetimes() -> None:
    with pytest.raises(TypeError, match="must be a date"):
        to_json(DATE, datetime(2023, 9, 28))


# timestamp


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-09-28T04:39:17", utc(2023, 9, 28, 4, 39, 17)),  # no offset: UTC
        ("2023-09-28T04:39:17Z", utc(2023, 9, 28, 4, 39, 17)),
        ("2023-09-28t04:39:17z", utc(2023, 9, 28, 4, 39, 17)),
        ("2023-09-28 04:39:17", utc(2023, 9, 28, 4, 39, 17)),
        ("2023-09-28T04:39", utc(2023, 9, 28, 4, 39)),
        ("2023-09-28", utc(2023, 9, 28)),
        ("2023-09-28T04:39:17.5Z", utc(2023, 9, 28, 4, 39, 17, 500000)),
        ("2023-09-28T04:39:17,25Z", utc(2023, 9, 28, 4, 39, 17, 250000)),
        ("2023-09-28T04:39:17.123456789Z", utc(2023, 9, 28, 4, 39, 17, 123456)),  # truncated
        ("2023-09-28T04:39:17+02:00", utc(2023, 9, 28, 2, 39, 17)),
        ("2023-09-28T04:39:17-0530", utc(2023, 9, 28, 10, 9, 17)),
        ("2023-09-28T04:39:17+01", utc(2023, 9, 28, 3, 39, 17)),
        ("2023-09-28T04:39:17 +01:00", utc(2023, 9, 28, 3, 39, 17)),
        ("2023-09-28T00:30:00+01:00", utc(2023, 9, 27, 23, 30)),  # crosses midnight
        (1678670383, utc(2023, 3, 13, 1, 19, 43)),
        ("1678670383", utc(2023, 3, 13, 1, 19, 43)),
        (1678670383.25, utc(2023, 3, 13, 1, 19, 43, 250000)),
        ("1678670383.000001", utc(2023, 3, 13, 1, 19, 43, 1)),
        (datetime(2023, 9, 28, 4, 39, 17), utc(2023, 9, 28, 4, 39, 17)),
    ],
)
def test_timestamp_accepts(raw: object, expected: datetime) -> None:
    parsed = parse(TIMESTAMP, raw)
    assert parsed == expected
    assert isinstance(parsed, datetime)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2023-09-28x04:39:17", "is not a timestamp (expected ISO 8601, e.g. 2023-09-28T04:39:17Z"),
        ("28 Sep 2023", "'28 Sep 2023' is not a timestamp (expected ISO 8601"),
        ("2023-09-28T4:39", "is not a timestamp"),
        ("2023-09-28T04:39:17+25:00", "is not a valid timestamp (UTC offset +25:00 out of range)"),
        ("2023-09-28T24:00:00", "is not a valid timestamp (hour must be in 0..23)"),
        ("2023-06-30T23:59:60Z", "is not a valid timestamp (second must be in 0..59)"),
        ("0001-01-01T00:00:00+01:00", "is not a valid timestamp"),
        ("20230928", "is ambiguous as a timestamp"),
        (12.5, "12.5 is ambiguous as a timestamp"),
        (1678670383000, "it looks like milliseconds, so divide it by 1000"),
        (float("nan"), "is not a timestamp"),
        (False, "false is not a timestamp"),
        ({"seconds": 1}, "is not a timestamp"),
    ],
)
def test_timestamp_refuses(raw: object, message: str) -> None:
    assert message in refusal(TIMESTAMP, raw)


def test_timestamp_is_written_in_one_fixed_form() -> None:
    moment = utc(2023, 9, 28, 4, 39, 17)
    assert to_json(TIMESTAMP, moment) == "2023-09-28T04:39:17.000000Z"
    assert format_text(TIMESTAMP, moment) == "2023-09-28T04:39:17.000000Z"
    eastern = moment.astimezone(timezone(timedelta(hours=-5)))
    assert to_json(TIMESTAMP, eastern) == "2023-09-28T04:39:17.000000Z"
    assert to_json(TIMESTAMP, utc(5, 1, 1)) == "0005-01-01T00:00:00.000000Z"


offsets = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60, 23 * 60)
)
instants = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
)


@given(instants)
@settings(max_examples=200)
def test_timestamp_round_trips(round_trips: RoundTrips, moment: datetime) -> None:
    value = moment.astimezone(UTC)
    round_trips(TIMESTAMP, value)


@given(instants)
@settings(max_examples=200)
def test_timestamp_reads_isoformat_with_any_offset(moment: datetime) -> None:
    assert parse(TIMESTAMP, moment.isoformat()) == moment
    assert parse(TIMESTAMP, moment.replace(tzinfo=None).isoformat()) == moment.replace(tzinfo=UTC)
