"""Zoho CRM's error bodies, as its v8 API writes them.

Every error is ``{code, details, message, status: "error"}``: at the top level for a request
refused as a whole (a bad token, an over-cap batch, a throttle), and as an item of ``data`` for
one refused record of a write. The messages are Zoho's own (the ``API_Exception`` message list
of crm-oas ``record.json``), lower case as Zoho writes them.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

INVALID_TOKEN = "invalid oauth token"
AUTH_FAILED = "Authentication failed"
THROTTLED = "Too many requests. Please try again later."
CREDITS_EXHAUSTED = "You have exhausted the API credits allotted for the last 24 hours."


def error_item(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """One Zoho error object (top level, or one item of a write's ``data``)."""
    return {"code": code, "details": details or {}, "message": message, "status": "error"}


class ZohoError(Exception):
    """A request Zoho refuses as a whole; the gate answers with :meth:`response`.

    Args:
        status: The HTTP status.
        code: Zoho's error code (``INVALID_DATA``, ``LIMIT_EXCEEDED``, …).
        message: Zoho's message.
        details: Zoho's ``details`` object.
        wrapped: Answer as ``{"data": [error]}``, as Zoho does for errors that concern the
            records of a write (an unknown module) rather than the request.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        wrapped: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.wrapped = wrapped

    def body(self) -> dict[str, Any]:
        """Zoho's body for this refusal."""
        item = error_item(self.code, self.message, self.details)
        return {"data": [item]} if self.wrapped else item

    def response(self) -> JSONResponse:
        """The refusal as an HTTP answer."""
        return JSONResponse(self.body(), status_code=self.status)


def invalid_module() -> ZohoError:
    """Zoho's 400 for a module name it does not have, wrapped in ``data`` as Zoho sends it;
    the answer does not repeat the name, only where it was in the path."""
    return ZohoError(
        400,
        "INVALID_MODULE",
        "The module name given seems to be invalid",
        {"resource_path_index": 0},
        wrapped=True,
    )


def invalid_url() -> ZohoError:
    """Zoho's 404 for a path it does not serve."""
    return ZohoError(
        404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
    )


def fault_body(status: int) -> dict[str, Any]:
    """The body Zoho would send with an injected ``status`` (for ``FaultMiddleware``)."""
    if status == 429:
        return error_item("TOO_MANY_REQUESTS", THROTTLED)
    if status == 401:
        return error_item("INVALID_TOKEN", INVALID_TOKEN)
    if status == 403:
        return error_item("NO_PERMISSION", "permission denied", {"permissions": []})
    if status == 404:
        return invalid_url().body()
    if status >= 500:
        return error_item("INTERNAL_ERROR", "Internal server error occurred.")
    return error_item("INVALID_DATA", "invalid data")
