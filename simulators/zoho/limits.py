"""Zoho CRM's request limits: API credits over a rolling 24 hours, and concurrency.

A write of records costs one credit per ten records (at least one); every other call costs
one. Over the credits, or with more requests in flight than the edition's concurrency (or the
sub-concurrency of 10 that writes of more than ten records share), Zoho answers 429
``TOO_MANY_REQUESTS``. Zoho documents no rate headers, so none are sent; a throttle over the
credits says in ``Retry-After`` when the oldest credits leave the window (the simulator's
choice: Zoho's own signal for it is not documented).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

DAY_SECONDS = 86_400.0
SUB_CONCURRENCY = 10  # insert/update/upsert calls with more than 10 records


def credits_for(records: int) -> int:
    """What a write of ``records`` records costs (1 credit per 10 records)."""
    return max(1, math.ceil(records / 10))


@dataclass(frozen=True)
class Throttle:
    """Why a request was refused, and how long the credits say to wait (None: not said)."""

    credits: bool
    retry_after: float | None


class Limits:
    """One org's credit window and its requests in flight.

    Args:
        credits: Credits allowed in any window of ``window_seconds``.
        concurrency: Requests allowed in flight at once (Zoho: 5 on Free to 25 on Ultimate).
        window_seconds: The credit window (24 hours at Zoho; tests may shorten it).
    """

    def __init__(self, credits: int, concurrency: int, window_seconds: float = DAY_SECONDS):
        self.credits = credits
        self.concurrency = concurrency
        self.window_seconds = window_seconds
        self._spent: deque[tuple[float, int]] = deque()
        self._in_flight = 0
        self._heavy_in_flight = 0
        self._lock = threading.Lock()

    def used(self) -> int:
        """Credits spent in the current window."""
        with self._lock:
            self._forget(time.monotonic())
            return sum(cost for _, cost in self._spent)

    def _forget(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - self.window_seconds:
            self._spent.popleft()

    def enter(self, cost: int, *, heavy: bool) -> Throttle | None:
        """Admit a request costing ``cost`` credits (``heavy``: a write of over ten records),
        or say why not; an admitted request must :meth:`leave`."""
        now = time.monotonic()
        with self._lock:
            self._forget(now)
            if sum(c for _, c in self._spent) + cost > self.credits:
                oldest = self._spent[0][0] if self._spent else now
                return Throttle(True, max(0.0, oldest + self.window_seconds - now))
            if self._in_flight >= self.concurrency:
                return Throttle(False, None)
            if heavy and self._heavy_in_flight >= SUB_CONCURRENCY:
                return Throttle(False, None)
            self._spent.append((now, cost))
            self._in_flight += 1
            self._heavy_in_flight += int(heavy)
            return None

    def leave(self, *, heavy: bool) -> None:
        """An admitted request has been answered."""
        with self._lock:
            self._in_flight -= 1
            self._heavy_in_flight -= int(heavy)

    def reset(self) -> None:
        """Forget spent credits (requests in flight finish on their own)."""
        with self._lock:
            self._spent.clear()
