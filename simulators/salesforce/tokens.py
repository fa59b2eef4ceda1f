"""Salesforce's sessions: an OAuth refresh token stays valid across refreshes (the token
endpoint sends none back), and each refresh opens a new session beside the old one."""

from __future__ import annotations

import secrets
import time

from simulators.kit.tokens import Grant, TokenStore


class SessionTokens(TokenStore):
    """The kit's token store, refreshing as Salesforce does."""

    def refresh(self, refresh_token: str, client_id: str, client_secret: str) -> Grant | None:
        """A new access token for a known refresh token and client, else None; the refresh
        token is kept (Salesforce does not rotate it)."""
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return None
        with self._lock:
            if refresh_token not in self._by_refresh:
                return None
            grant = Grant(
                access_token=f"00DSIM!{secrets.token_urlsafe(24)}",
                refresh_token=refresh_token,
                expires_at=time.time() + self.lifetime,
            )
            self._by_access[grant.access_token] = grant
            self._by_refresh[refresh_token] = grant
        self.refreshes += 1
        return grant
