"""Pipedrive's limits: a burst window of 2 seconds per token, a tighter one for search, and a
daily budget of tokens that each request spends by its ``x-token-cost``.

Burst limits per plan (pipedrive.readme.io "rate limiting"): 20/40/80/100/120 requests per 2 s
for an API token (Essential to Enterprise), 80/160/320/400/480 for an OAuth access token, and
10 per 2 s for the search endpoints on every plan. The daily budget is 30,000 tokens times the
plan's multiplier and the number of seats, reset at midnight. Every answer carries
``x-ratelimit-limit``, ``x-ratelimit-remaining`` and ``x-ratelimit-reset`` (seconds until the
window frees); a refused request gets 429 with the same headers. When the daily budget runs
out the 429 says so, and its ``x-ratelimit-reset`` counts the seconds to UTC midnight.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from simulators.kit import RollingWindow
from simulators.pipedrive.errors import (
    DAILY_LIMIT_MESSAGE,
    RATE_LIMIT_MESSAGE,
    PipedriveError,
)

WINDOW_SECONDS = 2.0

_COSTS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("GET", re.compile(r"^/api/v2/(persons|organizations)/search$"), 20),
    ("GET", re.compile(r"^/api/v2/(person|organization|deal)Fields$"), 10),
    ("POST", re.compile(r"^/api/v2/(person|organization|deal)Fields$"), 5),
    ("POST", re.compile(r"^/api/v2/(person|organization|deal)Fields/[^/]+/options$"), 5),
    ("GET", re.compile(r"^/api/v2/(persons|organizations)$"), 10),
    ("POST", re.compile(r"^/api/v2/(persons|organizations)$"), 5),
    ("GET", re.compile(r"^/api/v2/(persons|organizations)/\d+$"), 1),
    ("PATCH", re.compile(r"^/api/v2/(persons|organizations)/\d+$"), 5),
    ("DELETE", re.compile(r"^/api/v2/(persons|organizations)/\d+$"), 3),
    ("GET", re.compile(r"^(/api)?/v1/users/me$"), 2),
)
"""Each operation's ``x-token-cost`` in Pipedrive's descriptions (v2, and v1 for users/me)."""


def token_cost(method: str, path: str) -> int:
    """The tokens a request spends (1 for a route the table does not name)."""
    for verb, pattern, cost in _COSTS:
        if verb == method.upper() and pattern.match(path):
            return cost
    return 1


def is_search(path: str) -> bool:
    """Whether the request counts against the search window too."""
    return path.rstrip("/").endswith("/search")


def seconds_to_utc_midnight(now: datetime | None = None) -> float:
    """Seconds until the daily budget is counted afresh."""
    current = now or datetime.now(tz=UTC)
    midnight = (current + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - current).total_seconds()


@dataclass(frozen=True)
class Counters:
    """What the rate headers of an answer say."""

    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        """The ``x-ratelimit-*`` headers."""
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
        }


class Limits:
    """The windows of every token and the company's daily budget.

    Args:
        api_token_burst: Requests per 2 s for an API token.
        oauth_burst: Requests per 2 s for an OAuth access token.
        search_burst: Search requests per 2 s, for either.
        daily_tokens: The company's daily token budget.
        window: The burst window's length (2 s; tests shorten it).
    """

    def __init__(
        self,
        *,
        api_token_burst: int,
        oauth_burst: int,
        search_burst: int,
        daily_tokens: int,
        window: float = WINDOW_SECONDS,
    ) -> None:
        self.api_token_burst = api_token_burst
        self.oauth_burst = oauth_burst
        self.search_burst = search_burst
        self.daily_tokens = daily_tokens
        self.window = window
        self._lock = threading.Lock()
        self._bursts: dict[str, RollingWindow] = {}
        self._searches: dict[str, RollingWindow] = {}
        self.spent = 0
        self._day = datetime.now(tz=UTC).date()

    def _windows(self, token: str, oauth: bool) -> tuple[RollingWindow, RollingWindow]:
        with self._lock:
            burst = self._bursts.get(token)
            if burst is None:
                limit = self.oauth_burst if oauth else self.api_token_burst
                burst = self._bursts[token] = RollingWindow(limit, self.window)
            search = self._searches.get(token)
            if search is None:
                search = self._searches[token] = RollingWindow(self.search_burst, self.window)
            return burst, search

    def admit(self, token: str, *, oauth: bool, method: str, path: str) -> Counters:
        """Count one request of ``token``; its counters.

        Raises:
            PipedriveError: 429, over the burst or search window or the daily budget.
        """
        cost = token_cost(method, path)
        with self._lock:
            today = datetime.now(tz=UTC).date()
            if today != self._day:
                self._day, self.spent = today, 0
            if self.spent + cost > self.daily_tokens:
                reset = math.ceil(seconds_to_utc_midnight())
                counters = Counters(self.daily_tokens, 0, reset)
                raise PipedriveError(429, DAILY_LIMIT_MESSAGE, headers=counters.headers())
        burst, search = self._windows(token, oauth)
        if is_search(path):
            verdict = search.hit()
            if not verdict.allowed:
                # The burst counters stay the token's; only the wait is the search window's.
                wait = str(max(1, math.ceil(verdict.retry_after)))
                raise PipedriveError(429, RATE_LIMIT_MESSAGE, headers={"x-ratelimit-reset": wait})
        verdict = burst.hit()
        if not verdict.allowed:
            counters = Counters(verdict.limit, 0, max(1, math.ceil(verdict.retry_after)))
            raise PipedriveError(429, RATE_LIMIT_MESSAGE, headers=counters.headers())
        with self._lock:
            self.spent += cost
        return Counters(verdict.limit, verdict.remaining, math.ceil(self.window))

    def refused(self) -> int:
        """Requests refused by the burst and search windows so far."""
        windows = [*self._bursts.values(), *self._searches.values()]
        return sum(w.refused for w in windows)

    def reset(self) -> None:
        """Empty every window and the day's spending."""
        with self._lock:
            self._bursts.clear()
            self._searches.clear()
            self.spent = 0
