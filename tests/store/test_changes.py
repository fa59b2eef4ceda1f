"""The global change sequence: every write of a company or person takes a new number."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import attributes, changes, companies, people
from cardfile.store.db import transaction
from cardfile.types import AttributeType
from tests.conftest import Tenant


def test_writes_bump_and_reads_list_what_changed(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with transaction(sessions) as session:
        acme = companies.create(session, tenant.workspace_id, {"name": "Acme"})
        globex = companies.create(session, tenant.workspace_id, {"name": "Globex"})
        jo = people.create(
            session, tenant.workspace_id, {"email": "Jo@Acme.com", "company_id": acme.id}
        )
        mark = changes.current(session)
    assert jo.email == "jo@acme.com"
    with transaction(sessions) as session:
        assert changes.companies_changed_since(session, tenant.workspace_id, mark) == []
        companies.update(session, session.get(type(acme), globex.id), {"domain": "globex.io"})
        companies.update(session, session.get(type(acme), acme.id), {"name": "Acme"})  # no change
        definition = attributes.create_definition(
            session,
            workspace_id=tenant.workspace_id,
            entity=attributes.COMPANY,
            name="Tier",
            type=AttributeType.TEXT,
        )
        attributes.set_values(session, attributes.COMPANY, [(acme.id, definition.id, "gold")])
        people.update(session, session.get(type(jo), jo.id), {"name": "Jo"})
    with sessions() as session:
        assert changes.companies_changed_since(session, tenant.workspace_id, mark) == [
            globex.id,
            acme.id,
        ]
        assert changes.people_changed_since(session, tenant.workspace_id, mark) == [jo.id]


def test_take_reserves_consecutive_numbers(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        first = changes.take(session, 5)
        assert changes.take(session) == first + 5
        with pytest.raises(ValueError, match="at least 1"):
            changes.take(session, 0)


def test_a_rolled_back_write_gives_its_numbers_back(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with sessions() as session:
        before = changes.current(session)
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        companies.create(session, tenant.workspace_id, {"name": "Ghost"})
        raise RuntimeError("crash before commit")
    with sessions() as session:
        assert changes.current(session) == before
