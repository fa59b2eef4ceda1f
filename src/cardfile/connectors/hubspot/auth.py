"""How a HubSpot connection authenticates: a private-app token, or OAuth2 with refresh.

Both travel as ``Authorization: Bearer``. HubSpot's token endpoint is ``POST /oauth/v1/token``
under the API root, taking the client id and secret in the form body (``client_secret_post``).
"""

from __future__ import annotations

from cardfile.connectors.base import Connection
from cardfile.connectors.http import Auth
from cardfile.connectors.http.auth import bearer_auth


def auth_for(connection: Connection, base_url: str) -> Auth:
    """The :class:`~cardfile.connectors.http.Auth` for ``connection``, whose API root is
    ``base_url`` (the token endpoint lives under it)."""
    return bearer_auth(connection, token_url=f"{base_url}/oauth/v1/token")
