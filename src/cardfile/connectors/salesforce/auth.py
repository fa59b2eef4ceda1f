"""How a Salesforce connection authenticates: a session id (access token), or the OAuth2
web-server flow's grant, refreshed at the token endpoint.

Both travel as ``Authorization: Bearer``. Salesforce's token answer carries no ``expires_in``
(a session lasts the org's timeout), so a grant is refreshed when a request meets 401
``INVALID_SESSION_ID``, never ahead of time. The token endpoint is ``/services/oauth2/token``
on the login server: ``login.salesforce.com`` for production orgs, ``test.salesforce.com`` for
sandboxes, or the org's My Domain, which is how a connection's base URL selects it.
"""

from __future__ import annotations

from cardfile.connectors.base import Connection
from cardfile.connectors.http import Auth
from cardfile.connectors.http.auth import bearer_auth

LOGIN_URL = "https://login.salesforce.com"
TOKEN_PATH = "/services/oauth2/token"
AUTHORIZE_PATH = "/services/oauth2/authorize"


def login_server(base_url: str | None) -> str:
    """The server whose OAuth endpoints serve an org at ``base_url``: the org's own My Domain
    (or sandbox, or simulator) when one is given, else production's login server."""
    return (base_url or LOGIN_URL).rstrip("/")


def token_url(connection: Connection) -> str:
    """Where grants are traded: the client's own token URL, else the base URL's."""
    client = connection.oauth_client
    if client is not None and client.token_url:
        return client.token_url
    return f"{login_server(connection.base_url)}{TOKEN_PATH}"


def auth_for(connection: Connection) -> Auth:
    """The :class:`~cardfile.connectors.http.Auth` for ``connection``."""
    return bearer_auth(connection, token_url=token_url(connection))
