"""API keys are stored hashed, shown once, scoped to a workspace and revocable."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import api_keys, workspaces
from cardfile.store.db import transaction
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.schema import ApiKey


def test_only_a_hash_is_stored_and_revocation_sticks(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        workspace = workspaces.create(session, name="Acme", slug="acme")
        issued = api_keys.create(session, workspace_id=workspace.id, name="cron")
    with sessions() as session:
        stored = session.scalars(select(ApiKey)).one()
        assert issued.secret not in (stored.key_hash, stored.prefix)
        assert len(stored.key_hash) == 64
        found = api_keys.authenticate(session, issued.secret)
        assert found is not None and found.workspace_id == workspace.id
        assert api_keys.authenticate(session, issued.secret + "x") is None
    with transaction(sessions) as session:
        first = api_keys.revoke(session, issued.record.id).revoked_at
        assert api_keys.revoke(session, issued.record.id).revoked_at == first
    with sessions() as session:
        assert api_keys.authenticate(session, issued.secret) is None
    with pytest.raises(NotFound), transaction(sessions) as session:
        api_keys.revoke(session, 999_999)


def test_workspace_slugs_are_checked_and_unique(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        workspaces.create(session, name="Acme", slug="acme")
    with pytest.raises(Conflict), transaction(sessions) as session:
        workspaces.create(session, name="Acme 2", slug="acme")
    with pytest.raises(Invalid, match="not a valid slug"), transaction(sessions) as session:
        workspaces.create(session, name="Bad", slug="Not A Slug")
