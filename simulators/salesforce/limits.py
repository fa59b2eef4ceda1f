"""The org's daily API allocation: every authenticated request counts, every answer says how
many were used in ``Sforce-Limit-Info: api-usage=used/max``, and a request past the
allocation is refused with 403 ``REQUEST_LIMIT_EXCEEDED``.

Salesforce counts over a rolling 24 hours; the simulator counts from its last reset, which is
the same within any test.
"""

from __future__ import annotations

import threading

LIMIT_HEADER = "Sforce-Limit-Info"


class DailyAllocation:
    """Requests allowed and used."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Nothing used."""
        with self._lock:
            self.used = 0

    def admit(self) -> bool:
        """Count one request, or refuse it when the allocation is spent."""
        with self._lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

    def header(self) -> dict[str, str]:
        """The usage header every answer carries."""
        return {LIMIT_HEADER: f"api-usage={self.used}/{self.limit}"}
