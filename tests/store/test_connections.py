"""Stored connections: credentials sealed, names unique per workspace, workspaces apart."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import connections
from cardfile.store.db import transaction
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.schema import Connection
from cardfile.store.vault import Vault
from tests.conftest import Tenant, make_tenant

VAULT = Vault("test secret key")
TOKEN = "pat-na1-11112222-3333"


def _add(sessions: sessionmaker[Session], tenant: Tenant, **extra: object) -> None:
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials={"token": TOKEN},
            **extra,  # type: ignore[arg-type]
        )


def test_a_connection_keeps_its_token_sealed(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _add(sessions, tenant, base_url="http://127.0.0.1:9/", settings={"requests_per_10s": "100"})
    with sessions() as session:
        (stored,) = connections.list_for(session, tenant.workspace_id)
        raw = session.scalar(select(Connection.credentials))
    assert (stored.name, stored.provider, stored.status) == ("hubspot", "hubspot", "unchecked")
    assert stored.base_url == "http://127.0.0.1:9"
    assert stored.settings == {"requests_per_10s": "100"}
    assert raw is not None and TOKEN not in raw
    assert TOKEN not in repr(stored)
    assert stored.credentials(VAULT) == {"token": TOKEN}


def test_names_are_unique_per_workspace_and_checked(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _add(sessions, tenant)
    with pytest.raises(Conflict, match="already has a connection named 'hubspot'"):
        _add(sessions, tenant)
    _add(sessions, tenant, name="hubspot-eu")
    with pytest.raises(Invalid, match="not a usable connection name"):
        _add(sessions, tenant, name="Has Spaces")
    other = make_tenant(sessions, "globex")
    _add(sessions, other)  # the same name in another workspace is another connection


def test_no_call_reaches_another_workspaces_connection(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    other = make_tenant(sessions, "globex")
    _add(sessions, other)
    with sessions() as session:
        assert connections.list_for(session, tenant.workspace_id) == []
        with pytest.raises(NotFound):
            connections.get(session, tenant.workspace_id, "hubspot")
    with transaction(sessions) as session, pytest.raises(NotFound):
        connections.record_check(
            session, tenant.workspace_id, "hubspot", healthy=False, message="x"
        )
    with transaction(sessions) as session, pytest.raises(NotFound):
        connections.remove(session, tenant.workspace_id, "hubspot")
    with sessions() as session:
        assert connections.get(session, other.workspace_id, "hubspot").status == "unchecked"


def test_a_check_is_recorded_and_credentials_can_be_replaced(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _add(sessions, tenant)
    with transaction(sessions) as session:
        connections.record_check(
            session, tenant.workspace_id, "hubspot", healthy=False, message="token revoked"
        )
        connections.replace_credentials(
            session, VAULT, tenant.workspace_id, "hubspot", {"token": "new-token-1234"}
        )
    with sessions() as session:
        stored = connections.get(session, tenant.workspace_id, "hubspot")
    assert (stored.status, stored.status_message) == ("broken", "token revoked")
    assert stored.checked_at is not None
    assert stored.credentials(VAULT) == {"token": "new-token-1234"}


def test_removing_a_connection_forgets_it(sessions: sessionmaker[Session], tenant: Tenant) -> None:
    _add(sessions, tenant)
    with transaction(sessions) as session:
        connections.remove(session, tenant.workspace_id, "hubspot")
    with sessions() as session:
        assert connections.list_for(session, tenant.workspace_id) == []
