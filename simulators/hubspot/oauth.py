"""``POST /oauth/v1/token``: HubSpot's token endpoint (form body, client credentials in it).

``grant_type=refresh_token`` trades a refresh token for a new grant (the old one ends);
``grant_type=authorization_code`` issues a grant for any code, standing in for the consent
screen. Refusals use the OAuth endpoint's own shape, ``{status, message}`` with a status such
as ``BAD_REFRESH_TOKEN``.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.hubspot.errors import correlation_id
from simulators.hubspot.state import HubSpotSim
from simulators.kit.tokens import Grant


def _refused(status: str, message: str) -> JSONResponse:
    body = {"status": status, "message": message, "correlationId": correlation_id()}
    return JSONResponse(body, status_code=400)


def _granted(sim: HubSpotSim, grant: Grant) -> JSONResponse:
    body: dict[str, Any] = {
        "access_token": grant.access_token,
        "refresh_token": grant.refresh_token,
        "expires_in": max(0, int(grant.expires_at - time.time())),
        "token_type": "bearer",
        "token_use": "access_token",
        "hub_id": sim.portal_id,
    }
    return JSONResponse(body)


def oauth_routes(sim: HubSpotSim) -> list[Route]:
    """The token endpoint of ``sim``."""

    async def token(request: Request) -> Response:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items()}
        if fields.get("client_id") != sim.tokens.client_id:
            return _refused("BAD_CLIENT_ID", "missing or unknown client id")
        if fields.get("client_secret") != sim.tokens.client_secret:
            return _refused("BAD_CLIENT_SECRET", "missing or invalid client secret")
        match fields.get("grant_type"):
            case "refresh_token":
                grant = sim.tokens.refresh(
                    fields.get("refresh_token", ""), fields["client_id"], fields["client_secret"]
                )
                if grant is None:
                    return _refused("BAD_REFRESH_TOKEN", "missing or invalid refresh token")
                return _granted(sim, grant)
            case "authorization_code":
                if not fields.get("code"):
                    return _refused("BAD_AUTH_CODE", "missing or unknown auth code")
                return _granted(sim, sim.tokens.grant())
            case other:
                return _refused("BAD_GRANT_TYPE", f"unsupported grant_type: {other}")

    return [Route("/oauth/v1/token", token, methods=["POST"])]
