"""Connecting a workspace to a vendor with OAuth2's authorization-code flow.

``connect_url`` sends the user to the vendor's consent page with a ``state`` sealed by the
vault (which workspace, which provider, what to name the connection; it expires after 15
minutes). ``finish`` opens the state the vendor hands back, trades the code for tokens at the
vendor's token endpoint, and stores the connection with the tokens and the client that
refreshes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connection, OAuthClient
from cardfile.connectors.http.auth import request_grant, tokens_of
from cardfile.connectors.registry import connector_class
from cardfile.settings import Settings
from cardfile.store import connections
from cardfile.store.connections import StoredConnection
from cardfile.store.db import transaction
from cardfile.store.errors import Invalid
from cardfile.store.vault import Vault, VaultError
from cardfile.sync.connections import credentials_of

STATE_SECONDS = 15 * 60
CALLBACK_PATH = "/api/v1/connections/oauth/callback"


@dataclass(frozen=True)
class Started:
    """Where to send the user, and the redirect URI the vendor must know."""

    connect_url: str
    redirect_uri: str


def _client(settings: Settings, provider: str) -> OAuthClient:
    found = settings.oauth_client(provider)
    if found is None:
        variable = f"CARDFILE_{provider.upper()}_CLIENT_ID"
        raise Invalid(
            f"no OAuth app is configured for {provider}: set {variable} and "
            f"CARDFILE_{provider.upper()}_CLIENT_SECRET",
            field="provider",
        )
    return OAuthClient(*found)


def redirect_uri(settings: Settings) -> str:
    """The callback the vendor sends the user back to."""
    return settings.public_url.rstrip("/") + CALLBACK_PATH


def connect_url(
    settings: Settings,
    vault: Vault,
    *,
    workspace_id: int,
    provider: str,
    name: str | None = None,
    base_url: str | None = None,
) -> Started:
    """The vendor's consent page for this workspace, with a sealed, expiring state."""
    cls = connector_class(provider)
    app = cls.oauth_app
    if app is None:
        raise Invalid(f"{provider} connects with an API token only", field="provider")
    client = _client(settings, provider)
    state = vault.seal(
        {"workspace_id": workspace_id, "provider": provider, "name": name, "base_url": base_url}
    )
    callback = redirect_uri(settings)
    query = urlencode(
        {
            "client_id": client.client_id,
            "redirect_uri": callback,
            "scope": app.scopes,
            "response_type": "code",
            "state": state,
            **app.authorize_params,
        }
    )
    page = cls.authorize_url(base_url)
    return Started(f"{page}{'&' if '?' in page else '?'}{query}", callback)


async def finish(
    settings: Settings, vault: Vault, sessions: sessionmaker[Session], *, code: str, state: str
) -> StoredConnection:
    """Trade the vendor's code for tokens and store the connection they open."""
    try:
        opened = vault.open(state, ttl=STATE_SECONDS)
    except VaultError:
        raise Invalid(
            "the connect link expired or was not issued here; start again", field="state"
        ) from None
    provider = str(opened["provider"])
    cls = connector_class(provider)
    app = cls.oauth_app
    if app is None:
        raise Invalid(f"{provider} connects with an API token only", field="provider")
    client = _client(settings, provider)
    base_url = opened.get("base_url")
    probe = cls(Connection(provider=provider, base_url=base_url))
    token_url = probe.token_url()
    await probe.aclose()
    grant = await request_grant(
        client,
        token_url,
        app.auth_method,
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri(settings),
    )
    # Where the vendor says the account lives (a Salesforce instance, a Zoho data centre).
    base_url = cls.base_url_of_grant(grant) or base_url
    connection = Connection(
        provider=provider,
        oauth=tokens_of(grant),
        oauth_client=OAuthClient(client.client_id, client.client_secret, token_url),
    )
    with transaction(sessions) as session:
        return connections.add(
            session,
            vault,
            workspace_id=int(opened["workspace_id"]),
            provider=provider,
            credentials=credentials_of(connection),
            name=opened.get("name"),
            base_url=base_url,
        )
