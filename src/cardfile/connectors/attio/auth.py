"""How an Attio connection authenticates: a workspace API key, or OAuth2 with refresh.

Both travel as ``Authorization: Bearer``. Attio's token endpoint is
``https://app.attio.com/oauth/token`` (its OpenAPI description's ``tokenUrl``), which takes
the client's id and secret in the form body.
"""

from __future__ import annotations

from cardfile.connectors.base import Connection
from cardfile.connectors.errors import ConnectionBroken, VendorError
from cardfile.connectors.http import Auth, BearerToken, OAuth2

TOKEN_URL = "https://app.attio.com/oauth/token"


class NoCredentials:
    """A connection that holds no token: requests go without one, and Attio's 401 says why."""

    @property
    def can_refresh(self) -> bool:
        """There is nothing to refresh."""
        return False

    async def headers(self) -> dict[str, str]:
        """No Authorization header."""
        return {}

    async def refresh(self) -> None:
        """Nothing to refresh: the connection needs a token."""
        raise ConnectionBroken(VendorError("the Attio connection holds no token", status=401))


def token_url(connection: Connection) -> str:
    """Where OAuth2 grants are refreshed: the client's own token URL, else the overridden
    base URL's ``/oauth/token`` (a simulator or proxy), else Attio's."""
    client = connection.oauth_client
    if client is not None and client.token_url:
        return client.token_url
    if connection.base_url:
        return f"{connection.base_url.rstrip('/')}/oauth/token"
    return TOKEN_URL


def auth_for(connection: Connection) -> Auth:
    """The :class:`~cardfile.connectors.http.Auth` for ``connection``.

    Returns:
        OAuth2 when the connection holds a grant and the client to refresh it with, else a
        bearer token (the API key, or an OAuth access token that cannot be refreshed), else
        no credentials at all (so that Attio's own 401 says what is wrong).
    """
    oauth = connection.oauth
    if oauth is not None and connection.oauth_client is not None:
        return OAuth2(
            oauth,
            connection.oauth_client,
            token_url=token_url(connection),
            auth_method="client_secret_post",
            on_tokens=connection.on_tokens,
        )
    if oauth is not None:
        return BearerToken(oauth.access_token)
    if connection.token:
        return BearerToken(connection.token)
    return NoCredentials()
