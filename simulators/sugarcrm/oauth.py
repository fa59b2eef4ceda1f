"""``POST /rest/{version}/oauth2/token`` and ``POST …/oauth2/logout``: Sugar's own OAuth2
server, which a self-hosted instance runs for its REST API.

The token endpoint takes a JSON body (a form body works too). ``grant_type=password`` logs a
user in with ``client_id`` (``sugar`` for the stock client), ``client_secret``, ``username``,
``password`` and ``platform``; ``grant_type=refresh_token`` trades a refresh token for a new
grant, once. Refusals use ``{error, error_message}``: a wrong user name or password is 401
``need_login``, an unknown client 400 ``invalid_client``, a spent or unknown refresh token
400 ``invalid_grant``. The simulator does not check ``platform`` against the instance's list
of API platforms, and a new login does not end earlier sessions on the same platform.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.kit.tokens import Grant
from simulators.sugarcrm.errors import error_body
from simulators.sugarcrm.state import SugarSim

REFRESH_LIFETIME = 1_209_600  # two weeks, Sugar's default for refresh tokens


def _refused(status: int, label: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(label, message), status_code=status)


def _granted(sim: SugarSim, grant: Grant, user: str) -> JSONResponse:
    sim.user_of[grant.access_token] = user
    sim.user_of[grant.refresh_token] = user
    body: dict[str, Any] = {
        "access_token": grant.access_token,
        "expires_in": max(0, int(grant.expires_at - time.time())),
        "token_type": "bearer",
        "scope": None,
        "refresh_token": grant.refresh_token,
        "refresh_expires_in": REFRESH_LIFETIME,
        "download_token": f"sim-dl-{secrets.token_urlsafe(12)}",
    }
    return JSONResponse(body)


async def _fields(request: Request) -> dict[str, str]:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        return {key: str(value) for key, value in form.items()}
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return {k: str(v) for k, v in body.items() if v is not None} if isinstance(body, dict) else {}


async def token(sim: SugarSim, request: Request) -> Response:
    """The token endpoint."""
    fields = await _fields(request)
    client_id = fields.get("client_id", "")
    if client_id not in sim.clients or sim.clients[client_id] != fields.get("client_secret", ""):
        return _refused(400, "invalid_client", "The client credentials are invalid")
    match fields.get("grant_type"):
        case "password":
            user = fields.get("username", "")
            if not user or sim.users.get(user) != fields.get("password"):
                return _refused(
                    401, "need_login", "You must specify a valid username and password."
                )
            return _granted(sim, sim.tokens.grant(), user)
        case "refresh_token":
            old = fields.get("refresh_token", "")
            grant = sim.tokens.refresh(old, sim.tokens.client_id, sim.tokens.client_secret)
            if grant is None:
                return _refused(400, "invalid_grant", "Invalid refresh token")
            return _granted(sim, grant, sim.user_of.get(old, next(iter(sim.users), "admin")))
        case other:
            return _refused(400, "unsupported_grant_type", f"Unsupported grant type: {other}")
