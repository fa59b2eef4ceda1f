"""How an Attio connection authenticates: a workspace API key, or OAuth2 with refresh.

Both travel as ``Authorization: Bearer``. Attio's token endpoint is
``https://app.attio.com/oauth/token`` (its OpenAPI description's ``tokenUrl``), which takes
the client's id and secret in the form body.
"""

from __future__ import annotations

from cardfile.connectors.base import Connection
from cardfile.connectors.http import Auth
from cardfile.connectors.http.auth import bearer_auth

TOKEN_URL = "https://app.attio.com/oauth/token"


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
    """The :class:`~cardfile.connectors.http.Auth` for ``connection``."""
    return bearer_auth(connection, token_url=token_url(connection))
