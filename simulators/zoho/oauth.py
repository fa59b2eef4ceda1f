"""``POST /oauth/v2/token``: Zoho's accounts server token endpoint (``accounts.zoho.<dc>`` in
production; under the simulator's own base URL here).

Parameters come as a form body or in the query string, the client's id and secret among them.
``grant_type=authorization_code`` issues a grant for any code (standing in for the consent
screen); ``grant_type=refresh_token`` issues a new access token and no new refresh token. Every
grant names the ``api_domain`` to call, the simulator's own root. Zoho answers a refused grant
with HTTP 200 and ``{"error": "invalid_code"}`` (or ``invalid_client``), not an error status.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.kit.tokens import Grant
from simulators.zoho.state import ZohoSim

SCOPE = "ZohoCRM.modules.ALL ZohoCRM.settings.ALL ZohoCRM.org.READ"


def _granted(request: Request, grant: Grant, *, with_refresh: bool) -> JSONResponse:
    body: dict[str, Any] = {
        "access_token": grant.access_token,
        "scope": SCOPE,
        "api_domain": str(request.base_url).rstrip("/"),
        "token_type": "Bearer",
        "expires_in": max(0, int(grant.expires_at - time.time())),
    }
    if with_refresh:
        body["refresh_token"] = grant.refresh_token
    return JSONResponse(body)


def oauth_routes(sim: ZohoSim) -> list[Route]:
    """The token endpoint of ``sim``."""

    async def token(request: Request) -> Response:
        form = await request.form()
        fields = {**dict(request.query_params), **{k: str(v) for k, v in form.items()}}
        tokens = sim.tokens
        if (fields.get("client_id"), fields.get("client_secret")) != (
            tokens.client_id,
            tokens.client_secret,
        ):
            return JSONResponse({"error": "invalid_client"})
        match fields.get("grant_type"):
            case "refresh_token":
                grant = tokens.refresh(
                    fields.get("refresh_token", ""), tokens.client_id, tokens.client_secret
                )
                if grant is None:
                    return JSONResponse({"error": "invalid_code"})
                return _granted(request, grant, with_refresh=False)
            case "authorization_code":
                if not fields.get("code"):
                    return JSONResponse({"error": "invalid_code"})
                return _granted(request, tokens.grant(), with_refresh=True)
            case _:
                return JSONResponse({"error": "unsupported_grant_type"})

    return [Route("/oauth/v2/token", token, methods=["POST"])]
