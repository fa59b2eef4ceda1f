"""Status codes (and transport failures) to actions: one default table, vendor rows on top.

A vendor's table overrides single statuses, or decides from the body where a status means
two things (HubSpot's 401 for an expired token versus a bad one; Salesforce's 403 for its
daily limit versus a missing permission).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from cardfile.connectors.errors import Action
from cardfile.connectors.http.retry_after import seconds_until

Rule = Action | Callable[[httpx.Response], Action | None]
"""An action, or a function of the response (None: the response is not an error)."""

_DEFAULT: dict[int, Action] = {
    401: Action.REFRESH,
    402: Action.BROKEN,
    403: Action.BROKEN,
    408: Action.RETRY,
    409: Action.REFUSE,
    425: Action.RETRY,
    429: Action.RATE_LIMITED,
}


@dataclass(frozen=True)
class ErrorTable:
    """Classifies a vendor's answers; ``rows`` are the vendor's overrides of the default."""

    rows: Mapping[int, Rule] = field(default_factory=dict)
    wait_rule: Callable[[httpx.Response], float | None] | None = None

    def action(self, response: httpx.Response) -> Action | None:
        """What to do about ``response``; None when it is a success."""
        rule = self.rows.get(response.status_code)
        if rule is None:
            rule = _DEFAULT.get(response.status_code)
        if callable(rule):
            return rule(response)
        if rule is not None:
            return rule
        if response.status_code >= 500:
            return Action.RETRY
        if response.status_code >= 400:
            return Action.REFUSE
        return None

    def wait(self, response: httpx.Response) -> float | None:
        """How long the vendor asked to wait: ``Retry-After`` (seconds or an HTTP date)
        unless the vendor's ``wait_rule`` reads it from elsewhere (None: not said)."""
        if self.wait_rule is not None:
            found = self.wait_rule(response)
            if found is not None:
                return found
        return seconds_until(response.headers.get("Retry-After"))

    @staticmethod
    def transport_action(error: httpx.TransportError) -> Action:
        """Timeouts and dropped connections are passing faults."""
        del error
        return Action.RETRY


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or an empty one when the body is not a JSON object (an
    HTML error page from a proxy, an empty 502)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
