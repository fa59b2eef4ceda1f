"""Companies: identity matching, writes that take a change number, search and deletion."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from cardfile.store import attributes, bulk, changes
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.pages import Page, PageRequest, paginate
from cardfile.store.schema import (
    EXTERNAL_ID_COLUMNS,
    Company,
    CompanyValue,
    Person,
    Tombstone,
    table_of,
    utcnow,
)

# Plain fields a write may set, by column name.
FIELDS = ("name", "domain", "arr", "number_of_employees", *EXTERNAL_ID_COLUMNS.values())
# The identity order of DESIGN.md: customId, then each vendor id.
IDENTITY_COLUMNS = tuple(EXTERNAL_ID_COLUMNS.values())


def _labels() -> dict[str, str]:
    return {column: label for label, column in EXTERNAL_ID_COLUMNS.items()}


def get(session: Session, workspace_id: int, company_id: int) -> Company:
    """The workspace's company with this id, or ``NotFound``."""
    company = session.get(Company, company_id)
    if company is None or company.workspace_id != workspace_id:
        raise NotFound("company not found", field="companyId")
    return company


def find(session: Session, workspace_id: int, company_id: int) -> Company | None:
    """The workspace's company with this id, or None."""
    company = session.get(Company, company_id)
    return company if company is not None and company.workspace_id == workspace_id else None


def match(
    session: Session,
    workspace_id: int,
    *,
    ids: Mapping[str, str | None] | None = None,
    domain: str | None = None,
    name: str | None = None,
) -> Company | None:
    """The company these identifiers point at, tried in DESIGN.md's identity order."""
    base = select(Company).where(Company.workspace_id == workspace_id)
    for column in IDENTITY_COLUMNS:
        value = (ids or {}).get(column)
        if value:
            found = session.scalar(base.where(getattr(Company, column) == value))
            if found is not None:
                return found
    if domain:
        found = session.scalar(base.where(Company.domain == domain).order_by(Company.id).limit(1))
        if found is not None:
            return found
    if name:
        return session.scalar(base.where(Company.name == name).order_by(Company.id).limit(1))
    return None


def check_unique_ids(
    session: Session, workspace_id: int, values: Mapping[str, Any], *, except_id: int | None
) -> None:
    """Refuse external ids that already belong to another company of the workspace."""
    labels = _labels()
    for column in IDENTITY_COLUMNS:
        value = values.get(column)
        if not value:
            continue
        owner = session.scalar(
            select(Company.id).where(
                Company.workspace_id == workspace_id, getattr(Company, column) == value
            )
        )
        if owner is not None and owner != except_id:
            raise Conflict(
                f"{labels[column]} '{value}' already belongs to another company",
                field=labels[column],
            )


def give_ids(session: Session, workspace_id: int, column: str, ids: Mapping[int, str]) -> list[int]:
    """Set ``column`` (a vendor id column) on many companies at once, each to its id, where
    it is empty and no other company of the workspace holds that id; the companies given an
    id, each with a fresh change number. A few statements for any number of companies."""
    if column not in IDENTITY_COLUMNS:
        raise ValueError(f"{column} is not an id column")
    if not ids:
        return []
    target = getattr(Company, column)
    held: set[str] = set()
    empty: set[int] = set()
    wanted = sorted(set(ids.values()))
    for start in range(0, len(wanted), 1000):
        part = wanted[start : start + 1000]
        held |= set(
            session.scalars(
                select(target).where(Company.workspace_id == workspace_id, target.in_(part))
            )
        )
    record_ids = sorted(ids)
    for start in range(0, len(record_ids), 1000):
        chosen = record_ids[start : start + 1000]
        empty |= set(
            session.scalars(
                select(Company.id).where(
                    Company.workspace_id == workspace_id, Company.id.in_(chosen), target.is_(None)
                )
            )
        )
    given: list[int] = []
    seen: set[str] = set()
    for record_id in record_ids:
        vendor_id = ids[record_id]
        if record_id in empty and vendor_id not in held and vendor_id not in seen:
            given.append(record_id)
            seen.add(vendor_id)
    if not given:
        return []
    first = changes.take(session, len(given))
    table = table_of(Company)
    now = bulk.bound(session, table, "updated_at", utcnow())
    bulk.update_rows(
        session,
        table,
        [column, "change_seq", "updated_at"],
        [(ids[r], first + n, now, r) for n, r in enumerate(given)],
    )
    return given


