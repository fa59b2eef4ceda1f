"""Reading ``Retry-After``: vendors send seconds (HubSpot) or an HTTP date (Attio)."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime


def seconds_until(value: str | None, *, now: float | None = None) -> float | None:
    """How long ``Retry-After: value`` asks to wait, in seconds (never negative).

    None when the header is missing or unreadable, so the caller falls back to its backoff.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # HTTP dates are GMT; a zone-less one is taken as such
        return None
    current = time.time() if now is None else now
    return max(0.0, moment.timestamp() - current)
