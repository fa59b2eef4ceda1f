"""Writing what a batch of events did to the hub: a few bulk statements for the whole batch.

Only records that differ from what is stored are written, each with a fresh number of the
change sequence (one per record, however many of the batch's events touched it), so syncs
pick them up. Rows go through ``store.bulk`` (new records' values too: plain inserts) and
changed records' values through ``store.attributes``; ids of new records are reserved up
front, so people can point at companies made in the same batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from cardfile.ingest.events.hub_records import COMPANY_COLUMNS, PERSON_COLUMNS, Record, Records
from cardfile.store import attributes, bulk, changes
from cardfile.store.schema import Company, CompanyValue, Person, PersonValue, table_of, utcnow

_PEOPLE = table_of(Person)
_COMPANIES = table_of(Company)
_PERSON_VALUES = table_of(PersonValue)
_COMPANY_VALUES = table_of(CompanyValue)
_STAMPS = ("change_seq", "created_at", "updated_at")


def _values(
    records: Sequence[Record], json_of: Mapping[str, object]
) -> list[tuple[int, int, object | None]]:
    """``(record id, definition id, JSON value or None)`` for every value that changed."""
    assignments: list[tuple[int, int, object | None]] = []
    for record in records:
        assert record.id is not None
        if record.values == record.stored_values:
            continue
        for definition_id in record.values.keys() | record.stored_values.keys():
            text = record.values.get(definition_id)
            if text != record.stored_values.get(definition_id):
                value = None if text is None else json_of.get(text)
                if value is None and text is not None:
                    value = attributes.decode_value(text)
                assignments.append((record.id, definition_id, value))
    return assignments


def _company_of(companies: Records, key: int | None) -> int | None:
    if key is None or key > 0:
        return key
    made = companies.by_key[key].id
    assert made is not None  # new companies are given ids before people are written
    return made


def _give_ids(session: Session, records: Sequence[Record], table: Any) -> None:
    for record, new_id in zip(records, bulk.reserve_ids(session, table, len(records)), strict=True):
        record.id = new_id


def write(
    session: Session,
    workspace_id: int,
    people: Records,
    companies: Records,
    json_of: Mapping[str, object],
) -> int:
    """Write every record that differs from the store; the number of records written.

    ``json_of`` holds the JSON values of stored texts the caller already has (any other
    is decoded).
    """
    new_companies = sorted((r for r in companies.by_key.values() if r.is_new), key=_order)
    changed_companies = [r for r in companies.stored() if r.differs()]
    new_people = sorted((r for r in people.by_key.values() if r.is_new), key=_order)
    changed_people = [r for r in people.stored() if r.differs()]
    count = len(new_companies) + len(changed_companies) + len(new_people) + len(changed_people)
    if not count:
        return 0
    numbers = iter(range(changes.take(session, count), 1 << 62))
    _give_ids(session, new_companies, _COMPANIES)
    _give_ids(session, new_people, _PEOPLE)
    now = bulk.bound(session, _COMPANIES, "updated_at", utcnow())

    bulk.insert_rows(
        session,
        _COMPANIES,
        ("id", "workspace_id", *COMPANY_COLUMNS, *_STAMPS),
        [
            (r.id, workspace_id, *(r.fields[c] for c in COMPANY_COLUMNS), next(numbers), now, now)
            for r in new_companies
        ],
    )
    bulk.update_rows(
        session,
        _COMPANIES,
        (*COMPANY_COLUMNS, "change_seq", "updated_at"),
        [
            (*(r.fields[c] for c in COMPANY_COLUMNS), next(numbers), now, r.id)
            for r in changed_companies
        ],
    )

    def person_row(record: Record) -> tuple[Any, ...]:
        fields = record.fields
        return (
            fields["name"],
            fields["email"],
            fields["external_user_id"],
            _company_of(companies, fields["company_id"]),
        )

    # An email one person gives up may be taken by another person of the batch: free every
    # changed email first, so no order of the updates trips the unique index.
    bulk.update_rows(
        session,
        _PEOPLE,
        ("email",),
        [
            (None, r.id)
            for r in changed_people
            if r.stored_fields and r.stored_fields["email"] not in (None, r.fields["email"])
        ],
    )
    bulk.update_rows(
        session,
        _PEOPLE,
        (*PERSON_COLUMNS, "change_seq", "updated_at"),
        [(*person_row(r), next(numbers), now, r.id) for r in changed_people],
    )
    bulk.insert_rows(
        session,
        _PEOPLE,
        ("id", "workspace_id", *PERSON_COLUMNS, *_STAMPS),
        [(r.id, workspace_id, *person_row(r), next(numbers), now, now) for r in new_people],
    )
    # New records hold no values yet: theirs are plain inserts. Changed records' values are
    # set (and unset) by the store.
    for table, owner, records in (
        (_COMPANY_VALUES, "company_id", new_companies),
        (_PERSON_VALUES, "person_id", new_people),
    ):
        bulk.insert_rows(
            session,
            table,
            (owner, "definition_id", "value"),
            [(r.id, d, text) for r in records for d, text in r.values.items()],
        )
    attributes.set_values(
        session, attributes.COMPANY, _values(changed_companies, json_of), bump=False
    )
    attributes.set_values(session, attributes.PERSON, _values(changed_people, json_of), bump=False)
    _forget_loaded(session)
    return count


def _order(record: Record) -> int:
    return record.order


def _forget_loaded(session: Session) -> None:
    """Expire people and companies the session had loaded: the rows changed beneath it."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Person | Company):
            session.expire(instance)
