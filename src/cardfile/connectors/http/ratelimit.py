"""A per-connection request budget, spent *before* each request.

A rolling window: at most ``requests`` requests in any ``seconds``-long stretch, which is how
HubSpot (190 per 10 s, rolling) and Attio (25 writes per second) count. The vendor counts a
request when it arrives, somewhere between our sending it and our reading the answer; so a
request holds its place in the window from when it may start until its answer is read
(``Slot.done``), and the window never runs ahead of the vendor's. The vendor's own counters
correct it (``observe``), and a 429 pauses every request of the connection for as long as
the vendor asked (``pause``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from cardfile.connectors.base import RateLimit

# Clocks and rounding: a request answered exactly one window before another starts may still
# share a window with it by the vendor's clock.
_MARGIN_SECONDS = 0.01


class Slot:
    """One request's place in the window, stamped again when its answer is read."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class RateBudget:
    """Paces one connection's requests to a vendor's rolling-window limit."""

    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._started: deque[Slot] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _window(self) -> float:
        return self.limit.seconds + _MARGIN_SECONDS

    def delay(self) -> float:
        """Seconds until the next request may start (0 when it may start now)."""
        now = self._clock()
        started = self._started
        window = self._window()
        # Answers come back out of order, so a slot behind the first may be older; it leaves
        # once the first does, which only ever errs on the side of waiting.
        while started and started[0].at <= now - window:
            started.popleft()
        wait = max(0.0, self._paused_until - now)
        if len(started) >= self.limit.requests:
            wait = max(wait, started[0].at + window - now)
        return wait

    async def acquire(self) -> Slot:
        """Wait until a request may start, and count it; call ``done`` with the returned slot
        when its answer (or failure) is in."""
        async with self._lock:
            while (wait := self.delay()) > 0:
                await asyncio.sleep(wait)
            slot = Slot(self._clock())
            self._started.append(slot)
            return slot

    def done(self, slot: Slot) -> None:
        """The request's answer is in: the vendor has counted it by now at the latest."""
        slot.at = self._clock()

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
        self._started.extend(Slot(now) for _ in range(max(0, missing)))
