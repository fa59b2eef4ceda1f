"""Tracking events into the hub: identify → person, group → company, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.events import hub
from cardfile.store import attributes, bulk, changes, companies, events, people
from cardfile.store.db import transaction
from cardfile.store.events import APPLIED, FAILED, IGNORED, Settled
from cardfile.store.schema import Company, Event, Person
from cardfile.types import AttributeType
from tests.conftest import Tenant, make_tenant
from tests.ingest.events.conftest import Feed, group, hub_state, identify, make_feed


def define(
    sessions: sessionmaker[Session],
    workspace_id: int,
    entity: str,
    name: str,
    type_: AttributeType,
    options: tuple[str, ...] = (),
) -> int:
    with transaction(sessions) as session:
        made = attributes.create_definition(
            session,
            workspace_id=workspace_id,
            entity=entity,
            name=name,
            type=type_,
            options=options,
        )
        return made.id


def person(sessions: sessionmaker[Session], workspace_id: int, **where: Any) -> Person:
    with sessions() as session:
        found = session.scalars(select(Person).filter_by(workspace_id=workspace_id, **where)).one()
        session.expunge(found)
        return found


def company(sessions: sessionmaker[Session], workspace_id: int, **where: Any) -> Company:
    with sessions() as session:
        found = session.scalars(select(Company).filter_by(workspace_id=workspace_id, **where)).one()
        session.expunge(found)
        return found


def values_of(sessions: sessionmaker[Session], entity: str, record_id: int) -> dict[int, object]:
    with sessions() as session:
        found = attributes.values_of(session, entity, [record_id])
    return {definition_id: value for _, definition_id, value in found.get(record_id, [])}


def count(sessions: sessionmaker[Session], model: type[Person] | type[Company]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- identify -----------------------------------------------------------------------------


def test_identify_creates_a_person_with_email_user_id_and_name(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    (settled,) = feed.send(identify("u1", email=" Ann@Example.COM ", name="Ann Lee"))
    made = person(sessions, feed.workspace_id, external_user_id="u1")
    assert (made.email, made.name) == ("ann@example.com", "Ann Lee")
    assert settled.status == APPLIED
    assert settled.detail == f"person {made.id} created"


def test_identify_finds_by_email_first_and_gives_the_person_the_user_id(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        stored = people.create(session, feed.workspace_id, {"email": "ann@example.com"})
        other = people.create(session, feed.workspace_id, {"external_user_id": "u9"})
    (settled,) = feed.send(identify("u1", email="ANN@example.com"))
    assert settled == Settled(settled.event_id, APPLIED, f"person {stored.id} updated")
    assert person(sessions, feed.workspace_id, id=stored.id).external_user_id == "u1"
    # The email wins over a userId another person holds; that person keeps it.
    (settled,) = feed.send(identify("u9", email="ann@example.com", name="Ann"))
    assert settled.status == APPLIED
    assert settled.detail == (
        f"person {stored.id} updated; userId 'u9' not set: the person has userId 'u1'"
    )
    assert person(sessions, feed.workspace_id, id=other.id).email is None
    assert count(sessions, Person) == 2


def test_identify_finds_by_user_id_without_an_email_match_and_takes_the_new_email(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    feed.send(identify("u1", email="old@example.com"))
    feed.send(identify("u1", email="new@example.com", firstName="Ann", lastName="Lee"))
    found = person(sessions, feed.workspace_id, external_user_id="u1")
    assert (found.email, found.name) == ("new@example.com", "Ann Lee")
    # With no email at all, the userId alone finds the person.
    (settled,) = feed.send(identify("u1", firstName="Annie"))
    assert settled.detail == f"person {found.id} updated"
    assert person(sessions, feed.workspace_id, id=found.id).name == "Annie"
    assert count(sessions, Person) == 1


def test_identify_of_a_user_id_another_person_holds_leaves_it_with_them(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    feed.send(identify("u1"))
    with transaction(sessions) as session:
        stored = people.create(session, feed.workspace_id, {"email": "bo@example.com"})
    (settled,) = feed.send(identify("u1", email="bo@example.com", name="Bo"))
    assert settled.detail == (
        f"person {stored.id} updated; userId 'u1' not set: another person has it"
    )
    assert person(sessions, feed.workspace_id, id=stored.id).external_user_id is None


def test_identify_naming_no_person_fails_with_the_reason(feed: Feed) -> None:
    anonymous, bad_email = feed.send(
        identify(None, name="Nobody"), identify(None, email="not an email")
    )
    assert anonymous.status == FAILED
    assert anonymous.detail == (
        "an identify needs an email trait or a userId to find its person by"
    )
    assert bad_email.status == FAILED
    assert bad_email.detail is not None
    assert "trait 'email' dropped: 'not an email' is not a valid email address" in (
        bad_email.detail
    )


def test_identify_that_changes_nothing_is_ignored_and_takes_no_change_number(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    feed.send(identify("u1", email="a@example.com", name="Ann"))
    with sessions() as session:
        before = changes.current(session)
    (settled,) = feed.send(identify("u1", email="a@example.com", name="Ann"))
    found = person(sessions, feed.workspace_id, external_user_id="u1")
    assert settled.status == IGNORED
    assert settled.detail == f"person {found.id} unchanged"
    with sessions() as session:
        assert changes.current(session) == before


def test_traits_go_to_attributes_of_that_name_typed_and_unknown_ones_stay_on_the_event(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    workspace = feed.workspace_id
    plan = define(sessions, workspace, "person", "Plan", AttributeType.SELECT, ("Free", "Pro"))
    seats = define(sessions, workspace, "person", "seats", AttributeType.NUMBER)
    since = define(sessions, workspace, "person", "signedUp", AttributeType.DATE)
    message = identify(
        "u1", email="a@example.com", plan="pro", Seats="12", signedUp="2024-03-01", shoeSize=44
    )
    (settled,) = feed.send(message)
    assert settled.status == APPLIED
    found = person(sessions, workspace, external_user_id="u1")
    with sessions() as session:
        pro = next(o for o in attributes.options(session, [plan])[plan] if o.title == "Pro")
        stored = session.scalars(select(Event)).one()
        definitions = attributes.definitions(session, workspace, "person")
    assert values_of(sessions, "person", found.id) == {
        plan: str(pro.id),
        seats: 12.0,
        since: "2024-03-01",
    }
    # Unknown traits are neither dropped nor turned into attributes.
    assert stored.payload == message
    assert [d.name for d in definitions] == ["Plan", "seats", "signedUp"]


def test_names_differing_only_in_case_from_two_attributes_match_neither(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    workspace = feed.workspace_id
    upper = define(sessions, workspace, "person", "Tier", AttributeType.TEXT)
    lower = define(sessions, workspace, "person", "tier", AttributeType.TEXT)
    feed.send(identify("u1", TIER="a"), identify("u2", tier="b"))
    first = person(sessions, workspace, external_user_id="u1")
    second = person(sessions, workspace, external_user_id="u2")
    assert values_of(sessions, "person", first.id) == {}
    assert values_of(sessions, "person", second.id) == {lower: "b"}
    assert upper != lower


def test_a_bad_trait_value_is_dropped_and_named_and_the_rest_applied(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    workspace = feed.workspace_id
    seats = define(sessions, workspace, "person", "seats", AttributeType.NUMBER)
    plan = define(sessions, workspace, "person", "plan", AttributeType.SELECT, ("Free",))
    message = identify("u1", email="a@example.com", name="Ann", seats="lots", plan="Gold")
    (settled,) = feed.send(message)
    found = person(sessions, workspace, external_user_id="u1")
    assert settled.status == APPLIED
    assert settled.detail is not None
    assert settled.detail.startswith(f"person {found.id} created; trait 'seats' dropped: ")
    assert "'lots' is not a number" in settled.detail
    assert "trait 'plan' dropped: 'Gold' is not" in settled.detail
    assert found.name == "Ann"
    assert values_of(sessions, "person", found.id) == {}
    assert seats != plan
    with sessions() as session:
        assert session.scalars(select(Event.payload)).one() == message


def test_a_null_trait_unsets_its_attribute(feed: Feed, sessions: sessionmaker[Session]) -> None:
    seats = define(sessions, feed.workspace_id, "person", "seats", AttributeType.NUMBER)
    feed.send(identify("u1", seats=3))
    found = person(sessions, feed.workspace_id, external_user_id="u1")
    assert values_of(sessions, "person", found.id) == {seats: 3.0}
    (settled,) = feed.send(identify("u1", seats=None))
    assert settled.detail == f"person {found.id} updated"
    assert values_of(sessions, "person", found.id) == {}


def test_recordless_types_are_ignored(feed: Feed) -> None:
    calls = [
        {"type": kind, "userId": "u1", "event": "Clicked", "properties": {"x": 1}}
        for kind in ("track", "page", "screen", "alias")
    ]
    settled = feed.send(*calls)
    assert [s.status for s in settled] == [IGNORED] * 4
    assert settled[0].detail == "a track event changes no record"


def test_traits_that_are_not_an_object_fail_and_unknown_types_are_ignored(feed: Feed) -> None:
    bad, unknown = feed.send(
        {"type": "identify", "userId": "u1", "traits": ["email", "a@x.com"]},
        {"type": "flush", "userId": "u1"},
    )
    assert (bad.status, bad.detail) == (FAILED, "traits must be an object")
    assert (unknown.status, unknown.detail) == (
        IGNORED,
        "'flush' is not an event type the hub applies",
    )


def test_people_the_session_holds_are_read_afresh_after_apply(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    feed.send(identify("u1", email="a@x.com"))
    feed.store([identify("u1", name="Ann")])
    with transaction(sessions) as session:
        held = session.scalars(select(Person)).one()
        assert held.name is None
        hub.apply(session, feed.workspace_id, events.pending(session, feed.workspace_id))
        assert held.name == "Ann"


# --- group --------------------------------------------------------------------------------


def test_group_creates_a_company_and_links_the_user_created_if_absent(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    message = group(
        "g1", "u1", name="Acme", website="https://www.Acme.com/about", employees=42, arr="1200.5"
    )
    (settled,) = feed.send(message)
    made = company(sessions, feed.workspace_id, custom_id="g1")
    linked = person(sessions, feed.workspace_id, external_user_id="u1")
    assert (made.name, made.domain, made.number_of_employees, made.arr) == (
        "Acme",
        "acme.com",
        42,
        1200.5,
    )
    assert linked.company_id == made.id and linked.email is None
    assert settled == Settled(
        settled.event_id,
        APPLIED,
        f"company {made.id} created, person {linked.id} created and linked",
    )


def test_group_finds_by_group_id_then_domain_and_links_a_known_person(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    workspace = feed.workspace_id
    with transaction(sessions) as session:
        by_domain = companies.create(session, workspace, {"name": "Beta", "domain": "beta.io"})
        by_id = companies.create(session, workspace, {"name": "Gamma", "custom_id": "g2"})
    feed.send(identify("u1", email="a@example.com"))
    (first,) = feed.send(group("g1", "u1", website="http://beta.io"))
    (second,) = feed.send(group("g2", "u1", name="Gamma Inc", domain="beta.io"))
    (third,) = feed.send(group("g2", "u1", name="Gamma Inc", domain="beta.io"))
    found = person(sessions, workspace, external_user_id="u1")
    assert first.detail == f"company {by_domain.id} updated, person {found.id} linked"
    assert company(sessions, workspace, id=by_domain.id).custom_id == "g1"
    assert second.detail == f"company {by_id.id} updated, person {found.id} linked"
    gamma = company(sessions, workspace, id=by_id.id)
    assert (gamma.name, gamma.domain) == ("Gamma Inc", "beta.io")
    assert third.status == IGNORED
    assert third.detail == f"company {by_id.id} unchanged, person {found.id} already linked"
    assert found.company_id == by_id.id
    assert count(sessions, Company) == 2


def test_a_domain_whose_company_has_another_group_id_makes_a_new_company(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        held = companies.create(
            session, feed.workspace_id, {"name": "Acme", "domain": "acme.com", "custom_id": "g1"}
        )
    (settled,) = feed.send(group("g2", "u1", domain="www.acme.com"))
    made = company(sessions, feed.workspace_id, custom_id="g2")
    assert made.id != held.id
    assert (made.name, made.domain) == ("acme.com", "acme.com")
    assert settled.status == APPLIED


def test_a_new_company_is_named_by_the_name_trait_else_domain_else_group_id(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    numbered = group(None, "u1")
    numbered["groupId"] = 3  # an SDK's unquoted number
    feed.send(group("g1", "u1", name="Named"), group("g2", "u1", website="x.org"), numbered)
    names = {
        c.custom_id: c.name
        for c in [company(sessions, feed.workspace_id, custom_id=g) for g in ("g1", "g2", "3")]
    }
    assert names == {"g1": "Named", "g2": "x.org", "3": "3"}


def test_group_without_a_user_links_nobody_and_without_ids_fails(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    no_user, no_company = feed.send(group("g1", None), group(None, "u1", website="not a site"))
    made = company(sessions, feed.workspace_id, custom_id="g1")
    assert no_user == Settled(
        no_user.event_id, APPLIED, f"company {made.id} created; no userId, so no person linked"
    )
    assert no_company.status == FAILED
    assert no_company.detail is not None
    assert no_company.detail.startswith(
        "a group needs a groupId or a website/domain trait to find its company by; "
        "trait 'website' dropped: "
    )
    assert count(sessions, Person) == 0


def test_group_traits_go_to_company_attributes_and_bad_ones_are_named(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    industry = define(sessions, feed.workspace_id, "company", "Industry", AttributeType.TEXT)
    paying = define(sessions, feed.workspace_id, "company", "paying", AttributeType.CHECKBOX)
    (settled,) = feed.send(
        group("g1", "u1", industry="Retail", paying="maybe", employees=-3, plan="pro")
    )
    made = company(sessions, feed.workspace_id, custom_id="g1")
    assert values_of(sessions, "company", made.id) == {industry: "Retail"}
    assert made.number_of_employees is None
    assert settled.status == APPLIED
    assert settled.detail is not None
    assert "trait 'employees' dropped: expected a whole number of at least 0" in settled.detail
    assert "trait 'paying' dropped: 'maybe' is not" in settled.detail
    assert paying != industry


def test_a_group_moves_its_person_to_the_new_company(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    feed.send(group("g1", "u1"), group("g2", "u1"))
    moved = person(sessions, feed.workspace_id, external_user_id="u1")
    assert moved.company_id == company(sessions, feed.workspace_id, custom_id="g2").id


# --- batches ------------------------------------------------------------------------------

TRICKY = [
    group("g1", "u1", name="Acme", website="acme.com", employees=10),  # finds www.acme.com
    identify("u1", email="ann@acme.com", name="Ann", seats=1),
    identify("u2", email="bob@acme.com", seats="x"),
    identify("u1", email="ann@new.com"),  # the stored ann@new.com, whose userId stays free
    identify("u2", email="robert@acme.com"),  # bob's address is free again…
    identify("u3", email="bob@acme.com", name="Other Bob"),  # …for someone new
    identify(None, email="ann@acme.com", name="Not Ann"),
    group("g2", "u2", domain="acme.com"),  # www.acme.com's company holds g1: a new company
    group(None, "u3", website="https://www.acme.com"),  # the older of the two acme.com's
    group("g1", "u2", name="Acme Corp", employees=11, seats=5),
    identify("u4", email="DAVE@acme.com"),
    identify("u4", seats=None),
    identify("u4", seats=4),
    {"type": "track", "userId": "u4", "event": "Signed Up"},
    group("g3", "u4", website="acme.com"),
    identify("u1", email="ann@acme.com", seats=2),
    # Stored people trading addresses: dana gives hers up, carl (the older row) takes it,
    # and someone new takes carl's.
    identify("u6", email="dana@new.com"),
    identify("u5", email="dana@acme.com"),
    identify("u7", email="carl@acme.com"),
]


@pytest.fixture
def seats_everywhere(sessions: sessionmaker[Session], tenant: Tenant) -> None:
    define(sessions, tenant.workspace_id, "person", "seats", AttributeType.NUMBER)
    define(sessions, tenant.workspace_id, "company", "seats", AttributeType.NUMBER)


def _seeded(sessions: sessionmaker[Session], workspace_id: int) -> None:
    with transaction(sessions) as session:
        people.create(session, workspace_id, {"email": "ann@new.com", "name": "Old Ann"})
        people.create(session, workspace_id, {"email": "carl@acme.com", "external_user_id": "u5"})
        people.create(session, workspace_id, {"email": "dana@acme.com", "external_user_id": "u6"})
        companies.create(session, workspace_id, {"name": "Web", "domain": "www.acme.com"})


@pytest.mark.usefixtures("seats_everywhere")
def test_a_batch_gives_what_applying_its_events_one_by_one_gives(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    one_by_one = make_feed(sessions, tenant.workspace_id, "single")
    other = make_tenant(sessions, "other")
    define(sessions, other.workspace_id, "person", "seats", AttributeType.NUMBER)
    define(sessions, other.workspace_id, "company", "seats", AttributeType.NUMBER)
    batched = make_feed(sessions, other.workspace_id, "batched")
    _seeded(sessions, tenant.workspace_id)
    _seeded(sessions, other.workspace_id)
    singles = one_by_one.send(*TRICKY, limit=1)
    together = batched.send(*TRICKY, limit=500)
    assert hub_state(sessions, tenant.workspace_id) == hub_state(sessions, other.workspace_id)
    assert [(s.status, _unnumbered(s.detail)) for s in singles] == [
        (s.status, _unnumbered(s.detail)) for s in together
    ]
    assert [s.event_id for s in together] == sorted(s.event_id for s in together)


def _unnumbered(detail: str | None) -> str:
    """A detail without record ids (the two workspaces number their rows apart)."""
    return " ".join("#" if word.isdigit() else word for word in (detail or "").split(" "))


@pytest.mark.usefixtures("seats_everywhere")
def test_every_record_written_takes_a_change_number_and_no_other_does(
    feed: Feed, sessions: sessionmaker[Session]
) -> None:
    _seeded(sessions, feed.workspace_id)
    with sessions() as session:
        before = changes.current(session)
    feed.send(*TRICKY)
    with sessions() as session:
        changed_people = changes.people_changed_since(session, feed.workspace_id, before)
        changed_companies = changes.companies_changed_since(session, feed.workspace_id, before)
        untouched = session.scalars(select(Person.id).where(Person.email == "ann@new.com")).one()
        every_person = set(session.scalars(select(Person.id)))
        every_company = set(session.scalars(select(Company.id)))
        numbers = [
            *session.scalars(select(Person.change_seq).where(Person.change_seq > before)),
            *session.scalars(select(Company.change_seq).where(Company.change_seq > before)),
        ]
        after = changes.current(session)
    assert set(changed_people) == every_person - {untouched}
    assert set(changed_companies) == every_company
    assert len(every_person) == 8 and len(every_company) == 3
    assert len(numbers) == len(set(numbers)) == after - before


def test_a_batch_costs_the_same_number_of_statements_whatever_its_size(
    sessions: sessionmaker[Session], tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    define(sessions, tenant.workspace_id, "person", "plan", AttributeType.TEXT)
    define(sessions, tenant.workspace_id, "company", "tier", AttributeType.TEXT)

    def mixed(size: int, tag: str) -> list[dict[str, Any]]:
        made: list[dict[str, Any]] = []
        for n in range(size):
            made.append(identify(f"{tag}{n}", email=f"{tag}{n}@x.com", plan="pro"))
            made.append(group(f"{tag}g{n % 7}", f"{tag}{n}", website=f"{tag}{n % 7}.com", tier="a"))
        return made

    small = make_feed(sessions, tenant.workspace_id, "small")
    large = make_feed(sessions, tenant.workspace_id, "large")
    counts = []
    for feed, size, tag in ((small, 10, "s"), (large, 240, "l")):
        for _ in range(2):  # the first run creates, the second updates
            feed.store(mixed(size, tag))
            with _statements(sessions, monkeypatch) as seen:
                settled = feed.apply_pending(limit=500)
            assert len(settled) == 2 * size
            counts.append(seen[0])
    assert counts[0] == counts[2] and counts[1] == counts[3]
    assert max(counts) < 40


@contextmanager
def _statements(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[int]]:
    """Count statements sent to the database: through SQLAlchemy, and through the driver
    cursors ``store.bulk`` uses (an ``executemany`` counts once)."""
    seen = [0]
    engine = sessions.kw["bind"]

    def counted(*_: Any) -> None:
        seen[0] += 1

    original = bulk._driver_cursor

    class Counting:
        def __init__(self, cursor: Any) -> None:
            self._cursor = cursor

        def __getattr__(self, name: str) -> Any:
            found = getattr(self._cursor, name)
            if name in {"execute", "executemany", "copy"}:
                seen[0] += 1
            return found

    monkeypatch.setattr(bulk, "_driver_cursor", lambda session: Counting(original(session)))
    sa_event.listen(engine, "before_cursor_execute", counted)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", counted)


# --- isolation ----------------------------------------------------------------------------


def test_nothing_outside_the_workspace_is_read_or_written(
    sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    other = make_tenant(sessions, "other")
    theirs = make_feed(sessions, other.workspace_id, "theirs")
    define(sessions, other.workspace_id, "person", "plan", AttributeType.TEXT)
    theirs.send(identify("u1", email="a@x.com", plan="gold"), group("g1", "u1", website="x.com"))
    before = hub_state(sessions, other.workspace_id)
    ours = make_feed(sessions, tenant.workspace_id)
    settled = ours.send(
        identify("u1", email="a@x.com", plan="free"), group("g1", "u1", website="x.com")
    )
    assert [s.status for s in settled] == [APPLIED, APPLIED]
    assert hub_state(sessions, other.workspace_id) == before
    mine = person(sessions, tenant.workspace_id, external_user_id="u1")
    assert values_of(sessions, "person", mine.id) == {}  # "plan" is the other's attribute
    assert mine.company_id == company(sessions, tenant.workspace_id, custom_id="g1").id
    # An event of another workspace handed over by mistake fails and changes nothing.
    theirs.store([identify("u2", email="b@x.com")])
    with transaction(sessions) as session:
        stray = events.pending(session, other.workspace_id)
        (result,) = hub.apply(session, tenant.workspace_id, stray)
    assert result == Settled(stray[0].id, FAILED, "the event belongs to another workspace")
    assert count(sessions, Person) == 2
