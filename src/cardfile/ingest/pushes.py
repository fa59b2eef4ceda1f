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
from typing import Any

from sqlalchemy.orm import Session

from cardfile.connectors.base import Identity
from cardfile.store import companies, people
from cardfile.store.errors import StoreError
from cardfile.store.schema import EXTERNAL_ID_COLUMNS, Person


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
    """Create or update the hub person of each pushed contact that carries an email.

    The people already stored are read in one query and the new ones written in one flush
    (a push may hold thousands); should that batch be refused, each is written alone so the
    refusal names its record.
    """
    outcome = HubOutcome()
    stored = people.by_emails(session, workspace_id, (r.email for r in pushed if r.email))
    fresh: dict[str, dict[str, Any]] = {}
    for record in pushed:
        email = people.normalise_email(record.email)
        if not email:
            outcome.errors.append((record.name or "?", "no email to match a hub person by"))
            continue
        values = {"name": record.name} if record.name else {}
        if email in fresh:  # the same contact twice in one push: the later one wins
            fresh[email].update(values)
            outcome.unchanged += 1
            continue
        person = stored.get(email)
        if person is None:
            fresh[email] = {"email": email, **values}
            continue
        _update_person(session, person, values, outcome)
    try:
        with session.begin_nested():
            people.create_new(session, workspace_id, list(fresh.values()))
        outcome.created += len(fresh)
    except StoreError:
        for values in fresh.values():
            _create_person(session, workspace_id, values, outcome)
    return outcome


def _update_person(
    session: Session, person: Person, values: dict[str, Any], outcome: HubOutcome
) -> None:
    try:
        with session.begin_nested():
            before = person.change_seq
            people.update(session, person, values)
    except StoreError as error:
        outcome.errors.append((person.email or "?", error.message))
        return
    if person.change_seq != before:
        outcome.updated += 1
    else:
        outcome.unchanged += 1


def _create_person(
    session: Session, workspace_id: int, values: dict[str, Any], outcome: HubOutcome
) -> None:
    try:
        with session.begin_nested():
            people.create(session, workspace_id, values)
        outcome.created += 1
    except StoreError as error:
        outcome.errors.append((str(values["email"]), error.message))


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


def record_accepted(
    session: Session,
    workspace_id: int,
    provider: str,
    entity_type: str,
    accepted: Sequence[tuple[Identity, str | None]],
) -> HubOutcome:
    """Write what a vendor accepted of a push to the hub: contacts as people, anything else
    as companies."""
    pushed = [Pushed(**vars(identity), vendor_id=vendor_id) for identity, vendor_id in accepted]
    if entity_type == "contacts":
        return record_people(session, workspace_id, pushed)
    return record_companies(session, workspace_id, provider, pushed)
