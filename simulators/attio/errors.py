"""Attio's error bodies, as its API writes them: ``{status_code, type, code, message}``.

``type`` is ``invalid_request_error`` for refused requests, ``auth_error`` for credentials and
permissions, ``rate_limit_error`` for the rate limit. The codes used here are the ones Attio's
OpenAPI description lists (``value_not_found``, ``not_found``, ``validation_type``,
``missing_value``, ``multiple_match_results``, ``filter_error``, ``slug_conflict``,
``immutable_value``, ``system_edit_unauthorized``), plus ``rate_limit_exceeded`` from Attio's
rate-limiting guide. Messages follow the examples in the description where it has one.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

RATE_LIMIT_MESSAGE = "Rate limit exceeded, please try again later"


class AttioError(Exception):
    """A request Attio refuses; the gate answers it with :meth:`response`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        kind: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.kind = kind
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """Attio's error body for this refusal."""
        return error_body(self.status, self.kind, self.code, self.message)

    def response(self) -> JSONResponse:
        """The refusal as an HTTP answer."""
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def error_body(status: int, kind: str, code: str, message: str) -> dict[str, Any]:
    """Attio's error body."""
    return {"status_code": status, "type": kind, "code": code, "message": message}


def rate_limited(retry_after: str) -> AttioError:
    """The 429 Attio sends over its limit, with ``Retry-After`` as an HTTP date."""
    return AttioError(
        429,
        "rate_limit_exceeded",
        RATE_LIMIT_MESSAGE,
        "rate_limit_error",
        headers={"Retry-After": retry_after},
    )


def unauthorized(message: str) -> AttioError:
    """A 401 for a missing, unknown or expired bearer token."""
    return AttioError(401, "unauthorized", message, "auth_error")


def bad_request(code: str, message: str) -> AttioError:
    """A 400 ``invalid_request_error``."""
    return AttioError(400, code, message)


def not_found(message: str) -> AttioError:
    """A 404 ``not_found``."""
    return AttioError(404, "not_found", message)


def invalid_value(slug: str, reason: str) -> AttioError:
    """A value of the wrong shape or type for an attribute (400 ``validation_type``)."""
    return bad_request(
        "validation_type", f'An invalid value was passed to attribute with slug "{slug}". {reason}'
    )


def fault_body(status: int) -> dict[str, Any]:
    """The body Attio would send with an injected ``status`` (for ``FaultMiddleware``)."""
    if status == 429:
        return error_body(429, "rate_limit_error", "rate_limit_exceeded", RATE_LIMIT_MESSAGE)
    if status == 401:
        return error_body(401, "auth_error", "unauthorized", "The access token is invalid.")
    if status == 403:
        return error_body(
            403,
            "auth_error",
            "unauthorized",
            "You do not have the necessary permissions to perform this action.",
        )
    if status == 404:
        return error_body(404, "invalid_request_error", "not_found", "Resource not found.")
    if status >= 500:
        return error_body(
            status, "api_error", "internal_server_error", "An unexpected error occurred."
        )
    return error_body(status, "invalid_request_error", "validation_type", "Invalid request.")
