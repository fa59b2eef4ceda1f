"""store.bulk: writes that finish behind the caller, and their failures."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import bulk
from cardfile.store.db import transaction
from cardfile.store.schema import Company, table_of, utcnow
from tests.conftest import Tenant

COMPANIES = table_of(Company)
COLUMNS = ("workspace_id", "name", "custom_id", "change_seq", "created_at", "updated_at")


def _rows(session: Session, tenant: Tenant, *custom_ids: str) -> bulk.Rows:
    now = bulk.bound(session, COMPANIES, "updated_at", utcnow())
    return bulk.Rows(
        COMPANIES,
        COLUMNS,
        [(tenant.workspace_id, f"C {c}", c, 1, now, now) for c in custom_ids],
    )


def test_rows_inserted_behind_are_there_once_waited_for(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with transaction(sessions) as session:
        pending = bulk.insert_behind(session, [_rows(session, tenant, "a", "b")])
        pending.wait()
        assert session.scalar(select(func.count()).select_from(Company)) == 2
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Company)) == 2


def test_a_refused_write_behind_raises_the_drivers_error_on_wait(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with transaction(sessions) as session:
        dbapi = session.get_bind().dialect.loaded_dbapi
        savepoint = session.begin_nested()
        with pytest.raises(dbapi.IntegrityError):
            bulk.insert_behind(session, [_rows(session, tenant, "same", "same")]).wait()
        savepoint.rollback()
        # The transaction is usable again after the savepoint's rollback.
        bulk.insert_behind(session, [_rows(session, tenant, "other")]).wait()
    with sessions() as session:
        assert session.scalars(select(Company.custom_id)).all() == ["other"]


def test_nothing_to_insert_is_already_done(sessions: sessionmaker[Session], tenant: Tenant) -> None:
    with transaction(sessions) as session:
        bulk.insert_behind(session, [_rows(session, tenant)]).wait()
        assert session.scalar(select(func.count()).select_from(Company)) == 0
