"""Attio's timestamps: ISO 8601 in UTC with nine fractional digits
(``2022-11-21T13:22:49.061281000Z``), and the coercions its date and timestamp values allow."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def stamp(moment: float) -> str:
    """Seconds since the epoch as Attio writes a timestamp."""
    when = datetime.fromtimestamp(moment, tz=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}000Z"


def moment_of(text: str) -> datetime | None:
    """A timestamp text as Attio reads one: ``2023``, ``2023-01``, ``2023-01-02``, a date-time
    with up to nine fractional digits, with or without a zone (UTC when none); None if not."""
    raw = text.strip()
    partial = _PARTIAL.match(raw)
    if partial:
        year, month, day = (int(part) if part else 1 for part in partial.groups())
        try:
            return datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            return None
    raw = raw.replace("Z", "+00:00").replace("z", "+00:00")
    # Python reads at most six fractional digits; Attio writes nine.
    raw = re.sub(r"(\.\d{6})\d+", r"\1", raw)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def timestamp_text(text: str) -> str | None:
    """The timestamp Attio stores for ``text`` (None: not a timestamp)."""
    moment = moment_of(text)
    return stamp(moment.timestamp()) if moment is not None else None


def date_text(text: str) -> str | None:
    """The date Attio stores for ``text``: times are trimmed after moving a zoned time to UTC
    (``2023-01-02T23:00:00-10:00`` is ``2023-01-03``); None if not a date."""
    moment = moment_of(text)
    if moment is None:
        return None
    day: date = moment.date()
    return day.isoformat()
