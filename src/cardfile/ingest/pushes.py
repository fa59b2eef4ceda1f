"""Records pushed to a CRM, written to the hub as well, so the hub stays the whole picture.

A pushed contact becomes (or updates) the hub person with its email; a pushed company the hub
company matched by the vendor's id, else its domain, else its name, and it keeps the vendor's
id (``hubspotId``, ``attioId``…: vendor ids belong to companies). A company found by domain or
name that already holds another id of that vendor is another company there (vendors allow two
companies with one domain), so a new hub company is made rather than its id overwritten. Each
record is written in a
savepoint of its own: one the hub refuses (an id another company holds) is reported, and the
others are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from cardfile.store import companies, people
from cardfile.store.errors import StoreError
from cardfile.store.schema import EXTERNAL_ID_COLUMNS


@dataclass(frozen=True)
class Pushed:
    """One record a vendor accepted, as the hub sees it."""

    email: str | None = None
    name: str | None = None
    domain: str | None = None
    vendor_id: str | None = None


@dataclass
class HubOutcome:
    """What the pushed records did to the hub."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (record, reason)


def vendor_column(provider: str) -> str | None:
    """The company column holding ``provider``'s record ids (None for a vendor without one)."""
    return EXTERNAL_ID_COLUMNS.get(f"{provider}Id")


def record_people(session: Session, workspace_id: int, pushed: Sequence[Pushed]) -> HubOutcome:
    """Create or update the hub person of each pushed contact that carries an email."""
    outcome = HubOutcome()
    for record in pushed:
        if not record.email:
            outcome.errors.append((record.name or "?", "no email to match a hub person by"))
            continue
        try:
            with session.begin_nested():
                person = people.match(session, workspace_id, email=record.email)
                values = {"name": record.name} if record.name else {}
                if person is None:
                    people.create(session, workspace_id, {"email": record.email, **values})
                    outcome.created += 1
                    continue
                before = person.change_seq
                people.update(session, person, values)
                if person.change_seq != before:
                    outcome.updated += 1
                else:
                    outcome.unchanged += 1
        except StoreError as error:
            outcome.errors.append((record.email, error.message))
    return outcome


def record_companies(
    session: Session, workspace_id: int, provider: str, pushed: Sequence[Pushed]
) -> HubOutcome:
    """Create or update the hub company of each pushed company, keeping the vendor's id."""
    outcome = HubOutcome()
    column = vendor_column(provider)
    for record in pushed:
        label = record.domain or record.name or record.vendor_id or "?"
        ids = {column: record.vendor_id} if column and record.vendor_id else {}
        try:
            with session.begin_nested():
                company = companies.match(
                    session, workspace_id, ids=ids, domain=record.domain, name=record.name
                )
                if company is not None and column and ids:
                    held = getattr(company, column)
                    if held and held != record.vendor_id:
                        company = None
                if company is None:
                    name = record.name or record.domain
                    if not name:
                        raise StoreError("no name or domain to create a hub company with")
                    values = {"name": name, "domain": record.domain, **ids}
                    companies.create(session, workspace_id, values)
                    outcome.created += 1
                    continue
                changes = dict(ids)
                if record.domain and not company.domain:
                    changes["domain"] = record.domain
                before = company.change_seq
                companies.update(session, company, changes)
                if company.change_seq != before:
                    outcome.updated += 1
                else:
                    outcome.unchanged += 1
        except StoreError as error:
            outcome.errors.append((label, error.message))
    return outcome
