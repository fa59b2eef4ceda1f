"""Pushed records written to the hub: matched, created, updated, refused one at a time."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.pushes import Pushed, record_companies, record_people, vendor_column
from cardfile.store import companies
from cardfile.store.db import transaction
from cardfile.store.schema import Company, Person
from tests.conftest import Tenant


def test_each_vendor_has_its_id_column() -> None:
    assert vendor_column("hubspot") == "hubspot_id"
    assert vendor_column("attio") == "attio_id"
    assert vendor_column("nocrm") is None


def test_people_are_matched_by_email_and_need_one(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with transaction(sessions) as session:
        first = record_people(
            session,
            tenant.workspace_id,
            [Pushed(email="A@x.com", name="Ann"), Pushed(name="No Email")],
        )
        second = record_people(
            session,
            tenant.workspace_id,
            [Pushed(email="a@x.com", name="Ann B"), Pushed(email="a@x.com", name="Ann B")],
        )
    assert (first.created, first.errors) == (1, [("No Email", "no email to match a hub person by")])
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_new_people_of_one_push_are_made_once_each_in_one_batch(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    pushed = [Pushed(email=f"p{n}@x.com", name=f"P{n}") for n in range(1500)]
    pushed.append(Pushed(email="P7@x.com", name="Seven"))  # again, in other case
    with transaction(sessions) as session:
        outcome = record_people(session, tenant.workspace_id, pushed)
    assert (outcome.created, outcome.unchanged, outcome.errors) == (1500, 1, [])
    with sessions() as session:
        seqs = session.scalars(select(Person.change_seq)).all()
        seven = session.scalar(select(Person).where(Person.email == "p7@x.com"))
    assert len(set(seqs)) == 1500  # each its own change number, so syncs see each
    assert seven is not None and seven.name == "Seven"


def test_vendor_ids_are_kept_never_overwritten_and_a_bad_record_refused_alone(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with transaction(sessions) as session:
        companies.create(session, tenant.workspace_id, {"name": "Held", "hubspot_id": "7"})
        companies.create(session, tenant.workspace_id, {"name": "Acme", "domain": "acme.com"})
        outcome = record_companies(
            session,
            tenant.workspace_id,
            "hubspot",
            [
                Pushed(name="Acme", domain="acme.com", vendor_id="7"),  # Held, by its id
                # Found by domain, but Held is HubSpot's 7: HubSpot's 8 is another company.
                Pushed(name="Other", domain="acme.com", vendor_id="8"),
                Pushed(name="Globex", domain="globex.com", vendor_id="9"),
                Pushed(domain="initech.com"),
            ],
        )
    assert (outcome.created, outcome.updated, outcome.errors) == (3, 1, [])
    with sessions() as session:
        held = companies.match(session, tenant.workspace_id, ids={"hubspot_id": "7"})
        other = companies.match(session, tenant.workspace_id, ids={"hubspot_id": "8"})
        assert held is not None and (held.name, held.domain) == ("Held", "acme.com")
        assert other is not None and (other.name, other.domain) == ("Other", "acme.com")
        assert session.scalar(select(func.count()).select_from(Company)) == 5
    with transaction(sessions) as session:
        clash = record_companies(
            session,
            tenant.workspace_id,
            "hubspot",
            [
                # HubSpot's 9 (Globex) now says its id is 10: the hub follows the id it
                # knows and refuses none; a new id on an unknown domain makes a company.
                Pushed(name="Globex", domain="globex.com", vendor_id="9"),
                Pushed(vendor_id="11"),  # nothing to name a hub company by
                Pushed(name="New", domain="new.com", vendor_id="10"),
            ],
        )
    assert (clash.created, clash.unchanged) == (1, 1)
    assert clash.errors == [("11", "no name or domain to create a hub company with")]
