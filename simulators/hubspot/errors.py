"""HubSpot's error bodies, as its API writes them.

Two shapes: the ``Error`` of a refused request (``status``, ``message``, ``correlationId``,
``category``, optional ``errors``/``context``) and the ``StandardError`` of one refused input of
a batch (``status``, ``category``, ``message``, ``errors``, ``context``, ``links``). Refused
property values are reported inside the message as HubSpot does: ``Property values were not
valid: [...]`` followed by a JSON list of ``{isValid, message, error, name}`` items.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import JSONResponse

AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)

_RATE_MESSAGES = {
    "DAILY": "You have reached your daily limit.",
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
}


class Refusal(Exception):
    """A request HubSpot refuses as a whole; the handler answers with :meth:`response`."""

    def __init__(
        self,
        status: int,
        message: str,
        category: str = "VALIDATION_ERROR",
        *,
        context: dict[str, list[str]] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.context = context
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """HubSpot's ``Error`` body for this refusal."""
        return error_body(self.message, self.category, context=self.context, errors=self.errors)

    def response(self) -> JSONResponse:
        """The refusal as an HTTP answer."""
        return JSONResponse(self.body(), status_code=self.status)


def whole_number(raw: Any, name: str, default: int) -> int:
    """A paging number from a query or body (``default`` when absent).

    Raises:
        Refusal: The value is not a whole number.
    """
    if raw is None or raw == "":
        return default
    try:
        return int(str(raw))
    except ValueError:
        raise Refusal(400, f"{name} must be a whole number, not {raw!r}") from None


def correlation_id() -> str:
    """A fresh id of the kind HubSpot puts in every error."""
    return str(uuid.uuid4())


def error_body(
    message: str,
    category: str,
    *,
    context: dict[str, list[str]] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """HubSpot's ``Error`` body."""
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
        "category": category,
    }
    if errors:
        body["errors"] = errors
    if context:
        body["context"] = context
    return body


def rate_limit_body(policy: str) -> dict[str, Any]:
    """The 429 body for ``policy`` (``DAILY``, ``TEN_SECONDLY_ROLLING`` or ``SECONDLY``)."""
    return {
        "status": "error",
        "message": _RATE_MESSAGES[policy],
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "requestId": correlation_id(),
    }


def fault_body(status: int) -> dict[str, Any]:
    """The body HubSpot would send with an injected ``status`` (for ``FaultMiddleware``)."""
    if status == 429:
        return rate_limit_body("TEN_SECONDLY_ROLLING")
    if status == 401:
        return error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION")
    if status == 403:
        return error_body(
            "This app hasn't been granted all required scopes to make this call.",
            "MISSING_SCOPES",
        )
    if status == 404:
        return error_body("resource not found", "OBJECT_NOT_FOUND")
    if status == 423:
        return error_body("The resource is locked; retry in 2 seconds.", "LOCKED")
    if status >= 500:
        return error_body("internal error", "INTERNAL_ERROR")
    return error_body("Invalid input", "VALIDATION_ERROR")


def invalid_value(name: str, message: str, code: str) -> dict[str, Any]:
    """One refused property value, as listed in HubSpot's validation message."""
    return {"isValid": False, "message": message, "error": code, "name": name}


def invalid_values_message(items: list[dict[str, Any]]) -> str:
    """HubSpot's message for refused property values."""
    listed = json.dumps(
        [{**item, "localizedErrorMessage": item["message"]} for item in items],
        separators=(",", ":"),
    )
    return f"Property values were not valid: {listed}"


def details(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``errors`` detail list for refused property values."""
    return [
        {
            "message": item["message"],
            "code": item["error"],
            "context": {"propertyName": [item["name"]]},
        }
        for item in items
    ]


def standard_error(
    message: str,
    category: str,
    *,
    trace: str | None = None,
    context: dict[str, list[str]] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One refused input of a batch (HubSpot's ``StandardError``)."""
    merged = dict(context or {})
    if trace is not None:
        merged["objectWriteTraceId"] = [trace]
    return {
        "status": "error",
        "category": category,
        "message": message,
        "errors": errors or [],
        "context": merged,
        "links": {},
    }
