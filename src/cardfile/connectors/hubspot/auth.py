"""How a HubSpot connection authenticates: a private-app token, or OAuth2 with refresh.

HubSpot's token endpoint is ``POST /oauth/v1/token`` under the API root, taking the client id
and secret in the form body (``client_secret_post``).
"""

from __future__ import annotations

from cardfile.connectors.base import Connection
from cardfile.connectors.errors import ConnectionBroken, VendorError
from cardfile.connectors.http import Auth, BearerToken, OAuth2


class NoCredentials:
    """A connection that holds no token: requests go without one, and HubSpot's 401 says why."""

    @property
    def can_refresh(self) -> bool:
        """There is nothing to refresh."""
        return False

    async def headers(self) -> dict[str, str]:
        """No Authorization header."""
        return {}

    async def refresh(self) -> None:
        """Nothing to refresh: the connection needs a token."""
        raise ConnectionBroken(VendorError("the HubSpot connection holds no token", status=401))


def auth_for(connection: Connection, base_url: str) -> Auth:
    """The :class:`~cardfile.connectors.http.Auth` for ``connection``.

    Args:
        connection: The connection (a static ``token``, or ``oauth`` with ``oauth_client``).
        base_url: HubSpot's API root, under which the token endpoint lives.

    Returns:
        OAuth2 when the connection holds a refreshable grant, else a bearer token, else no
        credentials at all (so that HubSpot's own 401 says what is wrong).
    """
    oauth = connection.oauth
    if oauth is not None and connection.oauth_client is not None:
        return OAuth2(
            oauth,
            connection.oauth_client,
            token_url=f"{base_url}/oauth/v1/token",
            auth_method="client_secret_post",
            on_tokens=connection.on_tokens,
        )
    if oauth is not None:
        return BearerToken(oauth.access_token)
    if connection.token:
        return BearerToken(connection.token)
    return NoCredentials()
