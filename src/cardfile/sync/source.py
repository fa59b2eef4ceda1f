"""The hub records a sync reads: companies or people, in id order, a chunk at a time, each
with its fields and its attribute values in a vendor-ready plain form (a select's title, not
its option id), so memory stays bounded however many records there are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardfile.store import attributes
from cardfile.store.schema import EXTERNAL_ID_COLUMNS, Company, Person, table_of
from cardfile.sync.spec import Condition, Source
from cardfile.types import AttributeType, TypeSpec

ENTITY = {"companies": attributes.COMPANY, "people": attributes.PERSON}


@dataclass(frozen=True)
class HubRecord:
    """One hub record as a sync sees it."""

    id: int
    fields: dict[str, Any]
    attributes: dict[str, Any]

    def value(self, source: Source) -> Any:
        """The value ``source`` names (None when unset)."""
        if source.is_constant:
            return source.constant
        if source.field is not None:
            return self.fields.get(source.field)
        return self.attributes.get(str(source.attribute))

    def meets(self, conditions: Sequence[Condition]) -> bool:
        """Whether the record meets every condition of a sync's filter."""
        return all(_meets(self.value(c.source), c) for c in conditions)


def _meets(value: Any, condition: Condition) -> bool:
    present = value not in (None, "", [])
    if condition.op == "exists":
        return present
    if condition.op == "missing":
        return not present
    if condition.op == "in":
        return _loose(value) in {_loose(v) for v in condition.value}
    equal = _loose(value) == _loose(condition.value)
    return equal if condition.op == "eq" else not equal


def _loose(value: Any) -> Any:
    # Filters compare text case-insensitively and lists as sets of their text.
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, list):
        return frozenset(_loose(v) for v in value)
    return value


def plain(spec: TypeSpec, value: object) -> Any:
    """A stored attribute value (the type system's JSON form) as a vendor takes it: option
    titles for selects, the amount of a currency, the rest as it is."""
    titles = {option.id: option.title for option in spec.options}
    if spec.type in (AttributeType.SELECT, AttributeType.STATUS):
        return titles.get(str(value), value)
    if spec.type is AttributeType.MULTI_SELECT and isinstance(value, list):
        return [titles.get(str(v), v) for v in value]
    if isinstance(value, dict) and "amount" in value:
        return value["amount"]
    return value


def attribute_types(session: Session, workspace_id: int, source: str) -> dict[str, AttributeType]:
    """The workspace's attributes of ``source`` and their types, by name."""
    return {
        d.name: AttributeType(d.type)
        for d in attributes.definitions(session, workspace_id, ENTITY[source])
    }


def _company_fields(company: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(company.id),
        "name": company.name,
        "domain": company.domain,
        "arr": company.arr,
        "numberOfEmployees": company.number_of_employees,
    }
    for label, column in EXTERNAL_ID_COLUMNS.items():
        found[label] = getattr(company, column)
    return found


def _people_fields(session: Session, people: Sequence[Any]) -> dict[int, dict[str, Any]]:
    company_ids = {p.company_id for p in people if p.company_id is not None}
    owners: Mapping[int, tuple[str, str | None]] = {}
    if company_ids:
        rows = session.execute(
            select(Company.id, Company.name, Company.domain).where(Company.id.in_(company_ids))
        )
        owners = {row[0]: (row[1], row[2]) for row in rows}
    found = {}
    for person in people:
        name, domain = owners.get(person.company_id or 0, (None, None))
        found[person.id] = {
            "id": str(person.id),
            "name": person.name,
            "email": person.email,
            "userId": person.external_user_id,
            "companyName": name,
            "companyDomain": domain,
        }
    return found


@dataclass(frozen=True)
class Reader:
    """Reads one workspace's records of one source, the attribute definitions loaded once."""

    workspace_id: int
    source: str
    names: dict[int, str]
    specs: dict[int, TypeSpec]

    @classmethod
    def load(cls, session: Session, workspace_id: int, source: str) -> Reader:
        """A reader with the workspace's attribute definitions of ``source``."""
        defs = attributes.definitions(session, workspace_id, ENTITY[source])
        names = {d.id: d.name for d in defs}
        return cls(workspace_id, source, names, attributes.specs(session, defs))

    def chunk(self, session: Session, *, after: int, size: int) -> list[HubRecord]:
        """The next ``size`` records with an id above ``after`` (none: the end)."""
        model: Any = Company if self.source == "companies" else Person
        table = table_of(model)
        # Plain rows, not ORM objects: a run may read a million of them and change none.
        rows: Any = session.execute(
            select(table)
            .where(table.c.workspace_id == self.workspace_id, table.c.id > after)
            .order_by(table.c.id)
            .limit(size)
        ).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        values = attributes.values_of(session, ENTITY[self.source], ids)
        fields = (
            {r.id: _company_fields(r) for r in rows}
            if self.source == "companies"
            else _people_fields(session, rows)
        )
        return [
            HubRecord(
                id=r.id,
                fields=fields[r.id],
                attributes={
                    self.names[d]: plain(self.specs[d], v)
                    for _, d, v in values.get(r.id, ())
                    if d in self.names
                },
            )
            for r in rows
        ]
