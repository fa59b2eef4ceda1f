"""Attio's error table and error-body reader.

Attio answers errors as ``{status_code, type, code, message}``. Rows on top of the shared
table:

* 401 (a missing, unknown or expired token): refresh. The shared client turns this into a
  broken connection when the token cannot be refreshed (an API key).
* 404 ``not_found``: an object that does not exist or is not activated breaks the connection
  until someone activates it; any other 404 (a record, an entry, a list) refuses the request.
* 429: rate limited; its ``Retry-After`` is an HTTP date, which the shared client reads.
"""

from __future__ import annotations

from dataclasses import replace

import httpx

from cardfile.connectors.errors import Action, Refused, RetryLater, VendorError
from cardfile.connectors.http import ErrorTable
from cardfile.connectors.http.table import json_object

# Attio's words for an object it does not have (or has not activated) in the workspace.
_MISSING_OBJECT = ("Object with slug/ID", "Parent object with slug/ID")


def _not_found(response: httpx.Response) -> Action:
    message = str(json_object(response).get("message") or "")
    if message.startswith(_MISSING_OBJECT):
        return Action.BROKEN
    return Action.REFUSE


ERRORS = ErrorTable(
    rows={
        401: Action.REFRESH,
        404: _not_found,
        429: Action.RATE_LIMITED,
    }
)
"""Attio's error table."""


def read_message(response: httpx.Response) -> tuple[str, str | None]:
    """Attio's ``message`` and ``code`` (OAuth's ``error_description`` and ``error`` from the
    token endpoint)."""
    body = json_object(response)
    if not body:
        return response.text[:500] or response.reason_phrase, None
    message = body.get("message") or body.get("error_description") or response.reason_phrase
    code = body.get("code") or body.get("error")
    return str(message), str(code) if code is not None else None


def for_records(error: RetryLater | Refused) -> VendorError:
    """The error each record of a failed request carries: a request that outlasted the
    client's retries (a passing fault, a rate limit) is for a later run."""
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error
