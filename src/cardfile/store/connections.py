"""A workspace's connections to vendors: provider, base URL, settings, and credentials that
are stored sealed by the :class:`~cardfile.store.vault.Vault` and opened only on request.

Every function takes the workspace: no call reads another workspace's connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.schema import Connection, as_utc, utcnow
from cardfile.store.vault import Vault

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class StoredConnection:
    """A connection as callers see it: everything but the credentials, which stay sealed."""

    id: int
    workspace_id: int
    name: str
    provider: str
    base_url: str | None
    settings: dict[str, Any]
    status: str
    status_message: str
    checked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    sealed: str = field(repr=False)

    def credentials(self, vault: Vault) -> dict[str, Any]:
        """The opened credentials (a static ``token``, or ``oauth`` and ``oauth_client``)."""
        return vault.open(self.sealed)


def _stored(row: Connection) -> StoredConnection:
    return StoredConnection(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        provider=row.provider,
        base_url=row.base_url,
        settings=dict(row.settings or {}),
        status=row.status,
        status_message=row.status_message,
        checked_at=as_utc(row.checked_at) if row.checked_at else None,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        sealed=row.credentials,
    )


def _row(session: Session, workspace_id: int, name: str, *, lock: bool = False) -> Connection:
    query = select(Connection).where(
        Connection.workspace_id == workspace_id, Connection.name == name
    )
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"no connection named '{name}' in this workspace", field="name")
    return row


def add(
    session: Session,
    vault: Vault,
    *,
    workspace_id: int,
    provider: str,
    credentials: dict[str, Any],
    name: str | None = None,
    base_url: str | None = None,
    settings: dict[str, Any] | None = None,
) -> StoredConnection:
    """Store a new connection (named after its provider unless named otherwise)."""
    chosen = name or provider
    if not credentials:
        raise Invalid("a connection needs credentials: a token or an OAuth grant", field="token")
    if not _NAME.match(chosen):
        raise Invalid(
            f"'{chosen}' is not a usable connection name: lowercase letters, digits, '-' and "
            "'_', at most 63",
            field="name",
        )
    taken = session.scalar(
        select(Connection.id).where(
            Connection.workspace_id == workspace_id, Connection.name == chosen
        )
    )
    if taken is not None:
        raise Conflict(
            f"this workspace already has a connection named '{chosen}'; remove it or choose "
            "another --name",
            field="name",
        )
    row = Connection(
        workspace_id=workspace_id,
        name=chosen,
        provider=provider,
        base_url=base_url.rstrip("/") if base_url else None,
        credentials=vault.seal(credentials),
        settings=settings or {},
    )
    session.add(row)
    session.flush()
    return _stored(row)


def list_for(session: Session, workspace_id: int) -> list[StoredConnection]:
    """The workspace's connections, by name."""
    rows = session.scalars(
        select(Connection).where(Connection.workspace_id == workspace_id).order_by(Connection.name)
    )
    return [_stored(row) for row in rows]


def get(session: Session, workspace_id: int, name: str) -> StoredConnection:
    """One connection of the workspace, by name."""
    return _stored(_row(session, workspace_id, name))


def record_check(
    session: Session, workspace_id: int, name: str, *, healthy: bool, message: str
) -> StoredConnection:
    """Keep the result of a health check."""
    row = _row(session, workspace_id, name)
    row.status = "healthy" if healthy else "broken"
    row.status_message = message
    row.checked_at = utcnow()
    row.updated_at = utcnow()
    session.flush()
    return _stored(row)


def update_credentials(
    session: Session, vault: Vault, workspace_id: int, name: str, changes: dict[str, Any]
) -> None:
    """Replace some entries of a connection's credentials (refreshed OAuth tokens), keeping
    the others as they are stored now.

    The row is locked while it is read and rewritten, so two processes refreshing the same
    grant cannot write back a document that drops the other's change.
    """
    row = _row(session, workspace_id, name, lock=True)
    row.credentials = vault.seal({**vault.open(row.credentials), **changes})
    row.updated_at = utcnow()
    session.flush()


def remove(session: Session, workspace_id: int, name: str) -> None:
    """Delete a connection and its credentials."""
    session.delete(_row(session, workspace_id, name))
    session.flush()
