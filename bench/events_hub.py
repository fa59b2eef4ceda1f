"""Benchmark: tracking events applied to the hub (``ingest.events.hub.apply``).

Set-up (not timed): a store with one workspace, one source, two person attributes (a select
``plan`` and a number ``seats``) and one company attribute (text ``industry``), and N pending
events stored as the tracking API stores them: identify and group alternating, over 0.4 N
users and 0.08 N companies: a user's first identify creates them, a later one changes plan
and seats; a company's first group creates it, later ones link more users, and a user's later
group moves them to another company. Each side gets a store of its own, set up the same way.

Each side drains the pending events as the worker does — ``pending`` (500), apply, ``settle``,
commit — and is timed from the first read to the last commit, and also in the apply calls
alone:

- Cardfile: ``hub.apply`` on each batch of 500.
- one at a time (apply): ``hub.apply`` called once per event, in the same transactions.
- one at a time (store): each event written with the store's single-record functions
  (``people.match/create/update``, ``companies.match/create/update``,
  ``attributes.set_values``), as a straightforward implementation would.

Only the hub side is measured here, not the HTTP intake in front of it.

    .venv/bin/python -m bench.events_hub --events 50000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.databases import BACKENDS, Backend, fresh_database
from bench.report import Line, table
from bench.store_setup import prepare, workspace_id
from cardfile.ingest.events import hub
from cardfile.store import attributes, companies, events, people, sources
from cardfile.store.db import create_store_engine, session_factory, transaction
from cardfile.store.events import APPLIED, FAILED, IGNORED, NewEvent, Settled
from cardfile.store.schema import Company, Event, Person, utcnow
from cardfile.types import AttributeType, TypeSpec, parse, to_json

BATCH = 500
DOMAIN = TypeSpec(AttributeType.DOMAIN)
PLANS = ("Free", "Pro", "Enterprise")


def messages(count: int) -> list[dict[str, Any]]:
    """``count`` identify and group messages, alternating."""
    users, groups = max(1, count * 2 // 5), max(1, count * 2 // 25)
    made: list[dict[str, Any]] = []
    for n in range(count):
        user = n // 2 % users
        rounds = n // 2 // users  # 0 the first time a user is seen, then 1, 2…
        if n % 2 == 0:
            traits = {
                "email": f"user{user}@example{user % 97}.com",
                "name": f"User {user}",
                "plan": PLANS[(user + rounds) % 3],
                "seats": user % 50 + rounds,
                "favouriteColour": "teal",  # no attribute: stays on the event
            }
            made.append({"type": "identify", "userId": f"u{user}", "traits": traits})
        else:
            company = (user + rounds) % groups
            traits = {
                "name": f"Company {company}",
                "website": f"https://www.company{company}.com/",
                "employees": company % 900 + 1,
                "industry": ("Retail", "Software", "Banking")[company % 3],
            }
            made.append(
                {"type": "group", "userId": f"u{user}", "groupId": f"g{company}", "traits": traits}
            )
    return made


def populate(url: str, count: int) -> None:
    """Migrate, define the attributes and store ``count`` pending events."""
    engine, workspace = prepare(url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        source = sources.create(session, workspace_id=workspace, name="web")
        for entity, name, type_, options in (
            (attributes.PERSON, "plan", AttributeType.SELECT, PLANS),
            (attributes.PERSON, "seats", AttributeType.NUMBER, ()),
            (attributes.COMPANY, "industry", AttributeType.TEXT, ()),
        ):
            attributes.create_definition(
                session,
                workspace_id=workspace,
                entity=entity,
                name=name,
                type=type_,
                options=options,
            )
        source_id = source.id
    made = messages(count)
    for start in range(0, len(made), 5000):
        with transaction(factory) as session:
            events.append(
                session,
                [
                    NewEvent(
                        workspace_id=workspace,
                        source_id=source_id,
                        message_id=str(uuid.uuid4()),
                        type=m["type"],
                        user_id=m["userId"],
                        anonymous_id=None,
                        payload=m,
                        received_at=utcnow(),
                    )
                    for m in made[start : start + 5000]
                ],
            )
    engine.dispose()


Applier = Callable[[Session, int, Sequence[Event]], list[Settled]]


def one_at_a_time(session: Session, workspace: int, batch: Sequence[Event]) -> list[Settled]:
    """``hub.apply`` for each event alone."""
    return [outcome for event in batch for outcome in hub.apply(session, workspace, [event])]


def _typed(session: Session, workspace: int, entity: str) -> dict[str, Any]:
    defs = attributes.definitions(session, workspace, entity)
    specs = attributes.specs(session, defs)
    return {d.name: (d.id, specs[d.id]) for d in defs}


def through_store(session: Session, workspace: int, batch: Sequence[Event]) -> list[Settled]:
    """Each event with the store's single-record functions (no error handling: the
    benchmark's events are all valid)."""
    person_defs = _typed(session, workspace, attributes.PERSON)
    company_defs = _typed(session, workspace, attributes.COMPANY)
    settled = []
    for event in batch:
        traits = event.payload.get("traits") or {}
        typed = person_defs if event.type == "identify" else company_defs
        values = [
            (typed[name][0], to_json(typed[name][1], parse(typed[name][1], raw)))
            for name, raw in traits.items()
            if name in typed
        ]
        if event.type == "identify":
            fields = {"email": traits["email"], "name": traits["name"]}
            person = people.match(
                session, workspace, email=traits["email"], external_user_id=event.user_id
            )
            if person is None:
                fields["external_user_id"] = event.user_id
                person = people.create(session, workspace, fields)
            else:
                people.update(session, person, fields)
            attributes.set_values(session, attributes.PERSON, [(person.id, *v) for v in values])
        else:
            domain = str(parse(DOMAIN, traits["website"]))
            found = companies.match(
                session, workspace, ids={"custom_id": event.payload["groupId"]}, domain=domain
            )
            fields = {"name": traits["name"], "number_of_employees": traits["employees"]}
            if found is None:
                fields |= {"domain": domain, "custom_id": event.payload["groupId"]}
                found = companies.create(session, workspace, fields)
            else:
                companies.update(session, found, fields)
            attributes.set_values(session, attributes.COMPANY, [(found.id, *v) for v in values])
            person = people.match(session, workspace, email=None, external_user_id=event.user_id)
            if person is None:
                person = people.create(session, workspace, {"external_user_id": event.user_id})
            people.update(session, person, {"company_id": found.id})
        settled.append(Settled(event.id, APPLIED))
    return settled


