"""Tokens a simulator accepts: static API tokens, and OAuth2 grants that expire."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from starlette.requests import Request


@dataclass
class Grant:
    """An OAuth2 grant the simulator issued."""

    access_token: str
    refresh_token: str
    expires_at: float


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


class TokenStore:
    """Which bearer tokens are valid now, and the OAuth2 grants behind them.

    Args:
        static: Tokens that never expire (private-app tokens, API keys).
        client_id: The OAuth client the token endpoint accepts.
        client_secret: Its secret.
        lifetime: Seconds an issued access token lives.
    """

    def __init__(
        self,
        static: set[str] | None = None,
        *,
        client_id: str = "sim-client",
        client_secret: str = "sim-secret",
        lifetime: float = 1800.0,
    ) -> None:
        self.static = set(static or ())
        self.client_id = client_id
        self.client_secret = client_secret
        self.lifetime = lifetime
        self._by_access: dict[str, Grant] = {}
        self._by_refresh: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self.refreshes = 0

    def grant(self, *, lifetime: float | None = None) -> Grant:
        """Issue a new grant (what the authorization-code exchange returns)."""
        grant = Grant(
            access_token=f"sim-at-{secrets.token_urlsafe(12)}",
            refresh_token=f"sim-rt-{secrets.token_urlsafe(12)}",
            expires_at=time.time() + (self.lifetime if lifetime is None else lifetime),
        )
        with self._lock:
            self._by_access[grant.access_token] = grant
            self._by_refresh[grant.refresh_token] = grant
        return grant

    def check(self, token: str | None) -> str:
        """'ok', 'expired' or 'invalid' for a presented token."""
        if not token:
            return "invalid"
        if token in self.static:
            return "ok"
        with self._lock:
            grant = self._by_access.get(token)
        if grant is None:
            return "invalid"
        return "ok" if grant.expires_at > time.time() else "expired"

    def grant_of(self, token: str) -> Grant | None:
        """The grant that issued ``token`` (None for static tokens and unknown ones)."""
        with self._lock:
            return self._by_access.get(token)

    def refresh(self, refresh_token: str, client_id: str, client_secret: str) -> Grant | None:
        """A new grant for a valid refresh token and client, else None (the old one ends)."""
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return None
        with self._lock:
            old = self._by_refresh.pop(refresh_token, None)
            if old is None:
                return None
            self._by_access.pop(old.access_token, None)
        self.refreshes += 1
        return self.grant()

    def expire_all(self) -> None:
        """End every issued access token now (refresh tokens stay valid)."""
        with self._lock:
            for grant in self._by_access.values():
                grant.expires_at = 0.0
