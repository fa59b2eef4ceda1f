"""A stored connection made into a connector, with refreshed OAuth tokens written back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connection, Connector, OAuthClient, OAuthTokens
from cardfile.connectors.registry import connect
from cardfile.store import connections
from cardfile.store.connections import StoredConnection
from cardfile.store.db import transaction
from cardfile.store.errors import NotFound
from cardfile.store.vault import Vault

TokensCallback = Callable[[OAuthTokens], None]
"""What a connector calls with each OAuth grant it refreshes."""


def connection_for(
    stored: StoredConnection, vault: Vault, *, on_tokens: TokensCallback | None
) -> Connection:
    """The connector contract's ``Connection`` for a stored one, its credentials opened.

    Args:
        stored: The stored connection.
        vault: The vault its credentials were sealed with.
        on_tokens: Called with each refreshed OAuth grant (None: refreshed grants are not
            kept beyond this connector).

    Raises:
        VaultError: The credentials cannot be opened with this vault's key.
    """
    secrets = stored.credentials(vault)
    oauth = secrets.get("oauth")
    client = secrets.get("oauth_client")
    return Connection(
        provider=stored.provider,
        token=secrets.get("token"),
        oauth=OAuthTokens(**oauth) if oauth else None,
        oauth_client=OAuthClient(**client) if client else None,
        base_url=stored.base_url,
        settings=stored.settings,
        on_tokens=on_tokens,
    )


def grant_document(tokens: OAuthTokens) -> dict[str, Any]:
    """An OAuth grant as it is kept under ``"oauth"`` in a credentials document."""
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at,
    }


def credentials_of(connection: Connection) -> dict[str, Any]:
    """The document a connection's secrets are sealed as (the inverse of ``connection_for``)."""
    document: dict[str, Any] = {}
    if connection.token:
        document["token"] = connection.token
    if connection.oauth is not None:
        document["oauth"] = grant_document(connection.oauth)
    if connection.oauth_client is not None:
        client = connection.oauth_client
        document["oauth_client"] = {
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "token_url": client.token_url,
        }
    return document


def open_connector(
    session_factory: sessionmaker[Session], workspace_id: int, name: str, vault: Vault
) -> Connector:
    """A connector for the workspace's connection ``name``.

    Every OAuth grant the connector refreshes is stored at once, in a short transaction of
    its own: a vendor that rotates refresh tokens has already forgotten the old one, so it
    must not wait for the caller's work to commit.

    Raises:
        NotFound: The workspace has no connection of that name.
        VaultError: Its credentials cannot be opened with this vault's key.
    """
    with session_factory() as session:
        stored = connections.get(session, workspace_id, name)

    def keep(tokens: OAuthTokens) -> None:
        try:
            with transaction(session_factory) as session:
                connections.update_credentials(
                    session, vault, workspace_id, name, {"oauth": grant_document(tokens)}
                )
        except NotFound:
            # Removed while in use: writing the grant back would not bring it back, and the
            # call under way may still finish with the grant it holds.
            return

    return connect(connection_for(stored, vault, on_tokens=keep))
