"""Zoho's OAuth tokens: a refresh token stays valid and is not sent again on refresh.

The kit's store ends the old refresh token at each refresh; Zoho keeps it (a refresh token
lives until revoked), so a refresh here issues a new access token under the same refresh token.
"""

from __future__ import annotations

import secrets
import time

from simulators.kit.tokens import Grant, TokenStore


class ZohoTokens(TokenStore):
    """The kit's token store, with Zoho's long-lived refresh tokens."""

    def refresh(self, refresh_token: str, client_id: str, client_secret: str) -> Grant | None:
        """A new access token for a valid refresh token and client (the refresh token stays)."""
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return None
        with self._lock:
            old = self._by_refresh.get(refresh_token)
            if old is None:
                return None
            self._by_access.pop(old.access_token, None)
            grant = Grant(
                access_token=f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}",
                refresh_token=refresh_token,
                expires_at=time.time() + self.lifetime,
            )
            self._by_access[grant.access_token] = grant
            self._by_refresh[refresh_token] = grant
        self.refreshes += 1
        return grant