def drain(url: str, applier: Applier) -> dict[str, Any]:
    """Apply every pending event with ``applier``, 500 per transaction; timing and counts."""
    engine = create_store_engine(url)
    factory = session_factory(engine)
    workspace = workspace_id(engine)
    statuses: dict[str, int] = {APPLIED: 0, IGNORED: 0, FAILED: 0}
    applying = 0.0
    started = time.perf_counter()
    while True:
        with transaction(factory) as session:
            batch = events.pending(session, workspace, limit=BATCH)
            if not batch:
                break
            began = time.perf_counter()
            outcomes = applier(session, workspace, batch)
            applying += time.perf_counter() - began
            events.settle(session, outcomes)
        for outcome in outcomes:
            statuses[outcome.status] += 1
    seconds = time.perf_counter() - started
    with factory() as session:
        made = {
            "people": session.scalar(select(func.count()).select_from(Person)),
            "companies": session.scalar(select(func.count()).select_from(Company)),
        }
    engine.dispose()
    return {"seconds": seconds, "applying": applying, **statuses, **made}


def run(backend: Backend, count: int, baseline_count: int) -> str:
    """Each side on a freshly populated store of its own; a Markdown table."""
    sides: list[tuple[str, int, Applier]] = [
        ("Cardfile", count, hub.apply),
        ("one at a time (apply)", baseline_count, one_at_a_time),
        ("one at a time (store)", baseline_count, through_store),
    ]
    rates: dict[str, float] = {}
    applying: dict[str, float] = {}
    details = []
    with tempfile.TemporaryDirectory(prefix="cardfile-bench-") as work:
        for label, events_count, applier in sides:
            with fresh_database(backend, Path(work), "events") as database:
                populate(database.url, events_count)
                result = drain(database.url, applier)
            rates[label] = events_count / result["seconds"]
            applying[label] = events_count / result["applying"]
            shown = {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
            details.append(f"- {label}, {events_count:,} events: {shown}")
    lines = [
        Line(f"events/s, {what} (baseline: {label})", figures["Cardfile"], figures[label])
        for what, figures in (("read+apply+settle+commit", rates), ("apply alone", applying))
        for label, _, _ in sides[1:]
    ]
    title = f"Events into the hub — {backend}, {count:,} events (baselines: {baseline_count:,})"
    return "\n".join([table(title, lines), "", *details])


def main() -> None:
    made = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    made.add_argument("--events", type=int, default=50_000)
    made.add_argument("--baseline-events", type=int, default=None, help="default: --events")
    made.add_argument("--backend", choices=BACKENDS, default="sqlite")
    options = made.parse_args()
    print(run(options.backend, options.events, options.baseline_events or options.events))


if __name__ == "__main__":
    main()
