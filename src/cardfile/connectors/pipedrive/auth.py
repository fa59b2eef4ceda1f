"""How a Pipedrive connection authenticates: an API token, or OAuth2 with refresh.

An API token travels in the ``x-api-token`` header. An OAuth access token travels as
``Authorization: Bearer`` to the company's ``api_domain``; it is refreshed at
``https://oauth.pipedrive.com/oauth/token``, which takes the client's id and secret as HTTP
Basic credentials (``client_secret_basic``), never in the form body.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cardfile.connectors.base import Connection
from cardfile.connectors.http import Auth, BearerToken, HeaderToken, OAuth2
from cardfile.connectors.http.auth import NoCredentials

TOKEN_URL = "https://oauth.pipedrive.com/oauth/token"
AUTHORIZE_URL = "https://oauth.pipedrive.com/oauth/authorize"
AUTH_METHOD = "client_secret_basic"
TOKEN_HEADER = "x-api-token"


def _pipedrive_host(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    return host == "pipedrive.com" or host.endswith(".pipedrive.com")


def token_url(connection: Connection) -> str:
    """Where OAuth2 grants are refreshed: the client's own token URL; else Pipedrive's, also
    for a company's ``api_domain`` (which serves no token endpoint); else, for a base URL that
    is not Pipedrive's (a simulator, a proxy), its ``/oauth/token``."""
    client = connection.oauth_client
    if client is not None and client.token_url:
        return client.token_url
    if connection.base_url and not _pipedrive_host(connection.base_url):
        return f"{connection.base_url.rstrip('/')}/oauth/token"
    return TOKEN_URL


def auth_for(connection: Connection) -> Auth:
    """The :class:`~cardfile.connectors.http.Auth` for ``connection``: OAuth2 when it holds
    a grant and the client to refresh it with, else the access token alone, else the API
    token in ``x-api-token``, else no credentials (Pipedrive's 401 then says why)."""
    oauth = connection.oauth
    if oauth is not None and connection.oauth_client is not None:
        return OAuth2(
            oauth,
            connection.oauth_client,
            token_url=token_url(connection),
            auth_method=AUTH_METHOD,
            on_tokens=connection.on_tokens,
        )
    if oauth is not None:
        return BearerToken(oauth.access_token)
    if connection.token:
        return HeaderToken(connection.token, TOKEN_HEADER)
    return NoCredentials()
