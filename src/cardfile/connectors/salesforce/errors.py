"""Salesforce's error table and error-body reader.

Salesforce answers a refused request with a JSON array ``[{message, errorCode, fields?}]``.
Rows on top of the shared table:

* 401 ``INVALID_SESSION_ID``: the session expired (or never was). Refresh; the shared client
  turns it into a broken connection when there is nothing to refresh with.
* 403: ``REQUEST_LIMIT_EXCEEDED`` is Salesforce's throttle (it does not use 429): with
  "TotalRequests" the org's daily allocation, counted over a rolling 24 hours, is spent, a wait
  far longer than a call may hold, so the call ends at once for a later run; otherwise too many
  long-running requests are in flight, and a short pause helps. Any other 403
  (``API_DISABLED_FOR_ORG``, ``INSUFFICIENT_ACCESS``…) needs a person.
* 429 (which Salesforce answers through some gateways): rate limited.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from cardfile.connectors.errors import Action, Refused, RetryLater, VendorError
from cardfile.connectors.http import ErrorTable

LIMIT_CODE = "REQUEST_LIMIT_EXCEEDED"
# The rolling day frees requests as the ones made 24 hours ago age out; an hour is when a
# later run has a fair chance of finding room.
DAILY_WAIT_SECONDS = 3600.0
CONCURRENT_WAIT_SECONDS = 1.0


def _items(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    if isinstance(body, dict):
        body = [body]
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def error_code(response: httpx.Response) -> str | None:
    """The first ``errorCode`` of an error answer."""
    for item in _items(response):
        if item.get("errorCode"):
            return str(item["errorCode"])
    return None


def _forbidden(response: httpx.Response) -> Action:
    return Action.RATE_LIMITED if error_code(response) == LIMIT_CODE else Action.BROKEN


def is_daily_limit(response: httpx.Response) -> bool:
    """Whether the answer says the org's daily allocation is spent."""
    return error_code(response) == LIMIT_CODE and any(
        "TotalRequests" in str(item.get("message")) for item in _items(response)
    )


def wait_for(response: httpx.Response) -> float | None:
    """How long a throttled answer asks to wait (None: not said; ``Retry-After`` decides)."""
    if error_code(response) != LIMIT_CODE:
        return None
    return DAILY_WAIT_SECONDS if is_daily_limit(response) else CONCURRENT_WAIT_SECONDS


ERRORS = ErrorTable(
    rows={401: Action.REFRESH, 403: _forbidden, 429: Action.RATE_LIMITED},
    wait_rule=wait_for,
)
"""Salesforce's error table."""


def read_message(response: httpx.Response) -> tuple[str, str | None]:
    """Salesforce's ``message`` (every one the array holds) and first ``errorCode``; the
    token endpoint's ``error_description`` and ``error``."""
    items = _items(response)
    if not items:
        return response.text[:500] or response.reason_phrase, None
    messages = [
        str(item.get("message") or item.get("error_description") or "")
        for item in items
        if item.get("message") or item.get("error_description")
    ]
    code = next(
        (
            str(item.get("errorCode") or item.get("error"))
            for item in items
            if item.get("errorCode") or item.get("error")
        ),
        None,
    )
    return "; ".join(messages) or response.reason_phrase, code


def for_records(error: RetryLater | Refused) -> VendorError:
    """The error each record of a failed request carries: a request that outlasted the
    client's retries (a passing fault, a throttle, the daily limit) is for a later run."""
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error
