"""How a SugarCRM connection logs in: Sugar's OAuth2 password grant, with refresh.

Sugar runs its own OAuth2 server at ``POST /rest/{version}/oauth2/token``, which takes a JSON
body (so the shared form-encoded grant request does not fit it). A connection's ``token``
holds the credentials as ``username:password`` (split at the first colon, so a password may
hold colons); the session logs in with them on first use, sends the access token as
``OAuth-Token: <token>`` (not ``Authorization``), refreshes it with the refresh token before
it expires or on a 401, and logs in again when the refresh is refused (a refresh token is
spent once, and ends after two weeks). A connection may instead hold an OAuth grant and the
client to refresh it with; it then refreshes only.

The password, the token, and every access, refresh and download token Sugar issues are
registered for redaction before they can reach a log line or an error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from cardfile.connectors.base import Connection, OAuthTokens
from cardfile.connectors.errors import (
    Action,
    ConnectionBroken,
    RetryLater,
    VendorError,
)
from cardfile.connectors.http import redaction
from cardfile.connectors.http.auth import tokens_of
from cardfile.connectors.sugarcrm.errors import message_of
from cardfile.connectors.sugarcrm.settings import SugarSettings

HEADER = "OAuth-Token"
# Renew a little before Sugar's stated expiry, so a request never leaves with a token that
# ends on its way.
_EARLY_SECONDS = 60.0
_ISSUED = ("access_token", "refresh_token", "download_token")


@dataclass(frozen=True)
class Credentials:
    """A Sugar user's name and password."""

    username: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r})"


def credentials_of(token: str | None) -> Credentials | None:
    """``username:password`` from a connection's token (None when it is not of that form)."""
    if not token:
        return None
    username, sep, password = token.partition(":")
    if not sep or not username.strip() or not password:
        return None
    return Credentials(username.strip(), password)


@dataclass(frozen=True)
class Client:
    """The OAuth client and platform a session is opened with."""

    client_id: str
    client_secret: str
    platform: str


class SugarSession:
    """Sugar's session as the shared client's :class:`~cardfile.connectors.http.Auth`.

    Args:
        token_url: ``…/rest/{version}/oauth2/token`` of the instance.
        client: The OAuth client and platform.
        credentials: The user to log in as (None: refresh only).
        tokens: A grant held by the connection (None: log in on first use).
        on_tokens: Called with each renewed grant, so it can be stored.
    """

    def __init__(
        self,
        token_url: str,
        client: Client,
        *,
        credentials: Credentials | None,
        tokens: OAuthTokens | None = None,
        on_tokens: Callable[[OAuthTokens], None] | None = None,
    ) -> None:
        self._token_url = token_url
        self._client = client
        self._credentials = credentials
        self.tokens = tokens
        self._on_tokens = on_tokens
        self._lock = asyncio.Lock()
        self._http: httpx.AsyncClient | None = None  # made at the first grant, kept for the next
        redaction.register(client.client_secret)
        if credentials is not None:
            redaction.register(credentials.password)
        if tokens is not None:
            redaction.register(tokens.access_token, tokens.refresh_token)

    @property
    def can_refresh(self) -> bool:
        """True while a refresh token or the credentials can renew the session."""
        held = self.tokens is not None and self.tokens.refresh_token is not None
        return held or self._credentials is not None

    async def headers(self) -> dict[str, str]:
        """``OAuth-Token``, logging in or renewing first when needed."""
        tokens = self.tokens
        if tokens is None:
            await self._renew(None)
        elif tokens.expires_at is not None and tokens.expires_at - _EARLY_SECONDS <= time.time():
            await self._renew(tokens)
        assert self.tokens is not None  # _renew sets it or raises
        return {HEADER: self.tokens.access_token}

    async def refresh(self) -> None:
        """Renew the session after Sugar refused its access token."""
        await self._renew(self.tokens)

    async def aclose(self) -> None:
        """Close the token endpoint's connections."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _renew(self, stale: OAuthTokens | None) -> None:
        """Refresh ``stale`` (or log in when there is none, or the refresh is refused), once
        however many requests ask at the same time."""
        async with self._lock:
            if self.tokens is not stale:  # another request renewed while this one waited
                return
            refresh_token = stale.refresh_token if stale is not None else None
            grant: dict[str, Any] | None = None
            refused: ConnectionBroken | None = None
            if refresh_token is not None:
                try:
                    grant = await self._grant("refresh_token", refresh_token=refresh_token)
                except ConnectionBroken as error:
                    refused = error
            if grant is None:
                if self._credentials is None:
                    raise refused or ConnectionBroken(
                        VendorError(
                            "the SugarCRM session ended and the connection holds no "
                            "username:password to log in again",
                            status=401,
                            action=Action.BROKEN,
                        )
                    )
                grant = await self._grant(
                    "password",
                    username=self._credentials.username,
                    password=self._credentials.password,
                )
            self.tokens = tokens_of(grant, keep_refresh=refresh_token)
            if stale is not None and self._on_tokens is not None:
                self._on_tokens(self.tokens)

    async def _grant(self, grant_type: str, **params: str) -> dict[str, Any]:
        """POST one grant to the token endpoint; Sugar's answer.

        Raises:
            ConnectionBroken: Sugar refused the grant (its words), or answered without tokens.
            RetryLater: The endpoint could not be reached, or failed in passing (5xx).
        """
        body = {
            "grant_type": grant_type,
            "client_id": self._client.client_id,
            "client_secret": self._client.client_secret,
            "platform": self._client.platform,
            **params,
        }
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=30.0, headers={"User-Agent": "Cardfile"})
        try:
            response = await self._http.post(
                self._token_url, json=body, headers={"Accept": "application/json"}
            )
        except httpx.TransportError as error:
            failure = VendorError(
                f"SugarCRM's token endpoint could not be reached: {type(error).__name__}",
                action=Action.RETRY,
            )
            raise RetryLater(failure) from None
        try:
            grant = response.json()
        except ValueError:
            grant = None
        if isinstance(grant, dict):
            redaction.register(*(str(grant[k]) for k in _ISSUED if grant.get(k)))
        if response.status_code == 200 and isinstance(grant, dict) and grant.get("access_token"):
            return grant
        message, label = message_of(grant, response.text, response.reason_phrase)
        what = "login" if grant_type == "password" else "session refresh"
        status = response.status_code
        action = Action.RETRY if status >= 500 or status == 429 else Action.BROKEN
        refusal = VendorError(f"SugarCRM refused the {what}: {message}", status, label, action)
        raise RetryLater(refusal) if action is Action.RETRY else ConnectionBroken(refusal)


def session_for(connection: Connection, token_url: str, settings: SugarSettings) -> SugarSession:
    """The session of ``connection``: its OAuth client where it holds one (with the grant),
    else the settings' client; its credentials where its token holds them."""
    held = connection.oauth_client
    client = (
        Client(held.client_id, held.client_secret, settings.platform)
        if held is not None
        else Client(settings.client_id, settings.client_secret, settings.platform)
    )
    url = held.token_url if held is not None and held.token_url else token_url
    return SugarSession(
        url,
        client,
        credentials=credentials_of(connection.token),
        tokens=connection.oauth,
        on_tokens=connection.on_tokens,
    )
