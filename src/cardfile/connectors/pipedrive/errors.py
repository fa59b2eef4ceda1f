"""Pipedrive's answers, classified: its rows of the error table, how long a 429 asks to wait,
its error bodies read into (message, code), and its rate headers read into the budget.

Pipedrive answers errors as ``{success: false, error, error_info, data, additional_data}``
(``errorCode`` on 401 and 429, ``code`` on a feature-capping 402). Rows on top of the shared
table:

* 401 (an unknown token, or an OAuth token that expired): refresh; the shared client turns it
  into a broken connection when the token cannot be refreshed (an API token).
* 402 (the plan lacks the feature) and 403 (the user lacks the permission): a person must act.
* 404: the record is gone; 410: the endpoint was retired, so the connector itself is stale.
* 429: over the 2-second burst window, the search window or the day's token budget. Its
  ``x-ratelimit-reset`` says how long to wait; for the daily budget that is until midnight,
  far past any wait worth holding a call open for, so the call ends with ``RetryLater``.
"""

from __future__ import annotations

import httpx

from cardfile.connectors.base import RateLimit
from cardfile.connectors.errors import Action
from cardfile.connectors.http import ErrorTable, RateBudget
from cardfile.connectors.http.table import json_object

WINDOW_SECONDS = 2.0


def _number(raw: str | None) -> float | None:
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def wait_for(response: httpx.Response) -> float | None:
    """How long a 429 asks to wait: ``x-ratelimit-reset`` seconds (None: not said, and the
    shared client falls back to ``Retry-After`` and then to its backoff)."""
    if response.status_code != 429:
        return None
    return _number(response.headers.get("x-ratelimit-reset"))


ERRORS = ErrorTable(
    rows={
        401: Action.REFRESH,
        402: Action.BROKEN,
        403: Action.BROKEN,
        404: Action.REFUSE,
        410: Action.BROKEN,
        429: Action.RATE_LIMITED,
    },
    wait_rule=wait_for,
)
"""Pipedrive's error table."""


def read_message(response: httpx.Response) -> tuple[str, str | None]:
    """Pipedrive's ``error`` and its ``code`` (or ``errorCode``); OAuth's
    ``error_description`` and ``error`` from the token endpoint."""
    body = json_object(response)
    if not body:
        return response.text[:500] or response.reason_phrase, None
    message = body.get("error_description") or body.get("error") or response.reason_phrase
    code = body.get("code") or body.get("errorCode")
    if body.get("error_description") and body.get("error"):
        code = body["error"]
    return str(message), str(code) if code is not None else None


def read_rate_headers(headers: httpx.Headers, budget: RateBudget) -> None:
    """Let Pipedrive's count of the burst window set and correct the budget.

    ``x-ratelimit-limit`` is the token's allowance per window, which depends on the plan and on
    the kind of token; the budget takes it as it is, narrower or wider than the plan it
    assumed, so it neither runs into 429s nor idles below the company's real limit.
    """
    remaining = _number(headers.get("x-ratelimit-remaining"))
    limit = _number(headers.get("x-ratelimit-limit"))
    if remaining is None:
        return
    if limit is not None and limit >= 1 and int(limit) != budget.limit.requests:
        budget.limit = RateLimit(int(limit), budget.limit.seconds)
    budget.observe(int(remaining), limit=int(limit) if limit else None)
