"""HubSpot's answers, classified: its rows of the error table, how long a 429 asks to wait, its
error bodies read into (message, code), and its rate-limit headers read into the budget.

HubSpot answers 401 both for an access token that expired (``category``
``EXPIRED_AUTHENTICATION``: refresh it) and for one that is wrong (``INVALID_AUTHENTICATION``:
a person must fix the connection). A 429 names the limit it hit in ``policyName``: the rolling
burst window (``TEN_SECONDLY_ROLLING``: the budget, told by the headers that the window is
full, waits until its oldest request leaves it), the search API's per-second
window (``SECONDLY``), or the ``DAILY`` limit, which lasts until the day turns, far past any
wait worth holding a call open for.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx

from cardfile.connectors.base import RateLimit
from cardfile.connectors.errors import Action, Refused, RetryLater, VendorError
from cardfile.connectors.http import ErrorTable, RateBudget
from cardfile.connectors.http.table import json_object

# HubSpot locks a record's writes for 2 seconds when it is written too often ("423 Locked").
LOCKED_SECONDS = 2.0
SECONDLY_SECONDS = 1.0


def _unauthorized(response: httpx.Response) -> Action:
    if json_object(response).get("category") == "EXPIRED_AUTHENTICATION":
        return Action.REFRESH
    return Action.BROKEN


def seconds_to_utc_midnight(now: datetime | None = None) -> float:
    """Seconds until the next UTC midnight, when a daily limit is counted afresh."""
    current = now or datetime.now(tz=UTC)
    midnight = (current + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - current).total_seconds()


def _interval(headers: httpx.Headers) -> float | None:
    raw = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
    try:
        return int(raw) / 1000 if raw else None
    except ValueError:
        return None


def wait_for(response: httpx.Response) -> float | None:
    """How long HubSpot's answer asks to wait (None: not said; the client falls back).

    A daily limit waits until UTC midnight, so the client gives up at once (``RetryLater``)
    instead of holding the call open. The burst window says nothing here: waiting a whole
    interval would idle the connection for up to ten seconds, while the budget, which the
    429's own ``Remaining: 0`` has just filled, knows when its oldest request leaves.
    """
    if response.status_code == 423:
        return LOCKED_SECONDS
    if response.status_code != 429:
        return None
    match json_object(response).get("policyName"):
        case "DAILY":
            return seconds_to_utc_midnight()
        case "SECONDLY":
            return SECONDLY_SECONDS
    return None


ERRORS = ErrorTable(
    rows={
        401: _unauthorized,
        423: Action.RETRY,
        # 477 "Migration in Progress" comes with a Retry-After of up to a day: a wait the
        # client honours only when short, like a rate limit.
        477: Action.RATE_LIMITED,
    },
    wait_rule=wait_for,
)
"""HubSpot's error table."""


def read_message(response: httpx.Response) -> tuple[str, str | None]:
    """HubSpot's ``message`` and its ``category`` (or ``errorType``, or the OAuth ``status``)."""
    body = json_object(response)
    if not body:
        return response.text[:500] or response.reason_phrase, None
    message = str(body.get("message") or response.reason_phrase)
    code = body.get("category") or body.get("errorType")
    if code is None and body.get("status") not in (None, "error"):
        code = body.get("status")
    return message, str(code) if code is not None else None


def read_rate_headers(headers: httpx.Headers, budget: RateBudget) -> None:
    """Let HubSpot's count of the burst window correct the budget.

    A portal on a lower tier (100 per 10 s) reports its smaller ``Max``; the budget then
    narrows to it, so the connector stops running into 429s it could have avoided.
    """
    remaining = _number(headers.get("X-HubSpot-RateLimit-Remaining"))
    limit = _number(headers.get("X-HubSpot-RateLimit-Max"))
    if remaining is None:
        return
    if limit is not None and 0 < limit < budget.limit.requests:
        budget.limit = RateLimit(limit, _interval(headers) or budget.limit.seconds)
    budget.observe(remaining, limit=limit)


def _number(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def for_records(error: RetryLater | Refused) -> VendorError:
    """The error each record of a failed request carries: a request that outlasted the
    client's retries (a passing fault, a rate limit, a daily limit) is for a later run."""
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error
