"""API keys: Bearer tokens scoped to one workspace, kept only as a SHA-256 hash.

The keys are 256-bit random strings, so a plain SHA-256 (no salt, no slow hash) is enough to
make the stored hash useless to a thief, and it lets a request find its key by one index
lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardfile.store.errors import NotFound
from cardfile.store.schema import ApiKey, utcnow

PREFIX = "cf_"


@dataclass(frozen=True)
class IssuedKey:
    """A newly created key: ``secret`` is shown once and never stored."""

    record: ApiKey
    secret: str


def hash_secret(secret: str) -> str:
    """The stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create(session: Session, *, workspace_id: int, name: str = "") -> IssuedKey:
    """Issue a new key for the workspace."""
    secret = PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(
        workspace_id=workspace_id, name=name, prefix=secret[:10], key_hash=hash_secret(secret)
    )
    session.add(record)
    session.flush()
    return IssuedKey(record=record, secret=secret)


def authenticate(session: Session, secret: str) -> ApiKey | None:
    """The live key matching ``secret``, or None for an unknown or revoked one."""
    record = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_secret(secret)))
    if record is None or record.revoked_at is not None:
        return None
    return record


def list_for(session: Session, workspace_id: int) -> list[ApiKey]:
    """The workspace's keys, revoked ones included, oldest first."""
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.id)
        )
    )


def revoke(session: Session, key_id: int) -> ApiKey:
    """Revoke a key; revoking twice keeps the first revocation time."""
    record = session.get(ApiKey, key_id)
    if record is None:
        raise NotFound(f"no API key with id {key_id}", field="key_id")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    return record
