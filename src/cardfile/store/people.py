"""People (Cycle's "customers"): matched by email, then external user id."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from cardfile.store import changes
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.pages import Page, PageRequest, paginate
from cardfile.store.schema import Company, Person, PersonValue, Tombstone, utcnow

FIELDS = ("name", "email", "external_user_id", "company_id")


def normalise_email(email: str | None) -> str | None:
    """Emails are compared case-insensitively, so they are stored lowercased."""
    if email is None:
        return None
    cleaned = email.strip().lower()
    return cleaned or None


def get(session: Session, workspace_id: int, person_id: int) -> Person:
    """The workspace's person with this id, or ``NotFound``."""
    person = session.get(Person, person_id)
    if person is None or person.workspace_id != workspace_id:
        raise NotFound("customer not found", field="customerId")
    return person


def find(session: Session, workspace_id: int, person_id: int) -> Person | None:
    """The workspace's person with this id, or None."""
    person = session.get(Person, person_id)
    return person if person is not None and person.workspace_id == workspace_id else None


def match(
    session: Session, workspace_id: int, *, email: str | None, external_user_id: str | None = None
) -> Person | None:
    """The person with this email, else this external user id."""
    base = select(Person).where(Person.workspace_id == workspace_id)
    email = normalise_email(email)
    if email:
        found = session.scalar(base.where(Person.email == email))
        if found is not None:
            return found
    if external_user_id:
        return session.scalar(base.where(Person.external_user_id == external_user_id))
    return None


def _validate(session: Session, workspace_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise Invalid(f"unknown customer field(s): {', '.join(sorted(unknown))}")
    cleaned = dict(values)
    if "email" in cleaned:
        cleaned["email"] = normalise_email(cleaned["email"])
    if "name" in cleaned and isinstance(cleaned["name"], str):
        cleaned["name"] = cleaned["name"].strip() or None
    company_id = cleaned.get("company_id")
    if company_id is not None:
        owner = session.scalar(select(Company.workspace_id).where(Company.id == company_id))
        if owner != workspace_id:
            raise NotFound("company not found", field="companyId")
    return cleaned


def _check_unique(
    session: Session, workspace_id: int, values: Mapping[str, Any], except_id: int | None
) -> None:
    for column, label in (("email", "email"), ("external_user_id", "userId")):
        value = values.get(column)
        if not value:
            continue
        owner = session.scalar(
            select(Person.id).where(
                Person.workspace_id == workspace_id, getattr(Person, column) == value
            )
        )
        if owner is not None and owner != except_id:
            raise Conflict(f"a customer with {label} '{value}' already exists", field=label)


def create(session: Session, workspace_id: int, values: Mapping[str, Any]) -> Person:
    """Create a person; an email or an external user id is required."""
    cleaned = _validate(session, workspace_id, values)
    if not cleaned.get("email") and not cleaned.get("external_user_id"):
        raise Invalid("a customer needs an email", field="email")
    _check_unique(session, workspace_id, cleaned, None)
    person = Person(workspace_id=workspace_id, change_seq=changes.take(session), **cleaned)
    session.add(person)
    session.flush()
    return person


def by_emails(session: Session, workspace_id: int, emails: Iterable[str]) -> dict[str, Person]:
    """The workspace's people with these (normalised) emails, by email."""
    wanted = sorted({e for e in (normalise_email(x) for x in emails) if e})
    found: dict[str, Person] = {}
    for start in range(0, len(wanted), 1000):  # keeps under every driver's parameter limit
        part = wanted[start : start + 1000]
        query = select(Person).where(Person.workspace_id == workspace_id, Person.email.in_(part))
        found.update((p.email, p) for p in session.scalars(query) if p.email)
    return found


def create_new(
    session: Session, workspace_id: int, rows: Sequence[Mapping[str, Any]]
) -> list[Person]:
    """Create people the caller knows to be new (emails distinct and in no stored person:
    see :func:`by_emails`), in one flush and one take of change numbers."""
    cleaned = [_validate(session, workspace_id, values) for values in rows]
    if any(not c.get("email") for c in cleaned):
        raise Invalid("a customer needs an email", field="email")
    if not cleaned:
        return []
    first = changes.take(session, len(cleaned))
    made = [
        Person(workspace_id=workspace_id, change_seq=first + n, **values)
        for n, values in enumerate(cleaned)
    ]
    session.add_all(made)
    session.flush()
    return made


def update(session: Session, person: Person, values: Mapping[str, Any]) -> Person:
    """Apply changed fields; a write that changes nothing takes no change number."""
    cleaned = _validate(session, person.workspace_id, values)
    if "email" in cleaned and not cleaned["email"] and not person.external_user_id:
        raise Invalid("a customer needs an email", field="email")
    changed = {k: v for k, v in cleaned.items() if getattr(person, k) != v}
    if not changed:
        return person
    _check_unique(session, person.workspace_id, changed, person.id)
    for key, value in changed.items():
        setattr(person, key, value)
    person.change_seq = changes.take(session)
    person.updated_at = utcnow()
    session.flush()
    return person


def delete_person(session: Session, person: Person) -> None:
    """Delete a person, leaving a tombstone for syncs."""
    session.add(
        Tombstone(
            workspace_id=person.workspace_id,
            kind="person",
            record_id=person.id,
            identifiers=json.dumps({"email": person.email, "userId": person.external_user_id}),
            change_seq=changes.take(session),
        )
    )
    session.execute(delete(PersonValue).where(PersonValue.person_id == person.id))
    session.delete(person)
    session.flush()


def page(
    session: Session,
    workspace_id: int,
    search_text: str | None,
    request: PageRequest,
    *,
    company_id: int | None = None,
) -> Page[Person]:
    """One page of the workspace's people, optionally searched and narrowed to a company."""
    query = select(Person).where(Person.workspace_id == workspace_id)
    text = (search_text or "").strip()
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(func.lower(Person.name).like(pattern), func.lower(Person.email).like(pattern))
        )
    if company_id is not None:
        query = query.where(Person.company_id == company_id)
    return paginate(session, query, Person.id, request)
