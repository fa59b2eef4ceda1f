"""What every simulator's state keeps about being served: its tokens, the faults it was told
to inject, the calls it answered and its counters."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from typing import Any

from simulators.kit.control import Call
from simulators.kit.faults import Faults
from simulators.kit.tokens import TokenStore

KEPT_CALLS = 10_000


class Served:
    """The serving half of a simulator's state; a vendor's state adds its records to it.

    Args:
        tokens: Static tokens that never expire.
        token_lifetime: Seconds an issued OAuth access token lives.
    """

    def __init__(self, *, tokens: Collection[str], token_lifetime: float) -> None:
        self.static_tokens = set(tokens)
        self.token_lifetime = token_lifetime
        self.faults = Faults()
        self.tokens = TokenStore(self.static_tokens, lifetime=token_lifetime)
        self.calls: deque[Call] = deque(maxlen=KEPT_CALLS)
        self.requests = 0
        self.rate_limited = 0

    def reset_served(self) -> None:
        """Forget faults, OAuth grants, answered calls and counters."""
        self.faults.clear()
        self.tokens = TokenStore(self.static_tokens, lifetime=self.token_lifetime)
        self.calls.clear()
        self.requests = 0
        self.rate_limited = 0

    def served_stats(self) -> dict[str, Any]:
        """Requests answered, 429s sent and token refreshes."""
        return {
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "refreshes": self.tokens.refreshes,
        }

    def calls_to(self, fragment: str, method: str | None = None) -> list[Call]:
        """The answered calls whose path contains ``fragment``."""
        return [
            call
            for call in self.calls
            if fragment in call.path and (method is None or call.method == method.upper())
        ]
