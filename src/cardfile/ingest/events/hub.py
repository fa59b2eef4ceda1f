"""Tracking events into the hub: ``identify`` upserts a person, ``group`` a company.

An identify finds its person by the ``email`` trait, else by ``userId`` as the external user
id, and creates one with both when neither finds anyone. A group finds its company by
``groupId`` as the ``customId``, else by the ``domain``/``website`` trait (a company there
that holds another customId is another company), creates one when neither finds it (named by
the ``name`` trait, else the domain, else the groupId), then links the event's user to it: the
person with that external user id, created when there is none. Traits go to the fields that
fit and to the attributes they name (see ``hub_traits``); unknown traits stay on the event.

A batch is applied with a bounded number of queries whatever its size: every record it could
reach is read up front, the events are applied in memory in id order (so the result is what
applying them one by one would give), and what changed is written in bulk, each record with a
number of the change sequence. Nothing outside the workspace is read or written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from cardfile.ingest.events.hub_records import (
    COMPANY_COLUMNS,
    PERSON_COLUMNS,
    Record,
    Records,
    load_companies,
    load_people,
    load_values,
)
from cardfile.ingest.events.hub_traits import (
    Catalogue,
    CompanyWish,
    PersonWish,
    Reader,
    Unreadable,
)
from cardfile.ingest.events.hub_writes import write
from cardfile.store import attributes, changes
from cardfile.store.events import APPLIED, FAILED, IGNORED, Settled
from cardfile.store.schema import Event

# Segment's calls that describe what a user did, not who they are: no record changes.
RECORDLESS = frozenset({"track", "page", "screen", "alias"})


@dataclass
class _Done:
    """What one identify or group did, told once the batch's new records have ids."""

    kind: str  # person, company
    record: Record
    verb: str  # created, updated, unchanged
    changed: bool
    notes: list[str] = field(default_factory=list)
    person: Record | None = None  # a group's linked person
    link: str = ""
    event_id: int = 0

    def settled(self) -> Settled:
        """The event's outcome, now that its records have ids."""
        parts = [f"{self.kind} {self.record.id} {self.verb}"]
        if self.person is not None:
            parts[0] += f", person {self.person.id} {self.link}"
        detail = "; ".join([*parts, *self.notes])
        return Settled(self.event_id, APPLIED if self.changed else IGNORED, detail)


def _identify(people: Records, wish: PersonWish) -> _Done:
    person = people.find("email", wish.email) if wish.email else None
    if person is None and wish.user_id:
        person = people.find("external_user_id", wish.user_id)
    notes = wish.notes
    created = person is None
    changed = False
    if person is None:
        person = people.create(email=wish.email, external_user_id=wish.user_id)
    else:
        if wish.email:  # found by user id: no one holds this email, so it is theirs now
            changed = people.assign(person, "email", wish.email)
        held = person.fields["external_user_id"]
        if wish.user_id and held != wish.user_id:
            if held:
                notes.append(f"userId '{wish.user_id}' not set: the person has userId '{held}'")
            elif people.find("external_user_id", wish.user_id) is not None:
                notes.append(f"userId '{wish.user_id}' not set: another person has it")
            else:
                changed |= people.assign(person, "external_user_id", wish.user_id)
    if wish.name:
        changed |= person.set("name", wish.name)
    changed |= person.set_values(wish.values)
    return _outcome("person", person, created, changed, notes)


def _outcome(kind: str, record: Record, created: bool, changed: bool, notes: list[str]) -> _Done:
    verb = "created" if created else "updated" if changed else "unchanged"
    return _Done(kind, record, verb, created or changed, notes)


def _by_domain(companies: Records, domain: str) -> Record | None:
    found = [companies.find("domain", d) for d in (domain, f"www.{domain}")]
    held = [record for record in found if record is not None]
    return min(held, key=lambda record: record.order) if held else None


def _group(people: Records, companies: Records, wish: CompanyWish) -> _Done:
    company = companies.find("custom_id", wish.group_id) if wish.group_id else None
    if company is None and wish.domain:
        company = _by_domain(companies, wish.domain)
        held = company.fields["custom_id"] if company is not None else None
        if wish.group_id and held and held != wish.group_id:
            company = None  # the domain's company is another group of the product
    created = company is None
    changed = False
    if company is None:
        name = wish.name or wish.domain or wish.group_id
        company = companies.create(name=name, domain=wish.domain, custom_id=wish.group_id)
    if wish.group_id and not company.fields["custom_id"]:
        changed = companies.assign(company, "custom_id", wish.group_id)
    if wish.domain and company.fields["domain"] not in (wish.domain, f"www.{wish.domain}"):
        changed |= companies.assign(company, "domain", wish.domain)
    if wish.name:
        changed |= company.set("name", wish.name)
    for column, value in wish.fields.items():
        changed |= company.set(column, value)
    changed |= company.set_values(wish.values)
    done = _outcome("company", company, created, changed, wish.notes)
    if wish.user_id is None:
        done.notes.append("no userId, so no person linked")
        return done
    done.person = people.find("external_user_id", wish.user_id)
    if done.person is None:
        done.person = people.create(external_user_id=wish.user_id, company_id=company.key)
        done.link = "created and linked"
    elif done.person.set("company_id", company.key):
        done.link = "linked"
    else:
        done.link = "already linked"
    done.changed |= done.link != "already linked"
    return done


