"""A stored connection made into a connector, with refreshed OAuth tokens written back."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cardfile.connectors.base import Connection, Connector, OAuthClient, OAuthTokens
from cardfile.connectors.registry import connect
from cardfile.store import connections
from cardfile.store.connections import StoredConnection
from cardfile.store.db import transaction
from cardfile.store.vault import Vault


def connection_for(stored: StoredConnection, vault: Vault) -> Connection:
    """The connector contract's ``Connection`` for a stored one (credentials opened)."""
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
    )


def credentials_of(connection: Connection) -> dict[str, Any]:
    """The document a connection's secrets are sealed as."""
    document: dict[str, Any] = {}
    if connection.token:
        document["token"] = connection.token
    if connection.oauth is not None:
        tokens = connection.oauth
        document["oauth"] = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at,
        }
    if connection.oauth_client is not None:
        client = connection.oauth_client
        document["oauth_client"] = {
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "token_url": client.token_url,
        }
    return document


def open_connector(
    sessions: sessionmaker[Session], workspace_id: int, name: str, vault: Vault
) -> Connector:
    """A connector for the workspace's connection ``name``; OAuth grants it refreshes are
    stored at once, in a short transaction of their own."""
    with sessions() as session:
        stored = connections.get(session, workspace_id, name)
    connection = connection_for(stored, vault)

    def keep(tokens: OAuthTokens) -> None:
        renewed = replace(connection, oauth=tokens)
        with transaction(sessions) as session:
            connections.replace_credentials(
                session, vault, workspace_id, name, credentials_of(renewed)
            )

    return connect(replace(connection, on_tokens=keep))
