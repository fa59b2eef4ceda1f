"""``POST /oauth/token``: Attio's token endpoint (``app.attio.com/oauth/token`` in production).

It takes a form body. The client authenticates with ``client_id`` and ``client_secret`` in the
body or with HTTP Basic. ``grant_type=authorization_code`` issues a grant for any code,
standing in for the consent screen; ``grant_type=refresh_token`` trades a refresh token for a
new grant (the old one ends). Refusals use OAuth 2.0's ``{error, error_description}``.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.attio.state import SCOPES, AttioSim
from simulators.kit.tokens import Grant


def _refused(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _granted(grant: Grant) -> JSONResponse:
    body: dict[str, Any] = {
        "access_token": grant.access_token,
        "token_type": "Bearer",
        "expires_in": max(0, int(grant.expires_at - time.time())),
        "refresh_token": grant.refresh_token,
        "scope": SCOPES,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def oauth_routes(sim: AttioSim) -> list[Route]:
    """The token endpoint of ``sim``."""

    async def token(request: Request) -> Response:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items()}
        client = _basic(request) or (fields.get("client_id", ""), fields.get("client_secret", ""))
        if client != (sim.tokens.client_id, sim.tokens.client_secret):
            return _refused("invalid_client", "Client authentication failed.", 401)
        match fields.get("grant_type"):
            case "refresh_token":
                grant = sim.tokens.refresh(fields.get("refresh_token", ""), *client)
                if grant is None:
                    return _refused("invalid_grant", "The refresh token is invalid or expired.")
                return _granted(grant)
            case "authorization_code":
                if not fields.get("code"):
                    return _refused("invalid_request", "The code parameter is missing.")
                return _granted(sim.tokens.grant())
            case other:
                return _refused("unsupported_grant_type", f"Unsupported grant_type: {other}.")

    return [Route("/oauth/token", token, methods=["POST"])]
