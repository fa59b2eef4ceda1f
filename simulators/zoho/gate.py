"""What every API request passes before its route runs: the token, then the limits.

Zoho takes the access token as ``Authorization: Zoho-oauthtoken <token>``. Without that header
(or with another scheme) it answers 401 ``AUTHENTICATION_FAILURE``; an unknown or expired token
is 401 ``INVALID_TOKEN`` (``invalid oauth token``), which is how a client learns to refresh.
A request over the credits or the concurrency is answered 429 ``TOO_MANY_REQUESTS``. A route's
:class:`~simulators.zoho.errors.ZohoError` becomes its error answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.kit import Call
from simulators.zoho.errors import (
    AUTH_FAILED,
    CREDITS_EXHAUSTED,
    INVALID_TOKEN,
    THROTTLED,
    ZohoError,
    error_item,
)
from simulators.zoho.limits import credits_for
from simulators.zoho.state import ZohoSim

Handler = Callable[[Request], Awaitable[Response]]
SCHEME = "zoho-oauthtoken"


def zoho_token(request: Request) -> str | None:
    """The token of an ``Authorization: Zoho-oauthtoken …`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != SCHEME:
        return None
    return token.strip() or None


async def read_json(request: Request) -> Any:
    """The request's JSON body (None when empty).

    Raises:
        ZohoError: The body is not JSON (Zoho's ``INVALID_DATA`` for the body).
    """
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ZohoError(400, "INVALID_DATA", "body", {"param": "body"}) from None


async def _records_in(request: Request) -> int:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        return 1
    data = body.get("data") if isinstance(body, dict) else None
    return len(data) if isinstance(data, list) else 1


def _throttled(sim: ZohoSim, credits: bool, retry_after: float | None) -> JSONResponse:
    sim.rate_limited += 1
    if credits:
        body = error_item("TOO_MANY_REQUESTS", CREDITS_EXHAUSTED, {"limit": sim.limits.credits})
    else:
        body = error_item("TOO_MANY_REQUESTS", THROTTLED, {"limit": sim.limits.concurrency})
    headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after is not None else {}
    return JSONResponse(body, status_code=429, headers=headers)


def guarded(sim: ZohoSim, handler: Handler, *, write: bool = False) -> Handler:
    """``handler`` behind Zoho's authentication and limits.

    Args:
        sim: The org.
        handler: The route.
        write: The route writes records, which cost a credit per ten records and, above ten
            records, share the sub-concurrency of 10.
    """

    async def endpoint(request: Request) -> Response:
        sim.requests += 1
        token = zoho_token(request)
        response: Response
        if token is None:
            response = JSONResponse(error_item("AUTHENTICATION_FAILURE", AUTH_FAILED), 401)
        elif sim.tokens.check(token) != "ok":
            response = JSONResponse(error_item("INVALID_TOKEN", INVALID_TOKEN), 401)
        else:
            count = await _records_in(request) if write else 1
            heavy = write and count > 10
            throttle = sim.limits.enter(credits_for(count) if write else 1, heavy=heavy)
            if throttle is not None:
                response = _throttled(sim, throttle.credits, throttle.retry_after)
            else:
                try:
                    if sim.latency:
                        await asyncio.sleep(sim.latency)
                    response = await handler(request)
                except ZohoError as refusal:
                    response = refusal.response()
                finally:
                    sim.limits.leave(heavy=heavy)
        sim.calls.append(Call(request.method, request.url.path, response.status_code))
        return response

    return endpoint
