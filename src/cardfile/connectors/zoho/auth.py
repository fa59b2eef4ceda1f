"""How a Zoho CRM connection authenticates, and where its accounts server is.

Every request carries ``Authorization: Zoho-oauthtoken <access token>`` (not ``Bearer``). A
static token (an access token made by a self client) is sent the same way and cannot be
renewed; an OAuth grant is refreshed at ``{accounts}/oauth/v2/token`` with the client's id and
secret in the form body.

Zoho keeps each data centre apart: an org in the EU is served by ``www.zohoapis.eu`` and signs
in at ``accounts.zoho.eu``, one in Canada by ``zohoapis.ca`` and ``accounts.zohocloud.ca``. The
accounts server is derived from the API root; any other root (a simulator, a proxy) serves the
OAuth endpoints under itself.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from cardfile.connectors.base import Connection, OAuthTokens
from cardfile.connectors.http import Auth, HeaderToken, OAuth2, redaction
from cardfile.connectors.http.auth import NoCredentials

HEADER = ("Authorization", "Zoho-oauthtoken ")
TOKEN_PATH = "/oauth/v2/token"
AUTHORIZE_PATH = "/oauth/v2/auth"
_API_DOMAIN = "zohoapis."
_ACCOUNTS_BY_SUFFIX = {"ca": "https://accounts.zohocloud.ca"}


def accounts_server(base_url: str) -> str:
    """The accounts server of the data centre serving ``base_url``, or ``base_url`` itself
    when it is not one of Zoho's API domains (a simulator or a proxy).

    ``https://www.zohoapis.eu`` gives ``https://accounts.zoho.eu``; ``https://zohoapis.com.au``
    and ``https://sandbox.zohoapis.com`` give ``accounts.zoho.com.au`` and
    ``accounts.zoho.com``.
    """
    host = (urlsplit(base_url).hostname or "").lower()
    _, found, suffix = host.partition(_API_DOMAIN)
    if not found or not suffix:
        return base_url.rstrip("/")
    return _ACCOUNTS_BY_SUFFIX.get(suffix, f"https://accounts.zoho.{suffix}")


def token_url(connection: Connection, base_url: str) -> str:
    """Where grants are refreshed: the client's own token URL, else the accounts server's."""
    client = connection.oauth_client
    if client is not None and client.token_url:
        return client.token_url
    return f"{accounts_server(base_url)}{TOKEN_PATH}"


def _secret_keeping(
    on_tokens: Callable[[OAuthTokens], None] | None,
) -> Callable[[OAuthTokens], None]:
    """``on_tokens``, after registering a refreshed access token as a secret: it was not
    among the connection's secrets when the client was built, and must not reach a log line."""

    def handle(tokens: OAuthTokens) -> None:
        redaction.register(tokens.access_token, tokens.refresh_token)
        if on_tokens is not None:
            on_tokens(tokens)

    return handle


def auth_for(connection: Connection, base_url: str) -> Auth:
    """The :class:`~cardfile.connectors.http.Auth` for ``connection``, whose API root is
    ``base_url``.

    Returns:
        OAuth2 refreshed at the accounts server when the connection holds a grant and the
        client to refresh it with; else the static token (or an access token that cannot be
        refreshed) as a ``Zoho-oauthtoken``; else no credentials, which Zoho answers with
        its own 401.
    """
    name, prefix = HEADER
    oauth = connection.oauth
    if oauth is not None and connection.oauth_client is not None:
        return OAuth2(
            oauth,
            connection.oauth_client,
            token_url=token_url(connection, base_url),
            auth_method="client_secret_post",
            header=HEADER,
            on_tokens=_secret_keeping(connection.on_tokens),
        )
    if oauth is not None:
        return HeaderToken(oauth.access_token, name, prefix)
    if connection.token:
        return HeaderToken(connection.token, name, prefix)
    return NoCredentials()
