"""Stored connections: credentials sealed, names unique per workspace, workspaces apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import connections
from cardfile.store.db import transaction
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.schema import Connection, Workspace
from cardfile.store.vault import Vault, VaultError
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
        connections.update_credentials(
            session, VAULT, tenant.workspace_id, "hubspot", {"token": "stolen-1234"}
        )
    with transaction(sessions) as session, pytest.raises(NotFound):
        connections.remove(session, tenant.workspace_id, "hubspot")
    with sessions() as session:
        kept = connections.get(session, other.workspace_id, "hubspot")
    assert kept.status == "unchecked"
    assert kept.credentials(VAULT) == {"token": TOKEN}


def test_a_check_is_recorded_and_a_credential_can_be_changed(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _add(sessions, tenant)
    with transaction(sessions) as session:
        connections.record_check(
            session, tenant.workspace_id, "hubspot", healthy=False, message="token revoked"
        )
        connections.update_credentials(
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


def test_a_healthy_check_is_recorded_with_the_vendors_words(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _add(sessions, tenant)
    with transaction(sessions) as session:
        checked = connections.record_check(
            session, tenant.workspace_id, "hubspot", healthy=True, message="HubSpot portal 42"
        )
    assert (checked.status, checked.status_message) == ("healthy", "HubSpot portal 42")
    with sessions() as session:
        (listed,) = connections.list_for(session, tenant.workspace_id)
    assert listed.checked_at is not None and listed.checked_at.utcoffset() == timedelta(0)
    assert listed.created_at.utcoffset() == timedelta(0)


def test_updating_credentials_keeps_the_entries_it_does_not_name(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    grant = {"access_token": "access-one-1234", "refresh_token": "refresh-one-1234"}
    client = {"client_id": "id", "client_secret": "client-secret-1234", "token_url": None}
    with transaction(sessions) as session:
        connections.add(
            session,
            VAULT,
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials={"oauth": grant, "oauth_client": client},
        )
    renewed = {"access_token": "access-two-1234", "refresh_token": "refresh-two-1234"}
    with transaction(sessions) as session:
        connections.update_credentials(
            session, VAULT, tenant.workspace_id, "hubspot", {"oauth": renewed}
        )
    with sessions() as session:
        stored = connections.get(session, tenant.workspace_id, "hubspot")
    assert stored.credentials(VAULT) == {"oauth": renewed, "oauth_client": client}


def test_a_connection_without_credentials_is_refused(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with transaction(sessions) as session, pytest.raises(Invalid, match="needs credentials"):
        connections.add(
            session, VAULT, workspace_id=tenant.workspace_id, provider="hubspot", credentials={}
        )


def test_credentials_stored_under_another_secret_key_are_a_clear_error(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _add(sessions, tenant)
    with sessions() as session:
        stored = connections.get(session, tenant.workspace_id, "hubspot")
    with pytest.raises(VaultError, match="CARDFILE_SECRET_KEY") as refused:
        stored.credentials(Vault("another secret key"))
    assert stored.sealed not in str(refused.value)
    assert TOKEN not in str(refused.value)


def test_removing_a_workspace_removes_its_connections(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    _add(sessions, tenant)
    other = make_tenant(sessions, "globex")
    _add(sessions, other)
    with transaction(sessions) as session:
        session.execute(delete(Workspace).where(Workspace.id == tenant.workspace_id))
    with sessions() as session:
        owners = list(session.scalars(select(Connection.workspace_id)))
    assert owners == [other.workspace_id]
