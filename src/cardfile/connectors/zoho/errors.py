"""Zoho CRM's error table and error-body reader.

Zoho answers errors as ``{code, details, message, status: "error"}``, at the top level or, for
the records of a write, as items of ``data``. Rows on top of the shared table:

* 400 with a ``data`` array is a write whose every record was refused: not an error of the
  request, so the connector reads each record's error from it (as from a 207). Any other 400
  refuses the request; ``INVALID_MODULE`` breaks the connection (a module a person must enable).
* 401: ``INVALID_TOKEN`` (unknown or expired) and ``AUTHENTICATION_FAILURE`` (no token):
  refresh, which the shared client turns into a broken connection for a static token;
  ``OAUTH_SCOPE_MISMATCH``: broken, the grant lacks a scope.
* 429 ``TOO_MANY_REQUESTS``: over the concurrency or the API credits. Zoho sends no
  ``Retry-After`` for concurrency, which clears as soon as a request ends: a short wait.
"""

from __future__ import annotations

from typing import Any

import httpx

from cardfile.connectors.errors import Action
from cardfile.connectors.http import ErrorTable
from cardfile.connectors.http.table import json_object

CONCURRENCY_WAIT = 0.5
"""Seconds to wait after a 429 that names no wait (a request in flight ends soon)."""


def per_record(body: Any) -> bool:
    """Whether a body answers record by record (``{"data": [{…status…}, …]}``)."""
    data = body.get("data") if isinstance(body, dict) else None
    return isinstance(data, list) and all(isinstance(i, dict) and "status" in i for i in data)


def _bad_request(response: httpx.Response) -> Action | None:
    body = json_object(response)
    if per_record(body):
        items = body["data"]
        if any(item.get("code") == "INVALID_MODULE" for item in items):
            return Action.BROKEN
        return None
    return Action.BROKEN if body.get("code") == "INVALID_MODULE" else Action.REFUSE


def _unauthorized(response: httpx.Response) -> Action:
    if json_object(response).get("code") == "OAUTH_SCOPE_MISMATCH":
        return Action.BROKEN
    return Action.REFRESH


def wait_for(response: httpx.Response) -> float | None:
    """How long a 429 asks to wait: its ``Retry-After`` if any, else a short while."""
    if response.status_code != 429 or response.headers.get("Retry-After"):
        return None
    return CONCURRENCY_WAIT


ERRORS = ErrorTable(
    rows={400: _bad_request, 401: _unauthorized, 429: Action.RATE_LIMITED},
    wait_rule=wait_for,
)
"""Zoho CRM's error table."""


def message_of(error: dict[str, Any]) -> str:
    """One Zoho error object's message, with the field and expectation its details name
    (Zoho's message alone is often just ``invalid data``)."""
    found = error.get("message") or error.get("error") or error.get("code")
    message = str(found or "Zoho refused the request")
    details = error.get("details")
    if not isinstance(details, dict):
        return message
    notes: list[str] = []
    if details.get("api_name"):
        notes.append(str(details["api_name"]))
    if details.get("expected_data_type"):
        notes.append(f"expected {details['expected_data_type']}")
    if details.get("maximum_length"):
        notes.append(f"at most {details['maximum_length']} characters")
    duplicate = details.get("duplicate_record")
    if isinstance(duplicate, dict) and duplicate.get("id"):
        notes.append(f"held by record {duplicate['id']}")
    if details.get("param") or details.get("param_name"):
        notes.append(f"parameter {details.get('param') or details.get('param_name')}")
    return f"{message} ({', '.join(notes)})" if notes else message


def read_message(response: httpx.Response) -> tuple[str, str | None]:
    """Zoho's message and code, from the top level or the first item of ``data`` (the
    accounts server's OAuth ``error`` too)."""
    body = json_object(response)
    if not body:
        return response.text[:500] or response.reason_phrase, None
    data = body.get("data")
    if isinstance(data, list) and data and isinstance(data[0], dict):
        body = data[0]
    code = body.get("code") or body.get("error")
    return message_of(body), str(code) if code is not None else None
