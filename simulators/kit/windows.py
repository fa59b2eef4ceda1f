"""A vendor's rolling rate window, as the vendor counts it."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """Whether a request is let through, and the counters a vendor reports."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: float  # seconds until a request would be let through again (0 if allowed)


class RollingWindow:
    """At most ``limit`` requests in any ``seconds``-long window; refused ones do not count."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()
        self.refused = 0

    def hit(self) -> Verdict:
        """Count one request, or refuse it when the window is full."""
        now = time.monotonic()
        with self._lock:
            while self._hits and self._hits[0] <= now - self.seconds:
                self._hits.popleft()
            if len(self._hits) >= self.limit:
                self.refused += 1
                wait = self._hits[0] + self.seconds - now
                return Verdict(False, self.limit, 0, max(wait, 0.0))
            self._hits.append(now)
            return Verdict(True, self.limit, self.limit - len(self._hits), 0.0)

    def reset(self) -> None:
        """Empty the window."""
        with self._lock:
            self._hits.clear()
            self.refused = 0
