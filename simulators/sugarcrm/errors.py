"""Sugar's error bodies, as its REST API writes them: ``{"error": <label>, "error_message":
<text>}`` with the HTTP status of the ``SugarApiException`` subclass that was thrown.

The labels and statuses follow Sugar's exception table (``need_login`` 401, ``not_authorized``
403, ``not_found`` and ``no_method`` 404, ``edit_conflict`` 409, ``invalid_parameter`` and
``missing_parameter`` 422, ``fatal_error`` 500, ``maintenance`` 503). Sugar documents no rate
limit and no 429; the simulator's ``too_many_requests`` stands in for what a proxy in front
of an instance (or Sugar's cloud) answers.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class SugarError(Exception):
    """A request Sugar refuses; the route answers with :meth:`response`."""

    def __init__(self, status: int, label: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.label = label
        self.message = message

    def body(self) -> dict[str, Any]:
        """Sugar's error body."""
        return error_body(self.label, self.message)

    def response(self) -> JSONResponse:
        """The refusal as an HTTP answer."""
        return JSONResponse(self.body(), status_code=self.status)


def error_body(label: str, message: str) -> dict[str, Any]:
    """Sugar's ``{error, error_message}``."""
    return {"error": label, "error_message": message}


def invalid_parameter(message: str) -> SugarError:
    """422 ``invalid_parameter``: a value Sugar will not store."""
    return SugarError(422, "invalid_parameter", message)


def missing_parameter(message: str) -> SugarError:
    """422 ``missing_parameter``: a request without a part it needs."""
    return SugarError(422, "missing_parameter", message)


def not_found(message: str = "Could not find record") -> SugarError:
    """404 ``not_found``: a record or module that is not there."""
    return SugarError(404, "not_found", message)


def no_method(elements: int) -> SugarError:
    """404 ``no_method``: a path no route of this REST version serves."""
    return SugarError(404, "no_method", f"Could not find a route with {elements} elements")


_FAULTS = {
    400: ("bad_request", "Bad request"),
    401: ("invalid_grant", "The access token provided is invalid."),
    403: ("not_authorized", "No access to edit records for module"),
    404: ("not_found", "Could not find record"),
    409: ("edit_conflict", "Edit conflict"),
    412: ("metadata_out_of_date", "Metadata out of date"),
    422: ("invalid_parameter", "Invalid parameter"),
    429: ("too_many_requests", "Too many requests; slow down."),
    503: ("maintenance", "The server is in maintenance mode"),
}


def fault_body(status: int) -> dict[str, Any]:
    """The body Sugar would send with an injected ``status`` (for ``FaultMiddleware``)."""
    label, message = _FAULTS.get(status, ("fatal_error", "Internal server error"))
    return error_body(label, message)
