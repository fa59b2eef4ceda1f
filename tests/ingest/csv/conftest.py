"""Helpers for the CSV tests: run an import or update on bytes, inside one transaction."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.csv import CsvReport, import_people, update_companies
from cardfile.store.db import transaction

SEED_CSV = (
    "companyName,name,email,customId,attioId,zendeskId,hubspotId,intercomId,pipedriveId,"
    "snowflakeId,salesforceId\n"
    "Acme,John Doe,john@email.com,acme-001,a123,zendesk_456,hubspot_789,int_001,pipe_999,"
    "sf_acme_1,sf_001\n"
    "Acme,Jane Doe,jame@email.com,acme-001,a123,zendesk_456,hubspot_789,int_001,pipe_999,"
    "sf_acme_1,sf_001\n"
    "Wayne Enterprises,Bruce Wayne,bruce@wayne.com,wayne-001,a555,zendesk_789,hubspot_321,"
    "int_003,pipe_777,sf_wayne_1,sf_003\n"
    "Airbnb,Main contact,main@airbnb.com,airbnb-001,a777,zendesk_000,hubspot_000,int_004,"
    "pipe_666,sf_airbnb_1,sf_004\n"
)


def run_import(sessions: sessionmaker[Session], workspace_id: int, data: bytes) -> CsvReport:
    """Import ``data`` and commit."""
    with transaction(sessions) as session:
        return import_people(session, workspace_id, io.BytesIO(data))


def run_update(
    sessions: sessionmaker[Session], workspace_id: int, data: bytes, identifier: str | None = None
) -> CsvReport:
    """Bulk-update from ``data`` and commit."""
    with transaction(sessions) as session:
        return update_companies(session, workspace_id, io.BytesIO(data), identifier=identifier)