def _read(event: Event, workspace_id: int, reader: Reader) -> PersonWish | CompanyWish | Settled:
    if event.workspace_id != workspace_id:
        return Settled(event.id, FAILED, "the event belongs to another workspace")
    kind = (event.type or "").lower()
    try:
        if kind == "identify":
            return reader.identify(event)
        if kind == "group":
            return reader.group(event)
    except Unreadable as error:
        return Settled(event.id, FAILED, str(error))
    if kind in RECORDLESS:
        return Settled(event.id, IGNORED, f"a {kind} event changes no record")
    return Settled(event.id, IGNORED, f"'{kind}' is not an event type the hub applies")


def apply(session: Session, workspace_id: int, events: Sequence[Event]) -> list[Settled]:
    """Apply ``events`` to the workspace's people and companies, in id order, inside the
    caller's transaction; what each did, in the same order (``store.events.settle`` takes it).

    Args:
        session: The caller's write session; it commits.
        workspace_id: The workspace the events belong to; an event of another one fails.
        events: The events, as ``store.events.pending`` returns them.

    Returns:
        One ``Settled`` per event: APPLIED with what changed ("person 12 created", "company
        4 updated, person 12 linked"), IGNORED for a type that changes no record or an event
        that changed nothing, FAILED with the reason for one that names no record. A trait
        that was dropped (a value its attribute's type refuses) is named in the detail.
    """
    ordered = sorted(events, key=lambda event: event.id)
    kinds = {(event.type or "").lower() for event in ordered}
    reader = Reader(Catalogue(()), Catalogue(()))
    if kinds & {"identify", "group"}:
        # Hold the change counter first: other writers of people and companies wait until
        # this transaction ends, so what is read below stays true until it is written.
        changes.lock(session)
        reader = Reader(
            Catalogue.load(session, workspace_id, attributes.PERSON, needed="identify" in kinds),
            Catalogue.load(session, workspace_id, attributes.COMPANY, needed="group" in kinds),
        )
    read = [(event, _read(event, workspace_id, reader)) for event in ordered]
    wishes = [wish for _, wish in read if not isinstance(wish, Settled)]
    if not wishes:
        return [wish for _, wish in read if isinstance(wish, Settled)]

    people = Records(PERSON_COLUMNS, unique=("email", "external_user_id"), shared=())
    companies = Records(COMPANY_COLUMNS, unique=("custom_id",), shared=("domain",))
    _load(session, workspace_id, people, companies, wishes)
    done: list[_Done | Settled] = []
    for event, wish in read:
        if isinstance(wish, Settled):
            done.append(wish)
            continue
        if isinstance(wish, PersonWish):
            outcome = _identify(people, wish)
        else:
            outcome = _group(people, companies, wish)
        outcome.event_id = event.id
        done.append(outcome)
    write(session, workspace_id, people, companies, reader.json_of)
    return [item if isinstance(item, Settled) else item.settled() for item in done]


def _load(
    session: Session,
    workspace_id: int,
    people: Records,
    companies: Records,
    wishes: Sequence[PersonWish | CompanyWish],
) -> None:
    """Read every record the batch could reach, and those records' values it may change."""
    person_wishes = [w for w in wishes if isinstance(w, PersonWish)]
    company_wishes = [w for w in wishes if isinstance(w, CompanyWish)]
    load_people(
        session,
        workspace_id,
        people,
        emails={w.email for w in person_wishes if w.email},
        user_ids={w.user_id for w in wishes if w.user_id},
    )
    load_companies(
        session,
        workspace_id,
        companies,
        custom_ids={w.group_id for w in company_wishes if w.group_id},
        domains={d for w in company_wishes if w.domain for d in (w.domain, f"www.{w.domain}")},
    )
    person_definitions = {d for w in person_wishes for d in w.values}
    load_values(session, people, attributes.PERSON, person_definitions)
    company_definitions = {d for w in company_wishes for d in w.values}
    load_values(session, companies, attributes.COMPANY, company_definitions)
