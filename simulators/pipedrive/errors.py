"""Pipedrive's error bodies: ``{success: false, error, error_info, data: null,
additional_data: null}`` (pipedrive.readme.io "responses"), with ``errorCode`` on the 401 that
v1's ``/users/me`` documents and a ``code`` on feature-capping 402s.

The messages of validation failures are modelled on Pipedrive's style, not copied from it:
the API's exact wording for each refusal is not published.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

ERROR_INFO = "Please check developers.pipedrive.com"
RATE_LIMIT_MESSAGE = "Request over limit"
DAILY_LIMIT_MESSAGE = "Daily API token budget exceeded"
UNAUTHORIZED_MESSAGE = "unauthorized access"


class PipedriveError(Exception):
    """A request Pipedrive refuses; routes raise it and the gate answers it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        """The refusal as an HTTP answer."""
        return JSONResponse(
            error_body(self.status, self.message, self.code), self.status, headers=self.headers
        )


def error_body(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """Pipedrive's error body."""
    body: dict[str, Any] = {
        "success": False,
        "error": message,
        "error_info": ERROR_INFO,
        "data": None,
        "additional_data": None,
    }
    if status in (401, 429):
        body["errorCode"] = status
    if code is not None:
        body["code"] = code
    return body


def bad_request(message: str) -> PipedriveError:
    """A 400 for a request or value Pipedrive's validation refuses."""
    return PipedriveError(400, message)


def not_found(message: str) -> PipedriveError:
    """A 404 for a record or field that does not exist."""
    return PipedriveError(404, message)


def unauthorized(message: str = UNAUTHORIZED_MESSAGE) -> PipedriveError:
    """A 401 for a missing, unknown or expired token."""
    return PipedriveError(401, message)


def fault_body(status: int) -> dict[str, Any]:
    """The body Pipedrive would send with an injected ``status`` (for ``FaultMiddleware``)."""
    messages = {
        401: UNAUTHORIZED_MESSAGE,
        402: "This feature is not available on your current plan",
        403: "You do not have permission to perform this action",
        404: "Not found",
        429: RATE_LIMIT_MESSAGE,
    }
    code = "feature_capping_api_access" if status == 402 else None
    message = messages.get(status, "Internal server error" if status >= 500 else "Bad request")
    return error_body(status, message, code)
