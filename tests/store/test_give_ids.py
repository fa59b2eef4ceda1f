"""Vendor ids given to many companies at once: only where the column is empty, never an id
another company holds, each company changed with a fresh change number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import companies
from cardfile.store.db import transaction
from cardfile.store.schema import Company
from tests.conftest import Tenant


def test_ids_go_where_empty_and_never_twice(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with transaction(sessions) as session:
        made = [
            companies.create(session, tenant.workspace_id, {"name": f"Co {n}"}) for n in range(4)
        ]
        companies.update(session, made[1], {"hubspot_id": "already"})
        companies.update(session, made[3], {"hubspot_id": "taken"})
        before = {c.id: c.change_seq for c in made}
        given = companies.give_ids(
            session,
            tenant.workspace_id,
            "hubspot_id",
            {made[0].id: "h0", made[1].id: "h1", made[2].id: "taken"},
        )
    assert given == [made[0].id]
    with sessions() as session:
        found = {c.id: c for c in session.scalars(select(Company))}
    assert [found[c.id].hubspot_id for c in made] == ["h0", "already", None, "taken"]
    assert found[made[0].id].change_seq > max(before.values())
    assert found[made[2].id].change_seq == before[made[2].id]
