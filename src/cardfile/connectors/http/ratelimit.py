"""A per-connection request budget, spent *before* each request.

A rolling window: at most ``requests`` requests are started in any ``seconds``-long stretch,
which is how HubSpot (190 per 10 s, rolling) and Attio (25 writes per second) count. The
vendor's own counters correct it (``observe``), and a 429 pauses every request of the
connection for as long as the vendor asked (``pause``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from cardfile.connectors.base import RateLimit

# Requests reach the vendor a little after we start them, and not always in the same order
# of delay; a request started exactly one window after an older one could still land inside
# that window by the vendor's clock.
_MARGIN_SECONDS = 0.05


class RateBudget:
    """Paces one connection's requests to a vendor's rolling-window limit."""

    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._started: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _window(self) -> float:
        return self.limit.seconds + _MARGIN_SECONDS

    def delay(self) -> float:
        """Seconds until the next request may start (0 when it may start now)."""
        now = self._clock()
        started = self._started
        window = self._window()
        while started and started[0] <= now - window:
            started.popleft()
        wait = max(0.0, self._paused_until - now)
        if len(started) >= self.limit.requests:
            wait = max(wait, started[0] + window - now)
        return wait

    async def acquire(self) -> None:
        """Wait until a request may start, and count it as started."""
        async with self._lock:
            while (wait := self.delay()) > 0:
                await asyncio.sleep(wait)
            self._started.append(self._clock())

    def pause(self, seconds: float) -> None:
        """Start nothing for ``seconds``: the vendor said to slow down."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def observe(self, remaining: int, *, limit: int | None = None) -> None:
        """Take the vendor's count of what is left in its current window.

        When the vendor has seen more requests than we started (other clients of the same
        account, or a window that began before this process), count the difference as
        started now, so the budget never runs ahead of the vendor's.
        """
        allowed = min(self.limit.requests, limit) if limit else self.limit.requests
        used_by_vendor = allowed - max(0, remaining)
        now = self._clock()
        missing = used_by_vendor - len(self._started)
        self._started.extend([now] * max(0, missing))
