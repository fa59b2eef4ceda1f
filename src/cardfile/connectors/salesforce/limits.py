"""Salesforce's daily API allocation as a request budget.

Salesforce publishes no per-second limit for its REST API: an org may make a number of
requests in any rolling 24 hours (Enterprise Edition: 100,000 plus 1,000 per licence), shared
by every integration of the org, and it reports the count on every answer as
``Sforce-Limit-Info: api-usage=used/max``. The budget keeps the vendor's latest count; when
it says the allocation is spent (or down to a reserve a connection keeps for other
integrations), requests stop before they are sent and the call ends with ``RetryLater`` rather
than waiting for hours.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx

from cardfile.connectors.base import RateLimit
from cardfile.connectors.errors import Action, RetryLater, VendorError
from cardfile.connectors.http import RateBudget
from cardfile.connectors.http.ratelimit import Slot
from cardfile.connectors.salesforce.errors import DAILY_WAIT_SECONDS, LIMIT_CODE

DAILY = RateLimit(100_000, 86_400.0)
LIMIT_HEADER = "Sforce-Limit-Info"
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


class DailyAllowance(RateBudget):
    """The org's rolling daily allocation, as the vendor last reported it.

    Args:
        limit: The allocation to assume until Salesforce reports its own.
        reserve: Requests to leave for the org's other integrations.
        clock: Seconds, monotonic (tests hand in their own).
    """

    def __init__(
        self, limit: RateLimit, *, reserve: int = 0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(limit, clock=clock)
        self.reserve = reserve
        self.used: int | None = None
        self.allowed: int | None = None
        self._seen_at = 0.0

    def observe(self, remaining: int, *, limit: int | None = None) -> None:
        """Take Salesforce's count: ``remaining`` of ``limit`` requests left today.

        The count is kept rather than turned into started requests: a day's worth of
        requests held in the window would make the budget wait for hours where it should
        give up at once.
        """
        allowed = limit if limit else self.limit.requests
        self.allowed = allowed
        self.used = allowed - max(0, remaining)
        self._seen_at = self._clock()

    @property
    def remaining(self) -> int | None:
        """Requests left by Salesforce's last count (None: not counted yet)."""
        if self.used is None or self.allowed is None:
            return None
        return self.allowed - self.used

    async def acquire(self) -> Slot:
        """Wait for the rolling window, unless the day's allocation is spent.

        Raises:
            RetryLater: Salesforce's last count leaves nothing above the reserve, and it is
                too recent for the rolling day to have freed any requests.
        """
        remaining = self.remaining
        recent = self._clock() - self._seen_at < DAILY_WAIT_SECONDS
        if remaining is not None and remaining <= self.reserve and recent:
            message = (
                f"Salesforce's daily API allocation is spent: {self.used} of {self.allowed} "
                "requests used in the last 24 hours"
            )
            if self.reserve:
                message += f" ({self.reserve} kept for the org's other integrations)"
            error = VendorError(message, code=LIMIT_CODE, action=Action.RETRY)
            raise RetryLater(error, DAILY_WAIT_SECONDS)
        return await super().acquire()


def read_limit_info(headers: httpx.Headers, budget: RateBudget) -> None:
    """Let ``Sforce-Limit-Info: api-usage=used/max`` correct the budget."""
    found = _USAGE.search(headers.get(LIMIT_HEADER, ""))
    if found is None:
        return
    used, allowed = int(found.group(1)), int(found.group(2))
    budget.observe(allowed - used, limit=allowed)
