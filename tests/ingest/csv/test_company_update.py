"""updateCompanyAttributeValuesFromCSV's engine: values by identifier column, per-row refusals."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.csv import CsvFileError
from cardfile.store import attributes, changes, companies
from cardfile.store.db import transaction
from cardfile.types import AttributeType
from tests.conftest import Tenant
from tests.ingest.csv.conftest import SEED_CSV, run_import, run_update


@pytest.fixture
def seeded(sessions: sessionmaker[Session], tenant: Tenant) -> dict[str, int]:
    run_import(sessions, tenant.workspace_id, SEED_CSV.encode())
    made = {}
    with transaction(sessions) as session:
        for name, kind, options in [
            ("country", AttributeType.TEXT, ()),
            ("leadStatus", AttributeType.SELECT, ("Open", "Closed")),
            ("seats", AttributeType.NUMBER, ()),
            ("paying", AttributeType.CHECKBOX, ()),
        ]:
            made[name] = attributes.create_definition(
                session,
                workspace_id=tenant.workspace_id,
                entity=attributes.COMPANY,
                name=name,
                type=kind,
                options=options,
            ).id
    return made


def values(sessions: sessionmaker[Session], tenant: Tenant, custom_id: str) -> dict[int, object]:
    with sessions() as session:
        company = companies.match(session, tenant.workspace_id, ids={"custom_id": custom_id})
        assert company is not None
        held = attributes.values_of(session, attributes.COMPANY, [company.id])
        return {definition: value for _, definition, value in held[company.id]}


def test_the_seed_layout_updates_values(
    sessions: sessionmaker[Session], tenant: Tenant, seeded: dict[str, int]
) -> None:
    data = (
        b"companyName,customId,hubspotId,arr,numberOfEmployees,country,leadStatus,seats,paying\n"
        b"Acme,acme-001,hubspot_789,250000,50,France,Closed,12,yes\n"
        b"Wayne Enterprises,wayne-001,hubspot_321,,,USA,Open,,false\n"
    )
    report = run_update(sessions, tenant.workspace_id, data)
    assert (report.rows_applied, report.refused_rows, report.companies_updated) == (2, 0, 2)
    acme = values(sessions, tenant, "acme-001")
    assert acme[seeded["country"]] == "France"
    assert acme[seeded["seats"]] == 12.0
    assert acme[seeded["paying"]] is True
    with sessions() as session:
        company = companies.match(session, tenant.workspace_id, ids={"custom_id": "acme-001"})
        assert company is not None
        assert (company.arr, company.number_of_employees) == (250000.0, 50)
    wayne = values(sessions, tenant, "wayne-001")
    assert seeded["seats"] not in wayne  # an empty cell leaves the attribute unset


def test_running_the_same_file_twice_changes_nothing(
    sessions: sessionmaker[Session], tenant: Tenant, seeded: dict[str, int]
) -> None:
    data = b"customId,country,leadStatus\nacme-001,France,Open\n"
    run_update(sessions, tenant.workspace_id, data)
    with sessions() as session:
        before = changes.current(session)
    again = run_update(sessions, tenant.workspace_id, data)
    assert (again.companies_updated, again.companies_unchanged) == (0, 1)
    with sessions() as session:
        assert changes.current(session) == before


def test_an_empty_cell_unsets(
    sessions: sessionmaker[Session], tenant: Tenant, seeded: dict[str, int]
) -> None:
    run_update(sessions, tenant.workspace_id, b"customId,country\nacme-001,France\n")
    report = run_update(sessions, tenant.workspace_id, b"customId,country\nacme-001,\n")
    assert report.values_unset == 1
    assert seeded["country"] not in values(sessions, tenant, "acme-001")


def test_bad_values_and_unmatched_rows_are_reported_per_row(
    sessions: sessionmaker[Session], tenant: Tenant, seeded: dict[str, int]
) -> None:
    data = (
        b"customId,seats,leadStatus,country\n"
        b"acme-001,lots,Open,France\n"  # bad number: whole row refused
        b"nobody,1,Open,Chile\n"  # no such company
        b"wayne-001,3,Maybe,USA\n"  # not an option
        b"airbnb-001,4,Closed,Ireland\n"  # fine
    )
    report = run_update(sessions, tenant.workspace_id, data)
    assert report.rows_applied == 1
    assert report.refused_rows == 3
    refused = {(r.row, r.column): r.reason for r in report.refusals}
    assert set(refused) == {(2, "seats"), (3, "customId"), (4, "leadStatus")}
    assert "lots" in refused[(2, "seats")]
    assert "nobody" in refused[(3, "customId")]
    assert "Maybe" in refused[(4, "leadStatus")]
    assert seeded["country"] not in values(sessions, tenant, "acme-001")
    assert values(sessions, tenant, "airbnb-001")[seeded["country"]] == "Ireland"


def test_unknown_headers_refuse_the_file_naming_them(
    sessions: sessionmaker[Session], tenant: Tenant, seeded: dict[str, int]
) -> None:
    with pytest.raises(CsvFileError, match=r"'Country'.*'plan'"):
        run_update(sessions, tenant.workspace_id, b"customId,Country,plan\nacme-001,x,y\n")


def test_without_an_identifier_column_the_file_is_refused(
    sessions: sessionmaker[Session], tenant: Tenant, seeded: dict[str, int]
) -> None:
    with pytest.raises(CsvFileError, match="no identifier column"):
        run_update(sessions, tenant.workspace_id, b"country\nFrance\n")


def test_identity_order_and_an_explicit_identifier(
    sessions: sessionmaker[Session], tenant: Tenant, seeded: dict[str, int]
) -> None:
    # Default: customId is tried before companyName, so a wrong name does not matter...
    report = run_update(
        sessions, tenant.workspace_id, b"companyName,customId,country\nNope,acme-001,A\n"
    )
    assert report.rows_applied == 1
    # ...and companyName is the new name of the company.
    with sessions() as session:
        company = companies.match(session, tenant.workspace_id, ids={"custom_id": "acme-001"})
        assert company is not None and company.name == "Nope"
    # Naming the identifier makes only that column match.
    report = run_update(
        sessions,
        tenant.workspace_id,
        b"companyName,customId,country\nNope,acme-001,B\n",
        identifier="companyName",
    )
    assert report.rows_applied == 1
    report = run_update(
        sessions,
        tenant.workspace_id,
        b"companyName,hubspotId,country\nAcme,hubspot_789,C\n",
        identifier="companyName",
    )
    assert report.refused_rows == 1
    assert "no company matches companyName 'Acme'" in report.refusals[0].reason
    with pytest.raises(CsvFileError, match="not in the file"):
        run_update(
            sessions, tenant.workspace_id, b"customId,country\nacme-001,A\n", identifier="hubspotId"
        )


def test_a_name_shared_by_two_companies_is_ambiguous(
    sessions: sessionmaker[Session], tenant: Tenant, seeded: dict[str, int]
) -> None:
    run_import(
        sessions, tenant.workspace_id, b"companyName,name,email,customId\nAcme,x,x@x.com,acme-002\n"
    )
    report = run_update(sessions, tenant.workspace_id, b"companyName,country\nAcme,France\n")
    assert report.refused_rows == 1
    assert "2 companies are named 'Acme'" in report.refusals[0].reason
