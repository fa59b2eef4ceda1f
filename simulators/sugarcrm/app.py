"""The Sugar simulator as a Starlette app: one instance's REST API under ``/rest/{version}``
(records, filter, bulk, metadata, language strings, Target List links, the current user),
its OAuth2 token endpoint, and the kit's ``/_simulator`` control API, behind fault injection.

Every API request but the token endpoint needs ``OAuth-Token: <access token>``: a missing
one is 401 ``need_login``; an unknown or expired one 401 ``invalid_grant``. Sugar documents
no rate limit; when the simulator is given one, a request over it is answered 429
``too_many_requests`` with ``Retry-After`` in seconds, as a proxy in front of Sugar would.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.kit import Call as Answered
from simulators.kit import FaultMiddleware, control_routes
from simulators.sugarcrm import dispatch, oauth
from simulators.sugarcrm.errors import SugarError, error_body, fault_body, invalid_parameter
from simulators.sugarcrm.handlers import Call
from simulators.sugarcrm.state import SugarSim

DEFAULT_USERS: Mapping[str, str] = {"admin": "sugar-sim-password"}
STOCK_CLIENTS: Mapping[str, str] = {"sugar": ""}
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
_REFUSED_TOKEN = {
    "invalid": "The access token provided is invalid.",
    "expired": "The access token provided has expired.",
}


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid_parameter("The request body is not valid JSON") from None


def _authenticated(sim: SugarSim, request: Request) -> str:
    """The user behind the request's ``OAuth-Token``.

    Raises:
        SugarError: 401 ``need_login`` or ``invalid_grant``.
    """
    token = request.headers.get("oauth-token", "").strip()
    if not token:
        raise SugarError(401, "need_login", "No valid authentication for user.")
    verdict = sim.tokens.check(token)
    if verdict != "ok":
        message = _REFUSED_TOKEN.get(verdict, _REFUSED_TOKEN["invalid"])
        raise SugarError(401, "invalid_grant", message)
    return sim.user_of.get(token, next(iter(sim.users), "admin"))


def _throttled(sim: SugarSim) -> Response | None:
    if sim.window is None:
        return None
    verdict = sim.window.hit()
    if verdict.allowed:
        return None
    sim.rate_limited += 1
    wait = str(max(1, math.ceil(verdict.retry_after)))
    body = error_body("too_many_requests", "Too many requests; slow down.")
    return JSONResponse(body, status_code=429, headers={"Retry-After": wait})


async def _serve(sim: SugarSim, request: Request) -> Response:
    version = request.path_params["version"]
    parts = tuple(s for s in request.path_params["path"].split("/") if s)
    try:
        dispatch.check_version(sim, version)
        if parts == ("oauth2", "token") and request.method == "POST":
            return await oauth.token(sim, request)
        user = _authenticated(sim, request)
        throttled = _throttled(sim)
        if throttled is not None:
            return throttled
        body = await _json_body(request)
        if parts == ("bulk",) and request.method == "POST":
            return JSONResponse(dispatch.bulk(sim, body, user))
        call = Call(request.method, parts, dict(request.query_params), body, user)
        status, payload = dispatch.answer(sim, call)
        return JSONResponse(payload, status_code=status)
    except SugarError as refusal:
        return refusal.response()


def create_app(
    *,
    users: Mapping[str, str] = DEFAULT_USERS,
    clients: Mapping[str, str] = STOCK_CLIENTS,
    token_lifetime: float = 3600.0,
    rate_limit: tuple[int, float] | None = None,
    bulk_limit: int = 100,
    latest_minor: int = 25,
) -> Starlette:
    """A simulated Sugar instance; its state is ``app.state.sim`` (a :class:`SugarSim`).

    Args:
        users: User names and passwords the password grant accepts.
        clients: OAuth clients (id → secret) besides the kit's ``sim-client``.
        token_lifetime: Seconds an access token lives (Sugar: an hour).
        rate_limit: ``(requests, seconds)`` allowed in any window; None for none.
        bulk_limit: Sub-requests allowed in one ``/bulk`` envelope.
        latest_minor: The highest ``v11_N`` served (older versions are served too).
    """
    sim = SugarSim(
        users=users,
        clients=clients,
        token_lifetime=token_lifetime,
        rate_limit=rate_limit,
        bulk_limit=bulk_limit,
        latest_minor=latest_minor,
    )

    async def endpoint(request: Request) -> Response:
        sim.requests += 1
        response = await _serve(sim, request)
        sim.calls.append(Answered(request.method, request.url.path, response.status_code))
        return response

    routes = [
        *control_routes(sim),
        Route("/rest/{version}/{path:path}", endpoint, methods=_METHODS),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=sim.faults, error_body=fault_body)],
    )
    app.state.sim = sim
    return app
