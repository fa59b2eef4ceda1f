"""Tracking sources and their write keys.

A source is where tracking events come from (a website, an app, a backend); its write keys are
what the Segment, RudderStack and Customer.io SDKs send. Like API keys, write keys are random
and kept only as their SHA-256 (see :mod:`cardfile.store.api_keys`). Every function takes the
workspace, so no call reaches another workspace's source.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardfile.store import named
from cardfile.store.api_keys import hash_secret
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.schema import Source, WriteKey, utcnow

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
KEY_PREFIX = "wk_"


@dataclass(frozen=True)
class IssuedWriteKey:
    """A newly created write key: ``secret`` is shown once and never stored."""

    record: WriteKey
    secret: str


@dataclass(frozen=True)
class KeyOwner:
    """What a live write key opens: one source of one workspace."""

    workspace_id: int
    source_id: int


def create(session: Session, *, workspace_id: int, name: str) -> Source:
    """A new source named ``name`` (lower case, digits, ``-`` and ``_``)."""
    if not _NAME.match(name):
        raise Invalid(
            f"source name {name!r} must be lower case letters, digits, '-' or '_'", field="name"
        )
    if by_name(session, workspace_id, name) is not None:
        raise Conflict(f"a source named {name!r} exists already", field="name")
    source = Source(workspace_id=workspace_id, name=name)
    session.add(source)
    session.flush()
    return source


def by_name(session: Session, workspace_id: int, name: str) -> Source | None:
    """The workspace's source called ``name``."""
    return named.by_name(session, Source, workspace_id, name)


def get(session: Session, workspace_id: int, ref: str | int) -> Source:
    """The workspace's source by id or name.

    Raises:
        NotFound: The workspace has no such source.
    """
    return named.by_id_or_name(session, Source, workspace_id, ref, "source")


def list_for(session: Session, workspace_id: int) -> list[Source]:
    """The workspace's sources, oldest first."""
    return list(
        session.scalars(
            select(Source).where(Source.workspace_id == workspace_id).order_by(Source.id)
        )
    )


def delete(session: Session, workspace_id: int, ref: str | int) -> None:
    """Remove a source with its write keys, events and destinations."""
    session.delete(get(session, workspace_id, ref))


def create_key(session: Session, source: Source, *, name: str = "") -> IssuedWriteKey:
    """Issue a new write key for ``source``."""
    secret = KEY_PREFIX + secrets.token_urlsafe(24)
    record = WriteKey(
        workspace_id=source.workspace_id,
        source_id=source.id,
        name=name,
        prefix=secret[:10],
        key_hash=hash_secret(secret),
    )
    session.add(record)
    session.flush()
    return IssuedWriteKey(record=record, secret=secret)


def keys_of(session: Session, source: Source) -> list[WriteKey]:
    """The source's write keys, revoked ones included, oldest first."""
    return list(
        session.scalars(
            select(WriteKey).where(WriteKey.source_id == source.id).order_by(WriteKey.id)
        )
    )


def revoke_key(session: Session, workspace_id: int, key_id: int) -> WriteKey:
    """Revoke a write key; revoking twice keeps the first revocation time."""
    record = session.get(WriteKey, key_id)
    if record is None or record.workspace_id != workspace_id:
        raise NotFound(f"no write key with id {key_id} in this workspace", field="key_id")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    return record


def owner_of(session: Session, secret: str) -> KeyOwner | None:
    """The source a live write key belongs to; None for an unknown or revoked key."""
    row = session.execute(
        select(WriteKey.workspace_id, WriteKey.source_id, WriteKey.revoked_at).where(
            WriteKey.key_hash == hash_secret(secret)
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return KeyOwner(workspace_id=row.workspace_id, source_id=row.source_id)
