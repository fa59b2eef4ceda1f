"""Where a tracking event's CPU goes, stage by stage, in one thread with nothing else running:
the per-event cost of each step ``/v1/batch`` takes, on the benchmark's own messages
(``bench.tracking_load``), beside the plainest way to do the same step.

    .venv/bin/python -m bench.tracking_stages [--requests 300]

Stages (microseconds of CPU per event; SQLite, a fresh store in a temporary directory):

- ``body.parse``: the request body's ``json.loads``;
- ``messages.prepare``: checks and Segment's completion of one message, with the size check a
  batch body over 32 KB asks for, and without it; ``size_of`` alone (a ``json.dumps``);
- the payload's ``json.dumps`` as SQLAlchemy's JSON type does it on insert;
- ``store.events.append`` (SQLAlchemy, 5,000 rows a transaction, as the intake commits) beside
  the same rows through the driver's ``executemany``, with and without the ``json.dumps``;
- ``jobs.events.apply_pending``: applying the stored events to the hub as the worker does
  (500 a transaction; this mix is 20% identify, 10% group, 70% track).

Not a benchmark with a target: it explains the throughput ``bench.tracking`` measures.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.tracking_baseline import INDEXES, SQLITE_TABLE
from bench.tracking_load import MIX, batch_body
from bench.tracking_servers import COMPANY_ATTRIBUTES, PERSON_ATTRIBUTES
from cardfile.api.tracking import body
from cardfile.ingest.events.messages import Envelope, prepare, size_of
from cardfile.jobs.events import apply_pending
from cardfile.store import attributes, events, sources, workspaces
from cardfile.store.db import create_store_engine, migrate, session_factory, transaction
from cardfile.store.events import NewEvent
from cardfile.store.schema import utcnow
from cardfile.store.sources import KeyOwner

T = TypeVar("T")
COMMIT = 5_000
_INSERT = (
    "INSERT INTO events (workspace_id, source_id, message_id, type, user_id, anonymous_id, "
    "payload, received_at, hub_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') "
    "ON CONFLICT (source_id, message_id) DO NOTHING"
)


def _timed(rows: list[str], label: str, count: int, work: Callable[[], T]) -> T:
    started = time.process_time()
    result = work()
    spent = time.process_time() - started
    rows.append(f"| {label} | {spent / count * 1e6:,.1f} |")
    return result


def _store(path: Path) -> tuple[Any, KeyOwner]:
    engine = create_store_engine(f"sqlite:///{path}")
    migrate(engine)
    with transaction(session_factory(engine)) as session:
        workspace = workspaces.create(session, name="Stages", slug="stages")
        source = sources.create(session, workspace_id=workspace.id, name="web")
        for entity, defined in (
            (attributes.PERSON, PERSON_ATTRIBUTES),
            (attributes.COMPANY, COMPANY_ATTRIBUTES),
        ):
            for name, kind, options in defined:
                attributes.create_definition(
                    session,
                    workspace_id=workspace.id,
                    entity=entity,
                    name=name,
                    type=kind,
                    options=options,
                )
        owner = KeyOwner(workspace.id, source.id)
    return engine, owner


def run(requests: int) -> str:
    """Every stage on ``requests`` bodies of 100 events; a Markdown table."""
    make = batch_body(100, "stages")
    bodies = [make(n)[0] for n in range(requests)]
    count = requests * 100
    rows = ["| stage | µs of CPU per event |", "|---|---:|"]
    parsed = _timed(rows, "`body.parse` (json.loads of the body)", count, lambda: [
        body.parse(b) for b in bodies
    ])  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="cardfile-stages-") as tmp:
        engine, owner = _store(Path(tmp) / "stages.db")

        def prepared(measure: bool) -> list[NewEvent]:
            made: list[NewEvent] = []
            for data in parsed:
                envelope = Envelope(received_at=utcnow(), sent_at=data.get("sentAt"))
                made.extend(prepare(i, owner, envelope, measure=measure) for i in data["batch"])
            return made

        made = _timed(rows, "`messages.prepare`, size checked (a body > 32 KB)", count, lambda: (
            prepared(True)
        ))  # fmt: skip
        _timed(rows, "`messages.prepare`, size not checked", count, lambda: prepared(False))
        _timed(rows, "`size_of` alone (json.dumps)", count, lambda: [
            size_of(i) for d in parsed for i in d["batch"]
        ])  # fmt: skip
        _timed(rows, "payload `json.dumps` (SQLAlchemy's JSON type)", count, lambda: [
            json.dumps(e.payload) for e in made
        ])  # fmt: skip
        sessions = session_factory(engine)

        def append() -> None:
            for at in range(0, count, COMMIT):
                with transaction(sessions) as session:
                    events.append(session, made[at : at + COMMIT])

        def driver(encoded: list[str] | None) -> None:
            raw = sqlite3.connect(Path(tmp) / "driver.db", isolation_level=None)
            raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA synchronous=NORMAL")
            raw.execute("DROP TABLE IF EXISTS events")
            raw.execute(SQLITE_TABLE)  # the same table and indexes as Cardfile's
            for index in INDEXES:
                raw.execute(index)
            for at in range(0, count, COMMIT):
                chunk = made[at : at + COMMIT]
                texts = (
                    encoded[at : at + COMMIT] if encoded else [json.dumps(e.payload) for e in chunk]
                )
                raw.execute("BEGIN IMMEDIATE")
                raw.executemany(_INSERT, [
                    (e.workspace_id, e.source_id, e.message_id, e.type, e.user_id,
                     e.anonymous_id, text, e.received_at.isoformat(sep=" "))
                    for e, text in zip(chunk, texts, strict=True)
                ])  # fmt: skip
                raw.execute("COMMIT")
            raw.close()

        _timed(rows, "`store.events.append` (SQLAlchemy, 5,000 a transaction)", count, append)
        _timed(rows, "driver `executemany`, json.dumps included", count, lambda: driver(None))
        encoded = [json.dumps(e.payload) for e in made]
        _timed(rows, "driver `executemany`, payload already encoded", count, lambda: (
            driver(encoded)
        ))  # fmt: skip
        _timed(rows, "`apply_pending` (the hub, 500 a transaction)", count, lambda: (
            apply_pending(sessions, owner.workspace_id)
        ))  # fmt: skip
        engine.dispose()
    title = f"### Tracking stages, µs of CPU per event — {count:,} events ({MIX}), SQLite"
    return "\n".join([title, "", *rows])


def main() -> None:
    """Entry point."""
    options = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    options.add_argument("--requests", type=int, default=300, help="bodies of 100 events")
    print(run(options.parse_args().requests))


if __name__ == "__main__":
    main()
