"""Sugar's error table and error-body reader.

Sugar answers errors as ``{"error": <label>, "error_message": <text>}``. Rows on top of the
shared table:

* 401 (``need_login``, or ``invalid_grant`` for an unknown or expired access token): refresh
  the session, or log in again; the session object decides which it can do.
* 404 ``no_method``: no route for the path in the pinned REST version (a version too new for
  the instance, a module that is not there): broken until someone changes the setting. Any
  other 404 (``not_found``: a record, a list) refuses the request.
* 412 ``metadata_out_of_date``: the instance's metadata changed under the request; retry.
* 422 ``invalid_parameter`` / ``missing_parameter``: refuse, in Sugar's words.
* 429 is not in Sugar's exception table, but a proxy in front of an instance may send it.

The same table classifies the sub-answers of a ``/bulk`` envelope (see :func:`sub_action`).
"""

from __future__ import annotations

from typing import Any

import httpx

from cardfile.connectors.errors import Action
from cardfile.connectors.http import ErrorTable
from cardfile.connectors.http.table import json_object


def _not_found(response: httpx.Response) -> Action:
    if json_object(response).get("error") == "no_method":
        return Action.BROKEN
    return Action.REFUSE


ERRORS = ErrorTable(
    rows={
        401: Action.REFRESH,
        404: _not_found,
        412: Action.RETRY,
        429: Action.RATE_LIMITED,
    }
)
"""Sugar's error table."""


def read_message(response: httpx.Response) -> tuple[str, str | None]:
    """Sugar's ``error_message`` and its ``error`` label."""
    return message_of(json_object(response), response.text, response.reason_phrase)


def message_of(body: Any, text: str = "", reason: str = "") -> tuple[str, str | None]:
    """The message and label of an error body (a sub-answer's ``contents`` too)."""
    if not isinstance(body, dict) or not body:
        return text[:500] or reason or "SugarCRM gave no reason", None
    message = body.get("error_message") or body.get("error_description") or body.get("error")
    label = body.get("error")
    return str(message or reason or "SugarCRM gave no reason"), str(label) if label else None


def sub_action(status: int, contents: Any) -> Action | None:
    """What to do about one sub-answer of a ``/bulk`` envelope (None: it succeeded)."""
    answer = httpx.Response(status, json=contents if isinstance(contents, dict) else {})
    return ERRORS.action(answer)
