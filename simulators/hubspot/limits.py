"""HubSpot's request limits: a rolling burst window, a daily count, and the search API's own
per-second window (search requests are exempt from the burst window).

Every admitted answer carries ``X-HubSpot-RateLimit-*`` headers: the burst window's ``Max``,
``Remaining`` and ``Interval-Milliseconds``, and ``Daily``/``Daily-Remaining`` except for
OAuth calls, which HubSpot answers without the daily pair. Search answers carry the search
window as ``Secondly``/``Secondly-Remaining`` instead of the burst window.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from simulators.kit import RollingWindow

SEARCH_PER_SECOND = 4


@dataclass(frozen=True)
class Admission:
    """Whether a request may go on, the policy that refused it, and the headers to send."""

    allowed: bool
    policy: str | None
    headers: dict[str, str]


class Limits:
    """One portal's limits.

    Args:
        ten_second_limit: Requests allowed in any rolling burst window.
        daily_limit: Requests allowed per day (UTC), the simulator's portal being on UTC.
        interval_seconds: The burst window's length (10 s at HubSpot).
    """

    def __init__(self, ten_second_limit: int, daily_limit: int, interval_seconds: float) -> None:
        self.daily_limit = daily_limit
        self.interval_seconds = interval_seconds
        self.burst = RollingWindow(ten_second_limit, interval_seconds)
        self.search = RollingWindow(SEARCH_PER_SECOND, 1.0)
        self._lock = threading.Lock()
        self._day = self._today()
        self.daily_used = 0

    @staticmethod
    def _today() -> str:
        return datetime.now(tz=UTC).date().isoformat()

    def reset(self) -> None:
        """Empty the windows and the daily count."""
        self.burst.reset()
        self.search.reset()
        with self._lock:
            self.daily_used = 0
            self._day = self._today()

    def admit(self, *, search: bool, oauth: bool) -> Admission:
        """Count one authenticated request, or refuse it with the policy it broke."""
        with self._lock:
            if self._today() != self._day:
                self._day, self.daily_used = self._today(), 0
            over_daily = self.daily_used >= self.daily_limit
        window = self.search if search else self.burst
        policy: str | None
        if over_daily:
            verdict_remaining = 0
            allowed, policy = False, "DAILY"
        else:
            verdict = window.hit()
            verdict_remaining = verdict.remaining
            allowed = verdict.allowed
            policy = None if allowed else ("SECONDLY" if search else "TEN_SECONDLY_ROLLING")
        if allowed:
            with self._lock:
                self.daily_used += 1
        headers: dict[str, str] = {}
        if search:
            headers["X-HubSpot-RateLimit-Secondly"] = str(window.limit)
            headers["X-HubSpot-RateLimit-Secondly-Remaining"] = str(verdict_remaining)
        else:
            headers["X-HubSpot-RateLimit-Max"] = str(window.limit)
            headers["X-HubSpot-RateLimit-Remaining"] = str(verdict_remaining)
            headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(
                int(self.interval_seconds * 1000)
            )
        if not oauth:
            headers["X-HubSpot-RateLimit-Daily"] = str(self.daily_limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(
                max(0, self.daily_limit - self.daily_used)
            )
        return Admission(allowed, policy, headers)
