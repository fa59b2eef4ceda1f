"""importCustomersFromCSV's engine: companies and people from a people-granularity CSV."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.csv import CsvFileError, import_people
from cardfile.store import changes, companies
from cardfile.store.db import transaction
from cardfile.store.schema import Company, Person
from tests.conftest import Tenant, make_tenant
from tests.ingest.csv.conftest import SEED_CSV, run_import


def test_the_seed_example(sessions: sessionmaker[Session], tenant: Tenant) -> None:
    report = run_import(sessions, tenant.workspace_id, SEED_CSV.encode())
    assert (report.companies_created, report.people_created, report.refused_rows) == (3, 4, 0)
    with sessions() as session:
        acme = companies.match(session, tenant.workspace_id, ids={"custom_id": "acme-001"})
        assert acme is not None
        assert (acme.name, acme.hubspot_id, acme.salesforce_id, acme.attio_id) == (
            "Acme",
            "hubspot_789",
            "sf_001",
            "a123",
        )
        people = {p.email: p for p in session.scalars(select(Person))}
        assert set(people) == {
            "john@email.com",
            "jame@email.com",
            "bruce@wayne.com",
            "main@airbnb.com",
        }
        assert people["jame@email.com"].company_id == acme.id
        assert people["main@airbnb.com"].name == "Main contact"


def test_reimporting_changes_nothing(sessions: sessionmaker[Session], tenant: Tenant) -> None:
    run_import(sessions, tenant.workspace_id, SEED_CSV.encode())
    with sessions() as session:
        before = changes.current(session)
    again = run_import(sessions, tenant.workspace_id, SEED_CSV.encode())
    assert (again.companies_created, again.companies_updated, again.companies_unchanged) == (
        0,
        0,
        3,
    )
    assert (again.people_created, again.people_updated, again.people_unchanged) == (0, 0, 4)
    with sessions() as session:
        assert changes.current(session) == before
        assert session.scalar(select(func.count()).select_from(Company)) == 3


def test_bad_rows_are_refused_and_the_rest_applied(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    data = (
        b"companyName,name,email,customId\n"
        b"Acme,John,john@acme.com,acme\n"
        b",Nobody,nobody@x.com,\n"
        b"Acme,Bad Email,not-an-email,acme\n"
        b"Globex,,hank@globex.com,globex\n"
        b"Globex,Hank,hank@globex.com,globex\n"
    )
    report = run_import(sessions, tenant.workspace_id, data)
    assert report.rows == 5
    assert report.rows_applied == 2
    assert report.refused_rows == 3
    refused = {(r.row, r.column) for r in report.refusals}
    assert refused == {(3, "companyName"), (4, "email"), (5, "name")}
    assert all(r.reason for r in report.refusals)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 2


def test_an_id_owned_by_another_company_refuses_the_row(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    header = b"companyName,name,email,customId,hubspotId\n"
    run_import(sessions, tenant.workspace_id, header + b"A,a,a@a.com,a,h1\nC,c,c@c.com,c,h2\n")
    report = run_import(sessions, tenant.workspace_id, header + b"A,a,a@a.com,a,h2\n")
    assert report.refused_rows == 1
    (refusal,) = report.refusals
    assert (refusal.row, refusal.column) == (2, "hubspotId")
    assert "'h2' already belongs to another company" in refusal.reason


def test_a_row_describing_two_companies_is_refused(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    header = b"companyName,name,email,customId,hubspotId\n"
    run_import(sessions, tenant.workspace_id, header + b"A,a,a@a.com,a,h1\n")
    report = run_import(sessions, tenant.workspace_id, header + b"B,b,b@b.com,b,h1\n")
    assert report.refused_rows == 1
    (refusal,) = report.refusals
    assert (refusal.row, refusal.column) == (2, "customId")
    assert "contradicts the company matched by hubspotId 'h1'" in refusal.reason
    with sessions() as session:
        company = companies.match(session, tenant.workspace_id, ids={"hubspot_id": "h1"})
        assert company is not None and company.custom_id == "a"


def test_companies_match_by_id_before_name_and_same_names_with_other_ids_stay_apart(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    run_import(
        sessions, tenant.workspace_id, b"companyName,name,email,customId\nAcme,a,a@a.com,acme-fr\n"
    )
    # Renamed, matched by customId: the same company.
    run_import(
        sessions,
        tenant.workspace_id,
        b"companyName,name,email,customId\nAcme SAS,b,b@a.com,acme-fr\n",
    )
    # Same name as no company now, new id: a new company.
    run_import(
        sessions,
        tenant.workspace_id,
        b"companyName,name,email,customId\nAcme SAS,c,c@a.com,acme-us\n",
    )
    # A name-only row joins the first company of that name whose ids do not contradict it.
    run_import(sessions, tenant.workspace_id, b"companyName,name,email\nAcme SAS,d,d@a.com\n")
    with sessions() as session:
        rows = session.execute(select(Company.name, Company.custom_id).order_by(Company.id)).all()
        assert rows == [("Acme SAS", "acme-fr"), ("Acme SAS", "acme-us")]
        assert session.scalar(select(func.count()).select_from(Person)) == 4


def test_a_person_moves_with_their_latest_row(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    data = b"companyName,name,email\nA,Jo,jo@x.com\nB,Jo Smith,JO@x.com\n"
    report = run_import(sessions, tenant.workspace_id, data)
    assert report.people_created == 1
    with sessions() as session:
        (person,) = session.scalars(select(Person))
        company = session.get(Company, person.company_id)
        assert company is not None
        assert (person.name, company.name) == ("Jo Smith", "B")


def test_missing_required_columns_refuse_the_file(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    with pytest.raises(CsvFileError, match="email"):
        run_import(sessions, tenant.workspace_id, b"companyName,name\nA,b\n")


def test_a_file_broken_half_way_changes_nothing(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    rows = "".join(f"C{i},P{i},p{i}@x.com\n" for i in range(5000)).encode()
    data = b"companyName,name,email\n" + rows + b"Bad,\xff\xfe,bad@x.com\n"
    with pytest.raises(CsvFileError, match="not UTF-8"):
        run_import(sessions, tenant.workspace_id, data)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Company)) == 0


def test_unknown_columns_are_reported_as_ignored(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    report = run_import(
        sessions, tenant.workspace_id, b"companyName,name,email,plan\nA,b,b@a.com,pro\n"
    )
    assert report.ignored_columns == ["plan"]
    assert report.rows_applied == 1


def test_workspaces_are_kept_apart(sessions: sessionmaker[Session], tenant: Tenant) -> None:
    other = make_tenant(sessions, "other")
    run_import(sessions, tenant.workspace_id, SEED_CSV.encode())
    report = run_import(sessions, other.workspace_id, SEED_CSV.encode())
    assert (report.companies_created, report.people_created) == (3, 4)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Company)) == 6


def test_rows_spanning_chunks_count_each_company_once(
    sessions: sessionmaker[Session], tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cardfile.ingest.csv.people_import.CHUNK", 3)
    data = b"companyName,name,email,customId\n" + b"".join(
        f"Acme,P{i},p{i}@acme.com,acme\n".encode() for i in range(7)
    )
    report = run_import(sessions, tenant.workspace_id, data)
    assert (report.companies_created, report.companies_updated, report.companies_unchanged) == (
        1,
        0,
        0,
    )
    assert report.people_created == 7


def test_an_email_repeated_in_a_later_chunk_updates_the_same_person(
    sessions: sessionmaker[Session], tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fresh workspace skips email lookups; the repeat trips the unique index, and the
    # chunk is redone carefully.
    monkeypatch.setattr("cardfile.ingest.csv.people_import.CHUNK", 2)
    data = b"companyName,name,email\nA,Jo,jo@x.com\nA,Al,al@x.com\nB,Jo B,jo@x.com\n"
    report = run_import(sessions, tenant.workspace_id, data)
    assert (report.people_created, report.people_updated, report.rows_applied) == (2, 1, 3)
    with sessions() as session:
        (jo,) = session.scalars(select(Person).where(Person.email == "jo@x.com"))
        company = session.get(Company, jo.company_id)
        assert company is not None
        assert (jo.name, company.name) == ("Jo B", "B")


def test_a_weaker_id_owned_elsewhere_is_refused_across_chunks(
    sessions: sessionmaker[Session], tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The optimistic pass looks up only customId and would create B with hubspotId h1; the
    # unique index refuses that, and the careful pass finds A by h1 and reports the clash.
    monkeypatch.setattr("cardfile.ingest.csv.people_import.CHUNK", 1)
    data = (
        b"companyName,name,email,customId,hubspotId\n"
        b"A,a,a@a.com,a,h1\n"
        b"B,b,b@b.com,b,h1\n"
        b"C,c,c@c.com,c,h3\n"
    )
    report = run_import(sessions, tenant.workspace_id, data)
    assert report.rows_applied == 2
    (refusal,) = report.refusals
    assert (refusal.row, refusal.column) == (3, "customId")
    assert "contradicts the company matched by hubspotId 'h1'" in refusal.reason
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Company)) == 2


def test_imported_timestamps_read_back_like_any_other(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    # The bulk path once handed SQLite raw datetimes ("…+00:00") where the ORM stores its own
    # format; comparing the two kinds then raised TypeError.
    with transaction(sessions) as session:
        companies.create(session, tenant.workspace_id, {"name": "Made by hand"})
    run_import(sessions, tenant.workspace_id, b"companyName,name,email\nImported,a,a@a.com\n")
    with sessions() as session:
        made, imported = session.scalars(select(Company).order_by(Company.id)).all()
        assert made.created_at <= imported.created_at
        assert type(made.created_at) is type(imported.created_at)
        stamps = session.execute(select(Company.updated_at).order_by(Company.id)).scalars().all()
        assert stamps[0] <= stamps[1]


def test_every_refusal_reaches_the_listener_and_the_report_keeps_a_thousand(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    data = b"companyName,name,email\n" + b"".join(b"Acme,P,not-an-email\n" for _ in range(1500))
    heard: list[object] = []
    with transaction(sessions) as session:
        report = import_people(
            session, tenant.workspace_id, io.BytesIO(data), on_refusal=heard.append
        )
    assert report.refused_rows == 1500
    assert len(heard) == 1500
    assert len(report.refusals) == 1000
    assert report.as_dict()["refusedTruncated"] is True


def test_a_company_named_again_later_in_a_fresh_workspace_is_not_duplicated(
    sessions: sessionmaker[Session], tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workspace starts empty, so lookups skip the values the import has not written;
    # names have no unique index to catch a wrong skip, so this must find the first Acme.
    monkeypatch.setattr("cardfile.ingest.csv.people_import.CHUNK", 1)
    data = (
        b"companyName,name,email,customId\n"
        b"Acme,a,a@acme.com,\n"
        b"Globex,g,g@globex.com,globex\n"
        b"Acme,b,b@acme.com,\n"
        b"Initech,i,i@initech.com,initech\n"
        b"Globex Corp,h,h@globex.com,globex\n"
    )
    report = run_import(sessions, tenant.workspace_id, data)
    assert (report.companies_created, report.rows_applied) == (3, 5)
    with sessions() as session:
        names = session.scalars(select(Company.name).order_by(Company.id)).all()
        assert names == ["Acme", "Globex Corp", "Initech"]
        acme_people = session.scalars(
            select(Person.email).join(Company).where(Company.name == "Acme")
        ).all()
        assert sorted(acme_people) == ["a@acme.com", "b@acme.com"]


def test_chunks_end_between_companies(monkeypatch: pytest.MonkeyPatch) -> None:
    from cardfile.ingest.csv import people_import
    from cardfile.ingest.csv.people_rows import locate_columns
    from cardfile.ingest.csv.reader import CsvSource
    from cardfile.ingest.csv.report import CsvReport

    monkeypatch.setattr(people_import, "CHUNK", 2)
    data = b"companyName,name,email\n" + b"".join(
        f"{company},p{i},p{i}@x.com\n".encode() for i, company in enumerate("AAABCCCCCCD")
    )
    source = CsvSource(io.BytesIO(data))
    report = CsvReport()
    columns = locate_columns(source.header, report)
    batches = [
        "".join(row.company_name for row in batch)
        for batch in people_import._batches(source, columns, report)
    ]
    # A chunk runs on to the end of its company, up to twice the chunk size.
    assert batches == ["AAA", "BCCC", "CCC", "D"]
    assert report.rows == 11


def test_a_file_broken_while_a_chunk_is_in_flight_changes_nothing(
    sessions: sessionmaker[Session], tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cardfile.ingest.csv.people_import.CHUNK", 10)
    rows = "".join(f"C{i},P{i},p{i}@x.com\n" for i in range(25)).encode()
    data = b"companyName,name,email\n" + rows + b"Bad,\xff\xfe,bad@x.com\n"
    with pytest.raises(CsvFileError, match="not UTF-8"):
        run_import(sessions, tenant.workspace_id, data)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Company)) == 0
        assert session.scalar(select(func.count()).select_from(Person)) == 0
    # The session and its connection are whole again: the next import goes through.
    report = run_import(sessions, tenant.workspace_id, b"companyName,name,email\n" + rows)
    assert report.people_created == 25
