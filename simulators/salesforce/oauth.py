"""``POST /services/oauth2/token``: Salesforce's token endpoint (a form body; the client's id
and secret in it or in HTTP Basic).

``grant_type=authorization_code`` issues a session for any code, standing in for the consent
screen; ``grant_type=refresh_token`` opens a new session and keeps the refresh token. The
answer carries ``instance_url`` (where the org's API lives), ``id``, ``issued_at`` and a
``signature``, and no ``expires_in``: a session ends after the org's timeout, which a client
learns from a 401. Refusals are OAuth's ``{error, error_description}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.kit.tokens import Grant
from simulators.salesforce.state import SalesforceSim


def _refused(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


def _client(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """The client's id and secret, from the form or an ``Authorization: Basic`` header."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return "", ""
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _granted(sim: SalesforceSim, request: Request, grant: Grant, *, refresh: bool) -> Response:
    instance = str(request.base_url).rstrip("/")
    identity = f"{instance}/id/{sim.org_id}/{sim.user_id}"
    issued = str(int(time.time() * 1000))
    digest = hmac.new(
        sim.tokens.client_secret.encode(), f"{identity}{issued}".encode(), hashlib.sha256
    ).digest()
    body: dict[str, Any] = {
        "access_token": grant.access_token,
        "instance_url": instance,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued,
        "signature": base64.b64encode(digest).decode(),
        "scope": "api refresh_token",
    }
    if not refresh:  # a refresh answers without one; the old refresh token stays valid
        body["refresh_token"] = grant.refresh_token
    return JSONResponse(body)


def oauth_routes(sim: SalesforceSim) -> list[Route]:
    """The token endpoint of ``sim``."""

    async def token(request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        client_id, secret = _client(request, form)
        if (client_id, secret) != (sim.tokens.client_id, sim.tokens.client_secret):
            return _refused("invalid_client", "invalid client credentials")
        match form.get("grant_type"):
            case "refresh_token":
                grant = sim.tokens.refresh(form.get("refresh_token", ""), client_id, secret)
                if grant is None:
                    return _refused("invalid_grant", "expired access/refresh token")
                return _granted(sim, request, grant, refresh=True)
            case "authorization_code":
                if not form.get("code"):
                    return _refused("invalid_grant", "invalid authorization code")
                return _granted(sim, request, sim.tokens.grant(), refresh=False)
            case _:
                return _refused("unsupported_grant_type", "grant type not supported")

    return [Route("/services/oauth2/token", token, methods=["POST"])]
