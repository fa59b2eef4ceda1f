"""Salesforce's error bodies, as its REST API writes them.

A refused request is answered with a JSON **array** of ``{message, errorCode, fields?}``;
one refused record of a collection is a ``SaveResult`` with ``success: false`` and
``errors: [{statusCode, message, fields}]`` (``statusCode``, not ``errorCode``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

SESSION_MESSAGE = "Session expired or invalid"
DAILY_LIMIT_MESSAGE = "TotalRequests Limit exceeded."
CONCURRENT_LIMIT_MESSAGE = "ConcurrentPerOrgLongTxn Limit exceeded."
NOT_FOUND_MESSAGE = "The requested resource does not exist"


class Refusal(Exception):
    """A request Salesforce refuses as a whole; the gate answers with :meth:`response`."""

    def __init__(
        self, status: int, message: str, code: str, fields: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.fields = fields

    def response(self) -> JSONResponse:
        """The refusal as an HTTP answer."""
        return JSONResponse(api_error(self.message, self.code, self.fields), self.status)


class RecordError(Exception):
    """One record of a collection refused; it becomes that record's ``SaveResult``."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or []

    def detail(self) -> dict[str, Any]:
        """The entry of the result's ``errors`` list."""
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}


def api_error(message: str, code: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    """The array body of a refused request."""
    item: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    return [item]


def fault_body(status: int) -> list[dict[str, Any]]:
    """The body Salesforce would send with an injected ``status`` (for ``FaultMiddleware``).

    Salesforce throttles with 403 ``REQUEST_LIMIT_EXCEEDED`` rather than 429; an injected 429
    (the conformance suite's) carries the concurrent-request variant of that body.
    """
    if status == 401:
        return api_error(SESSION_MESSAGE, "INVALID_SESSION_ID")
    if status == 403:
        return api_error(
            "The REST API is not enabled for this Organization.", "API_DISABLED_FOR_ORG"
        )
    if status == 429:
        return api_error(CONCURRENT_LIMIT_MESSAGE, "REQUEST_LIMIT_EXCEEDED")
    if status == 404:
        return api_error(NOT_FOUND_MESSAGE, "NOT_FOUND")
    if status == 503:
        return api_error("Server temporarily unavailable", "SERVER_UNAVAILABLE")
    if status >= 500:
        return api_error(
            "An unexpected error occurred. Please include this ErrorId if you contact support: "
            "1234567890-12345 (-1234567890)",
            "UNKNOWN_EXCEPTION",
        )
    return api_error("Bad request", "MALFORMED_REQUEST")


def save_result(record_id: str | None, error: RecordError | None = None) -> dict[str, Any]:
    """A ``SaveResult``: the record's id on success, its errors otherwise."""
    if error is not None:
        return {"success": False, "errors": [error.detail()]}
    return {"id": record_id, "success": True, "errors": []}
