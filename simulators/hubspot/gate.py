"""What every API request passes before its route runs: the bearer token, then the limits.

A missing or unknown token is answered 401 ``INVALID_AUTHENTICATION``; an expired OAuth token
401 ``EXPIRED_AUTHENTICATION`` (so a client can tell "refresh" from "broken"). Admitted
answers carry the rate-limit headers; a request over a limit is answered 429 with HubSpot's
rate-limit body. A route's :class:`~simulators.hubspot.errors.Refusal` becomes its error answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.hubspot.errors import AUTH_MESSAGE, Refusal, error_body, rate_limit_body
from simulators.hubspot.state import HubSpotSim
from simulators.kit import Call, bearer

Handler = Callable[[Request], Awaitable[Response]]


async def read_json(request: Request) -> Any:
    """The request's JSON body.

    Raises:
        Refusal: The body is not JSON (HubSpot's 400 for unreadable input).
    """
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as error:
        raise Refusal(400, f"Invalid input JSON: {error}") from None


def _unauthorized(sim: HubSpotSim, token: str | None, verdict: str) -> JSONResponse:
    if verdict == "expired" and token is not None:
        tokens = sim.tokens
        grant = tokens.grant_of(token)
        ago = max(0.0, time.time() - grant.expires_at) if grant is not None else 0.0
        minutes = int(ago // 60)
        message = f"The OAuth token used to make this call expired {minutes} minute(s) ago."
        return JSONResponse(error_body(message, "EXPIRED_AUTHENTICATION"), status_code=401)
    return JSONResponse(error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION"), status_code=401)


def guarded(sim: HubSpotSim, handler: Handler, *, search: bool = False) -> Handler:
    """``handler`` behind HubSpot's authentication and limits."""

    async def endpoint(request: Request) -> Response:
        sim.requests += 1
        token = bearer(request)
        verdict = sim.tokens.check(token)
        if verdict != "ok":
            response: Response = _unauthorized(sim, token, verdict)
        else:
            admission = sim.limits.admit(search=search, oauth=token not in sim.static_tokens)
            if not admission.allowed:
                sim.rate_limited += 1
                response = JSONResponse(
                    rate_limit_body(admission.policy or "TEN_SECONDLY_ROLLING"), 429
                )
            else:
                try:
                    response = await handler(request)
                except Refusal as refusal:
                    response = refusal.response()
            response.headers.update(admission.headers)
        sim.calls.append(Call(request.method, request.url.path, response.status_code))
        return response

    return endpoint
