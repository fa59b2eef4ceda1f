"""What every API request passes before its route runs: the API version in its path, the
session, then the daily allocation.

A missing, unknown or expired session is answered 401 ``INVALID_SESSION_ID`` (Salesforce does
not tell them apart, and sends no ``expires_in`` that would let a client foresee it); an
unknown version 404 ``NOT_FOUND``; a request past the daily allocation 403
``REQUEST_LIMIT_EXCEEDED``. Every authenticated answer carries ``Sforce-Limit-Info``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.kit import Call, bearer
from simulators.salesforce.errors import (
    DAILY_LIMIT_MESSAGE,
    NOT_FOUND_MESSAGE,
    SESSION_MESSAGE,
    Refusal,
    api_error,
)
from simulators.salesforce.state import HIGHEST_VERSION, LOWEST_VERSION, SalesforceSim

Handler = Callable[[Request], Awaitable[Response]]
_VERSION = re.compile(r"^v(\d+)\.0$")


def supported(version: str) -> bool:
    """Whether the org serves API ``version`` (``v66.0``)."""
    found = _VERSION.match(version)
    return found is not None and LOWEST_VERSION <= float(found.group(1)) <= HIGHEST_VERSION


async def read_json(request: Request) -> Any:
    """The request's JSON body.

    Raises:
        Refusal: ``JSON_PARSER_ERROR`` for a body that is not JSON.
    """
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as error:
        raise Refusal(400, f"Unexpected character: {error}", "JSON_PARSER_ERROR") from None


def guarded(sim: SalesforceSim, handler: Handler) -> Handler:
    """``handler`` behind Salesforce's version check, authentication and daily allocation."""

    async def endpoint(request: Request) -> Response:
        sim.requests += 1
        response = await _answer(sim, handler, request)
        sim.calls.append(Call(request.method, request.url.path, response.status_code))
        return response

    return endpoint


async def _answer(sim: SalesforceSim, handler: Handler, request: Request) -> Response:
    version = str(request.path_params.get("version", ""))
    if version and not supported(version):
        return JSONResponse(api_error(NOT_FOUND_MESSAGE, "NOT_FOUND"), 404)
    if sim.tokens.check(bearer(request)) != "ok":
        return JSONResponse(api_error(SESSION_MESSAGE, "INVALID_SESSION_ID"), 401)
    if not sim.daily.admit():
        sim.rate_limited += 1
        refused = JSONResponse(api_error(DAILY_LIMIT_MESSAGE, "REQUEST_LIMIT_EXCEEDED"), 403)
        refused.headers.update(sim.daily.header())
        return refused
    try:
        response = await handler(request)
    except Refusal as refusal:
        response = refusal.response()
    response.headers.update(sim.daily.header())
    return response