def _validate(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise Invalid(f"unknown company field(s): {', '.join(sorted(unknown))}")
    cleaned = dict(values)
    if "name" in cleaned:
        name = (cleaned["name"] or "").strip()
        if not name:
            raise Invalid("a company needs a name", field="name")
        cleaned["name"] = name
    for column in ("domain", *IDENTITY_COLUMNS):
        if column in cleaned and isinstance(cleaned[column], str):
            cleaned[column] = cleaned[column].strip() or None
    if cleaned.get("number_of_employees") is not None and cleaned["number_of_employees"] < 0:
        raise Invalid("numberOfEmployees cannot be negative", field="numberOfEmployees")
    return cleaned


def create(session: Session, workspace_id: int, values: Mapping[str, Any]) -> Company:
    """Create a company from ``FIELDS`` values; ``name`` is required."""
    cleaned = _validate(values)
    if "name" not in cleaned:
        raise Invalid("a company needs a name", field="name")
    check_unique_ids(session, workspace_id, cleaned, except_id=None)
    company = Company(workspace_id=workspace_id, change_seq=changes.take(session), **cleaned)
    session.add(company)
    session.flush()
    return company


def update(session: Session, company: Company, values: Mapping[str, Any]) -> Company:
    """Apply changed fields; a write that changes nothing takes no change number."""
    cleaned = _validate(values)
    changed = {k: v for k, v in cleaned.items() if getattr(company, k) != v}
    if not changed:
        return company
    check_unique_ids(session, company.workspace_id, changed, except_id=company.id)
    for key, value in changed.items():
        setattr(company, key, value)
    company.change_seq = changes.take(session)
    company.updated_at = utcnow()
    session.flush()
    return company


def identifiers(company: Company) -> dict[str, Any]:
    """The identifiers a sync needs to find the company's copy in a vendor."""
    found: dict[str, Any] = {"domain": company.domain, "name": company.name}
    for label, column in EXTERNAL_ID_COLUMNS.items():
        found[label] = getattr(company, column)
    return {k: v for k, v in found.items() if v}


def delete_company(session: Session, company: Company) -> None:
    """Delete a company and its people, leaving tombstones for syncs."""
    people = list(session.scalars(select(Person).where(Person.company_id == company.id)))
    first = changes.take(session, len(people) + 1)
    session.add(
        Tombstone(
            workspace_id=company.workspace_id,
            kind="company",
            record_id=company.id,
            identifiers=json.dumps(identifiers(company)),
            change_seq=first,
        )
    )
    for offset, person in enumerate(people, start=1):
        session.add(
            Tombstone(
                workspace_id=person.workspace_id,
                kind="person",
                record_id=person.id,
                identifiers=json.dumps({"email": person.email, "userId": person.external_user_id}),
                change_seq=first + offset,
            )
        )
    session.execute(delete(Person).where(Person.company_id == company.id))
    session.execute(delete(CompanyValue).where(CompanyValue.company_id == company.id))
    session.delete(company)
    session.flush()


@dataclass(frozen=True)
class CompanyFilter:
    """What a listing narrows to: a text search, exact ids, attribute values (None = unset)."""

    search_text: str | None = None
    ids: Mapping[str, str] = field(default_factory=dict)
    attributes: Sequence[tuple[int, object | None]] = ()


def _filtered(workspace_id: int, where: CompanyFilter) -> Select[Any]:
    query = select(Company).where(Company.workspace_id == workspace_id)
    searched = (where.search_text or "").strip()
    if searched:
        pattern = f"%{searched.lower()}%"
        query = query.where(
            or_(
                func.lower(Company.name).like(pattern),
                func.lower(Company.domain).like(pattern),
                *(getattr(Company, column) == searched for column in IDENTITY_COLUMNS),
            )
        )
    for column, value in where.ids.items():
        query = query.where(getattr(Company, column) == value)
    for definition_id, wanted in where.attributes:
        held = select(CompanyValue.company_id).where(CompanyValue.definition_id == definition_id)
        if wanted is None:
            query = query.where(Company.id.not_in(held))
        else:
            query = query.where(
                Company.id.in_(held.where(CompanyValue.value == attributes.encode_value(wanted)))
            )
    return query


def page(
    session: Session, workspace_id: int, where: CompanyFilter, request: PageRequest
) -> Page[Company]:
    """One page of the workspace's companies matching ``where``."""
    return paginate(session, _filtered(workspace_id, where), Company.id, request)


def people_of(session: Session, company_ids: Iterable[int]) -> dict[int, list[Person]]:
    """Each company's people, oldest first."""
    ids = list(company_ids)
    found: dict[int, list[Person]] = {i: [] for i in ids}
    if ids:
        for person in session.scalars(
            select(Person).where(Person.company_id.in_(ids)).order_by(Person.id)
        ):
            assert person.company_id is not None
            found[person.company_id].append(person)
    return found
