"""What every API request passes before its route runs: the bearer token, then the limits.

A missing, unknown or expired token is answered 401 with Attio's ``auth_error`` body
(``GET /v2/self`` instead answers ``{"active": false}`` for a token it does not accept, as
Attio's token introspection does). A request over its window is answered 429. A route's
:class:`~simulators.attio.errors.AttioError` becomes its error answer.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.attio.errors import AttioError, bad_request, rate_limited, unauthorized
from simulators.attio.limits import is_write
from simulators.attio.state import AttioSim
from simulators.kit import Call, bearer

Handler = Callable[[Request], Awaitable[Response]]

_REFUSED_TOKEN = {
    "invalid": "The access token is invalid or has been revoked.",
    "expired": "The access token has expired.",
}


async def read_json(request: Request) -> Any:
    """The request's JSON body (None when empty).

    Raises:
        AttioError: The body is not JSON.
    """
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as error:
        raise bad_request("validation_type", f"Body payload is not valid JSON: {error}") from None


def guarded(sim: AttioSim, handler: Handler, *, introspects: bool = False) -> Handler:
    """``handler`` behind Attio's authentication and rate limits.

    Args:
        sim: The workspace.
        handler: The route.
        introspects: The route describes the token itself (``/v2/self``): a token it does not
            accept gets ``{"active": false}`` instead of a 401.
    """

    async def endpoint(request: Request) -> Response:
        sim.requests += 1
        token = bearer(request)
        verdict = sim.tokens.check(token)
        response: Response
        if verdict != "ok" and introspects and token is not None:
            response = JSONResponse({"active": False})
        elif verdict != "ok":
            message = _REFUSED_TOKEN.get(verdict, "The access token is invalid.")
            if token is None:
                message = "Missing access token: send it as Authorization: Bearer <token>."
            response = unauthorized(message).response()
        else:
            retry_at = sim.limits.admit(write=is_write(request.method, request.url.path))
            if retry_at is not None:
                sim.rate_limited += 1
                response = rate_limited(retry_at).response()
            else:
                try:
                    response = await handler(request)
                except AttioError as refusal:
                    response = refusal.response()
        sim.calls.append(Call(request.method, request.url.path, response.status_code))
        return response

    return endpoint
