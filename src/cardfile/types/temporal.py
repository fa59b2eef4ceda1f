"""Date and timestamp: ISO 8601 text, or epoch seconds as Cycle's CSV files carry them."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal

from cardfile.types.codec import JSONValue, invalid, wrong_value
from cardfile.types.errors import InvalidValue, show
from cardfile.types.kinds import TypeSpec

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Epoch seconds with fewer digits than this are refused as ambiguous: "20230928" is far more
# likely a compact date than 1970-08-23, and "2023" a year than 33 minutes past the epoch. Every
# instant from 1973-03-03 on has at least nine digits, which covers real exports.
EPOCH_MIN_DIGITS = 9
_EPOCH_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?")

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# The ISO 8601 forms exports use: a date, optionally with a time ("T", "t" or one space), seconds
# and a fraction optional, then "Z" or an offset. Python's fromisoformat accepts any character as
# the separator ("2023-09-28x04:39"), which hides typos, so the shape is checked here instead.
_TIMESTAMP = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r" ?(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)


def _epoch_seconds(spec: TypeSpec, raw: object, what: str) -> Decimal | None:
    """Read ``raw`` as epoch seconds if it is a number or a string of digits, else ``None``.

    Raises:
        InvalidValue: If it is a number but too short to be unambiguous, or not finite.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        seconds = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise invalid(spec, raw, what)
        seconds = Decimal(repr(raw))  # the decimal the sender wrote, not the float's expansion
    elif isinstance(raw, str) and _EPOCH_TEXT.fullmatch(raw.strip()):
        seconds = Decimal(raw.strip())
    else:
        return None
    if abs(seconds) < 10 ** (EPOCH_MIN_DIGITS - 1):
        raise InvalidValue(
            f"{show(raw)} is ambiguous as {what}: epoch seconds need at least "
            f"{EPOCH_MIN_DIGITS} digits (1973 or later); otherwise write it as YYYY-MM-DD",
            type=spec.type,
            raw=raw,
        )
    return seconds


def _from_epoch(spec: TypeSpec, raw: object, seconds: Decimal) -> datetime:
    micros = int((seconds * 1_000_000).to_integral_value(ROUND_HALF_EVEN))
    try:
        return _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        hint = ""
        if abs(seconds) >= 10**11:
            hint = "; it looks like milliseconds, so divide it by 1000"
        raise InvalidValue(
            f"{show(raw)} is out of range for epoch seconds (years 1 to 9999){hint}",
            type=spec.type,
            raw=raw,
        ) from None


class DateCodec:
    """Date: a calendar date, written ``YYYY-MM-DD``; epoch seconds are read in UTC."""

    _EXPECTED = "a date (expected YYYY-MM-DD, e.g. 2023-09-28, or epoch seconds)"

    def parse(self, spec: TypeSpec, raw: object) -> date:
        if isinstance(raw, datetime):  # a datetime is a date too, but its time would be lost
            raise invalid(spec, raw, self._EXPECTED)
        if isinstance(raw, date):
            return raw
        seconds = _epoch_seconds(spec, raw, "a date")
        if seconds is not None:
            if seconds != seconds.to_integral_value():
                raise invalid(spec, raw, "a date (epoch seconds must be a whole number)")
            return _from_epoch(spec, raw, seconds).date()
        if not isinstance(raw, str) or not (found := _DATE.fullmatch(raw.strip())):
            raise invalid(spec, raw, self._EXPECTED)
        year, month, day = (int(part) for part in found.groups())
        try:
            return date(year, month, day)
        except ValueError as error:  # "day is out of range for month" is clear enough
            raise InvalidValue(
                f"{show(raw)} is not a valid date ({error})", type=spec.type, raw=raw
            ) from None

    def _text(self, spec: TypeSpec, value: object) -> str:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise wrong_value(spec, value, "a date")
        return value.isoformat()

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return self._text(spec, value)

    def from_json(self, spec: TypeSpec, data: object) -> date:
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        return self._text(spec, value)


def _offset(zone: str) -> timezone:
    if zone in ("Z", "z"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"UTC offset {zone} out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


class TimestampCodec:
    """Timestamp: an instant, held as an aware ``datetime`` in UTC.

    Reads ISO 8601 (``2023-09-28T04:39:17``, with ``Z`` or an offset, a fraction of up to nine
    digits, truncated to microseconds; a date alone is midnight) and epoch seconds. Text without
    an offset is UTC. Writes one fixed form, ``2023-09-28T04:39:17.000000Z``, so that equal
    instants always have equal text (the sync engine fingerprints payloads).
    """

    _EXPECTED = "a timestamp (expected ISO 8601, e.g. 2023-09-28T04:39:17Z, or epoch seconds)"

    def parse(self, spec: TypeSpec, raw: object) -> datetime:
        if isinstance(raw, datetime):
            return (raw if raw.tzinfo else raw.replace(tzinfo=UTC)).astimezone(UTC)
        seconds = _epoch_seconds(spec, raw, "a timestamp")
        if seconds is not None:
            return _from_epoch(spec, raw, seconds)
        if not isinstance(raw, str) or not (found := _TIMESTAMP.fullmatch(raw.strip())):
            raise invalid(spec, raw, self._EXPECTED)
        part = found.groupdict()
        fraction = (part["fraction"] or "")[:6].ljust(6, "0")
        try:
            moment = datetime(
                int(part["year"]),
                int(part["month"]),
                int(part["day"]),
                int(part["hour"] or 0),
                int(part["minute"] or 0),
                int(part["second"] or 0),
                int(fraction),
                tzinfo=_offset(part["zone"]) if part["zone"] else UTC,
            )
            return moment.astimezone(UTC)
        except (ValueError, OverflowError) as error:
            raise InvalidValue(
                f"{show(raw)} is not a valid timestamp ({error})", type=spec.type, raw=raw
            ) from None

    def _text(self, spec: TypeSpec, value: object) -> str:
        if not isinstance(value, datetime):
            raise wrong_value(spec, value, "a datetime")
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        # isoformat, not strftime: strftime("%Y") drops the zero padding of years before 1000.
        return value.isoformat(timespec="microseconds") + "Z"

    def to_json(self, spec: TypeSpec, value: object) -> JSONValue:
        return self._text(spec, value)

    def from_json(self, spec: TypeSpec, data: object) -> datetime:
        return self.parse(spec, data)

    def format_text(self, spec: TypeSpec, value: object) -> str:
        return self._text(spec, value)
