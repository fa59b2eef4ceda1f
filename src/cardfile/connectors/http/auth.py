"""How a connection proves who it is: a static token in a header, or OAuth2 with refresh.

OAuth2 refresh requests are built by Authlib (the grant's body and the client's
authentication, ``client_secret_post`` or ``client_secret_basic``) and sent with httpx; the
new tokens are handed to the connection's ``on_tokens`` callback so that whoever stores
connections can keep them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol

import httpx
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from cardfile.connectors.base import Connection, OAuthClient, OAuthTokens
from cardfile.connectors.errors import ConnectionBroken, VendorError
from cardfile.connectors.http import redaction

# Refresh a little before the vendor's stated expiry, so a request never leaves with a token
# that ends on its way.
_EARLY_SECONDS = 60.0


class Auth(Protocol):
    """Headers that authenticate a request, and a way to renew them."""

    @property
    def can_refresh(self) -> bool:
        """True when a 401 can be cured by :meth:`refresh`."""
        ...

    async def headers(self) -> dict[str, str]:
        """The headers for the next request (refreshing first if the token is about to end)."""
        ...

    async def refresh(self) -> None:
        """Get a new access token; raises ConnectionBroken when the vendor refuses."""
        ...


class HeaderToken:
    """A static token sent in a header of the vendor's choosing (``x-api-token``, …)."""

    def __init__(self, token: str, header: str, prefix: str = "") -> None:
        self._value = f"{prefix}{token}"
        self._header = header

    @property
    def can_refresh(self) -> bool:
        """A static token cannot be renewed."""
        return False

    async def headers(self) -> dict[str, str]:
        """The one header."""
        return {self._header: self._value}

    async def refresh(self) -> None:
        """A static token has nothing to refresh."""
        raise ConnectionBroken(VendorError("the API token was refused", status=401))


class NoCredentials:
    """A connection that holds no token: requests go without one, and the vendor's own 401
    says what is wrong."""

    @property
    def can_refresh(self) -> bool:
        """There is nothing to refresh."""
        return False

    async def headers(self) -> dict[str, str]:
        """No credentials to send."""
        return {}

    async def refresh(self) -> None:
        """Nothing to refresh: the connection needs a token."""
        raise ConnectionBroken(VendorError("the connection holds no token", status=401))


class BearerToken(HeaderToken):
    """A static token as ``Authorization: Bearer …`` (private-app tokens, API keys)."""

    def __init__(self, token: str) -> None:
        super().__init__(token, "Authorization", "Bearer ")


class OAuth2:
    """OAuth2 access and refresh tokens, refreshed at the token endpoint on expiry or 401.

    Args:
        tokens: The current grant.
        client: The OAuth client (id, secret, token endpoint).
        token_url: The token endpoint when the client does not name one.
        auth_method: How the client authenticates at the token endpoint
            (``client_secret_post`` for HubSpot, ``client_secret_basic`` for Pipedrive).
        header: The header the access token travels in, and its prefix.
        on_tokens: Called with each new grant.
    """

    def __init__(
        self,
        tokens: OAuthTokens,
        client: OAuthClient,
        *,
        token_url: str,
        auth_method: str = "client_secret_post",
        header: tuple[str, str] = ("Authorization", "Bearer "),
        on_tokens: Callable[[OAuthTokens], None] | None = None,
    ) -> None:
        self.tokens = tokens
        self._client = client
        self._token_url = client.token_url or token_url
        self._auth_method = auth_method
        self._header = header
        self._on_tokens = on_tokens
        self._lock = asyncio.Lock()

    @property
    def can_refresh(self) -> bool:
        """True while there is a refresh token."""
        return self.tokens.refresh_token is not None

    async def headers(self) -> dict[str, str]:
        """The access token, refreshed first when it is about to expire."""
        expires_at = self.tokens.expires_at
        if expires_at is not None and expires_at - _EARLY_SECONDS <= time.time():
            await self.refresh()
        name, prefix = self._header
        return {name: f"{prefix}{self.tokens.access_token}"}

    async def refresh(self) -> None:
        """Trade the refresh token for a new grant (once, however many requests ask)."""
        stale = self.tokens
        async with self._lock:
            if self.tokens is not stale:  # another request refreshed while this one waited
                return
            if stale.refresh_token is None:
                raise ConnectionBroken(VendorError("the access token expired", status=401))
            grant = await request_grant(
                self._client,
                self._token_url,
                self._auth_method,
                "refresh_token",
                refresh_token=stale.refresh_token,
            )
            self.tokens = tokens_of(grant, keep_refresh=stale.refresh_token)
            # The new grant is as secret as the one the connection was built with.
            redaction.register(self.tokens.access_token, self.tokens.refresh_token)
            if self._on_tokens is not None:
                self._on_tokens(self.tokens)


def _refusal(grant: object, response: httpx.Response) -> str:
    """The token endpoint's reason, in its words (OAuth's error fields, or the body)."""
    if isinstance(grant, dict):
        for key in ("error_description", "message", "error"):
            if grant.get(key):
                return str(grant[key])
    return response.text[:200] or response.reason_phrase


def bearer_auth(
    connection: Connection, *, token_url: str, auth_method: str = "client_secret_post"
) -> Auth:
    """The usual ``Authorization: Bearer`` auth of a connection.

    Returns:
        OAuth2 (refreshed at ``token_url`` unless the client names its own) when the
        connection holds a grant and the client to refresh it with; else a bearer token (the
        static token, or an access token that cannot be refreshed); else no credentials.
    """
    oauth = connection.oauth
    if oauth is not None and connection.oauth_client is not None:
        return OAuth2(
            oauth,
            connection.oauth_client,
            token_url=token_url,
            auth_method=auth_method,
            on_tokens=connection.on_tokens,
        )
    if oauth is not None:
        return BearerToken(oauth.access_token)
    if connection.token:
        return BearerToken(connection.token)
    return NoCredentials()


async def request_grant(
    client: OAuthClient, token_url: str, auth_method: str, grant_type: str, **params: str
) -> dict[str, Any]:
    """POST an OAuth2 grant request (Authlib builds the body and the client's authentication)
    to the token endpoint; the vendor's answer.

    Raises:
        ConnectionBroken: The endpoint could not be reached or refused the grant, in its words.
    """
    auth = ClientAuth(client.client_id, client.client_secret, auth_method)
    body = prepare_token_request(grant_type, **params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    url, headers, body = auth.prepare("POST", client.token_url or token_url, headers, body)
    try:
        async with httpx.AsyncClient(timeout=30.0) as http:
            response = await http.post(url, headers=headers, content=body)
    except httpx.TransportError as error:
        raise ConnectionBroken(
            VendorError(f"the token endpoint could not be reached: {type(error).__name__}")
        ) from None
    try:
        grant = response.json()
    except ValueError:
        grant = None
    if response.status_code != 200 or not isinstance(grant, dict) or "access_token" not in grant:
        raise ConnectionBroken(
            VendorError(
                f"the token endpoint refused the {grant_type} grant: {_refusal(grant, response)}",
                status=response.status_code,
            )
        )
    return grant


def tokens_of(grant: dict[str, Any], *, keep_refresh: str | None = None) -> OAuthTokens:
    """The tokens of a token endpoint's answer (a refresh may not send a new refresh token)."""
    expires_in = grant.get("expires_in")
    refresh = grant.get("refresh_token") or keep_refresh
    return OAuthTokens(
        access_token=str(grant["access_token"]),
        refresh_token=str(refresh) if refresh else None,
        expires_at=time.time() + float(expires_in) if expires_in else None,
    )
