"""``POST /oauth/token``: Pipedrive's token endpoint (``oauth.pipedrive.com/oauth/token`` in
production).

The client authenticates with HTTP Basic (``base64(client_id:client_secret)``), which is the
only way the v1 description lists. The form body carries ``grant_type=authorization_code``
with a ``code`` (any code is accepted, standing in for the consent screen) or
``grant_type=refresh_token``. A grant names the company's ``api_domain``, where its API calls
go: here, the simulator's own address. Refusals use OAuth 2.0's ``{error,
error_description}``.
"""

from __future__ import annotations

import base64
import binascii
import time
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.kit.tokens import Grant
from simulators.pipedrive.state import PipedriveSim

SCOPES = "base contacts:full deals:read search:read contact-fields:full"


def _refused(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


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


def granted(grant: Grant, api_domain: str) -> JSONResponse:
    """A token endpoint's answer for ``grant``."""
    return JSONResponse(
        {
            "access_token": grant.access_token,
            "token_type": "Bearer",
            "refresh_token": grant.refresh_token,
            "scope": SCOPES,
            "expires_in": max(0, int(grant.expires_at - time.time())),
            "api_domain": api_domain,
        },
        headers={"Cache-Control": "no-store"},
    )


def oauth_routes(sim: PipedriveSim) -> list[Route]:
    """The token endpoint of ``sim``."""

    async def token(request: Request) -> Response:
        client = _basic(request)
        if client != (sim.tokens.client_id, sim.tokens.client_secret):
            return _refused("invalid_client", "Invalid client credentials", 401)
        form = await request.form()
        fields = {key: str(value) for key, value in form.items()}
        api_domain = str(request.base_url).rstrip("/")
        match fields.get("grant_type"):
            case "refresh_token":
                grant = sim.tokens.refresh(fields.get("refresh_token", ""), *client)
                if grant is None:
                    return _refused("invalid_grant", "Invalid refresh token")
                return granted(grant, api_domain)
            case "authorization_code":
                if not fields.get("code"):
                    return _refused("invalid_request", "Missing parameter: code")
                return granted(sim.tokens.grant(), api_domain)
            case other:
                return _refused("unsupported_grant_type", f"Unsupported grant type: {other}")

    return [Route("/oauth/token", token, methods=["POST"])]
