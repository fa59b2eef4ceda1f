"""Benchmark: ``import_people`` of a generated people CSV, against the plainest fast path.

Cardfile: ``cardfile.ingest.csv.import_people`` in one ``transaction``, file to commit.
Baseline: the same file read with the ``csv`` module and the same companies and people
inserted into a freshly migrated store of the same schema (so the same indexes and unique
constraints cost both sides): stdlib ``sqlite3`` ``executemany`` in one transaction on SQLite,
psycopg 3 ``COPY ... FROM STDIN`` in one transaction on PostgreSQL. Both stream the file in
batches (companies of a batch, then its people), and both timings cover reading and parsing
the CSV. Each side runs in its own child process on its own fresh database; the child's peak
RSS comes from ``os.wait4`` (see ``bench.child``).

Issue targets: Cardfile's rate at least half the baseline's; Cardfile's peak RSS under 400 MB.

    .venv/bin/python -m bench.people_import --rows 1000000 --backend postgres
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select

from bench.child import ChildFailed, ChildRun, ProgressLines, emit, pace, run_child
from bench.command_line import run_benchmark
from bench.databases import Backend, Database, fresh_database
from bench.datasets import ID_LABELS, write_people_csv
from bench.report import Line, table
from bench.store_setup import prepare
from cardfile.ingest.csv import import_people
from cardfile.store.db import session_factory, transaction
from cardfile.store.schema import EXTERNAL_ID_COLUMNS, Company, Person

FULL_ROWS = 1_000_000
QUICK_ROWS = 20_000
RATE_TARGET = 0.5  # Cardfile's rows/s as a fraction of the baseline's
RSS_TARGET_MB = 400.0
BATCH = 20_000  # rows per baseline batch

_COMPANY_COLUMNS = (
    "id",
    "workspace_id",
    "name",
    *(EXTERNAL_ID_COLUMNS[label] for label in ID_LABELS),
    "change_seq",
    "created_at",
    "updated_at",
)
_PERSON_COLUMNS = (
    "id",
    "workspace_id",
    "company_id",
    "name",
    "email",
    "change_seq",
    "created_at",
    "updated_at",
)


# --- child side ---------------------------------------------------------------------------


def _count_stored(database_url: str) -> tuple[int, int]:
    from cardfile.store.db import create_store_engine

    engine = create_store_engine(database_url)
    with session_factory(engine)() as session:
        companies = session.scalar(select(func.count()).select_from(Company)) or 0
        people = session.scalar(select(func.count()).select_from(Person)) or 0
    engine.dispose()
    return companies, people


def run_cardfile(url: str, csv_path: Path) -> dict[str, Any]:
    """Import the file with Cardfile; returns the timing and the importer's report."""
    engine, workspace_id = prepare(url)
    factory = session_factory(engine)
    started = time.perf_counter()
    with csv_path.open("rb") as stream, transaction(factory) as session:
        report = import_people(session, workspace_id, stream, progress=ProgressLines(started))
    seconds = time.perf_counter() - started
    engine.dispose()
    companies, people = _count_stored(url)
    return {
        "seconds": seconds,
        "rows": report.rows,
        "rows_applied": report.rows_applied,
        "refused_rows": report.refused_rows,
        "companies_created": report.companies_created,
        "people_created": report.people_created,
        "stored_companies": companies,
        "stored_people": people,
    }


Batch = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def baseline_batches(csv_path: Path, workspace_id: int, now: object) -> Iterator[Batch]:
    """The file's companies and people as insertable tuples, ``BATCH`` rows at a time.

    Rows of one company are consecutive, so a change of ``customId`` starts a new company
    and its id is known without asking the database.
    """
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        at = {name: i for i, name in enumerate(header)}
        name_at, person_at, email_at, key_at = (
            at["companyName"],
            at["name"],
            at["email"],
            at["customId"],
        )
        id_at = [at[label] for label in ID_LABELS]
        companies: list[tuple[Any, ...]] = []
        people: list[tuple[Any, ...]] = []
        company_id = change_seq = 0
        last_key = None
        for person_id, record in enumerate(reader, start=1):
            if record[key_at] != last_key:
                last_key = record[key_at]
                company_id += 1
                change_seq += 1
                ids = [record[i] for i in id_at]
                companies.append(
                    (company_id, workspace_id, record[name_at], *ids, change_seq, now, now)
                )
            change_seq += 1
            people.append(
                (
                    person_id,
                    workspace_id,
                    company_id,
                    record[person_at],
                    record[email_at],
                    change_seq,
                    now,
                    now,
                )
            )
            if len(people) >= BATCH:
                yield companies, people
                companies, people = [], []
        if people:
            yield companies, people


def _insert_sql(table_name: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({marks})"


def _sqlite_connection(path: Path) -> sqlite3.Connection:
    """A plain stdlib connection with the same pragmas Cardfile's engine sets."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def run_baseline(url: str, csv_path: Path, database: Database) -> dict[str, Any]:
    """Insert the file's rows by the plainest fast path of the backend; returns the timing."""
    engine, workspace_id = prepare(url)
    engine.dispose()
    rows = 0
    if database.backend == "sqlite":
        assert database.path is not None
        # SQLAlchemy's storage format for DateTime on SQLite.
        now_text = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        connection = _sqlite_connection(database.path)
        companies_sql = _insert_sql("companies", _COMPANY_COLUMNS)
        people_sql = _insert_sql("people", _PERSON_COLUMNS)
        started = time.perf_counter()
        connection.execute("BEGIN")
        for companies, people in baseline_batches(csv_path, workspace_id, now_text):
            connection.executemany(companies_sql, companies)
            connection.executemany(people_sql, people)
            rows += len(people)
        connection.execute("COMMIT")
        seconds = time.perf_counter() - started
        connection.close()
    else:
        now = datetime.now(UTC)
        companies_copy = f"COPY companies ({', '.join(_COMPANY_COLUMNS)}) FROM STDIN"
        people_copy = f"COPY people ({', '.join(_PERSON_COLUMNS)}) FROM STDIN"
        with psycopg.connect(database.libpq_url) as pg:
            started = time.perf_counter()
            with pg.transaction(), pg.cursor() as cursor:
                for companies, people in baseline_batches(csv_path, workspace_id, now):
                    with cursor.copy(companies_copy) as copy:
                        for company in companies:
                            copy.write_row(company)
                    with cursor.copy(people_copy) as copy:
                        for person in people:
                            copy.write_row(person)
                    rows += len(people)
            seconds = time.perf_counter() - started
    companies_stored, people_stored = _count_stored(url)
    return {
        "seconds": seconds,
        "rows": rows,
        "stored_companies": companies_stored,
        "stored_people": people_stored,
    }


# --- parent side --------------------------------------------------------------------------


def _child(args: argparse.Namespace) -> None:
    csv_path = Path(args.csv)
    url: str = args.url
    if args.child == "cardfile":
        emit(run_cardfile(url, csv_path))
        return
    if url.startswith("sqlite:///"):
        database = Database(backend="sqlite", url=url, path=Path(url[len("sqlite:///") :]))
    else:
        database = Database(backend="postgres", url=url, name=url.rsplit("/", 1)[1])
    emit(run_baseline(url, csv_path, database))


def measure(rows: int, backend: Backend, *, seed: int, timeout: float) -> tuple[str, bool]:
    """Run both sides; returns the printed report and whether the figures are trustworthy."""
    killed: ChildFailed | None = None
    with tempfile.TemporaryDirectory(prefix="cardfile-bench-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        people = write_people_csv(workdir / "people.csv", rows, seed=seed)
        generated = time.perf_counter() - started
        size_mb = people.path.stat().st_size / 1e6
        print(
            f"generated {people.rows:,} rows, {people.companies:,} companies, "
            f"{size_mb:,.1f} MB in {generated:.1f} s",
            flush=True,
        )
        runs: dict[str, ChildRun] = {}
        for side in ("baseline", "cardfile"):
            with fresh_database(backend, workdir, side) as database:
                args = ["--child", side, "--url", database.url, "--csv", str(people.path)]
                try:
                    runs[side] = run_child("bench.people_import", args, timeout=timeout)
                except ChildFailed as failure:
                    if side == "baseline" or not failure.timed_out or not failure.progress:
                        raise
                    killed = failure
                    print(f"{side}: {failure}", flush=True)
                    continue
            print(f"{side}: {runs[side].payload}", flush=True)
    base = runs["baseline"]
    base_rate = people.rows / base.payload["seconds"]
    baseline_name = "sqlite3 executemany" if backend == "sqlite" else "psycopg COPY"
    title = (
        f"People CSV import — {backend}, {people.rows:,} rows, {people.companies:,} companies "
        f"(baseline: {baseline_name})"
    )
    if killed is not None:
        return _killed_report(title, killed, base, people.rows, timeout), False
    card = runs["cardfile"]
    ok = (
        card.payload["refused_rows"] == 0
        and card.payload["stored_people"] == people.rows == base.payload["stored_people"]
        and card.payload["stored_companies"] == people.companies
        and base.payload["stored_companies"] == people.companies
    )
    card_rate = people.rows / card.payload["seconds"]
    lines = [
        Line(
            "rows/s (CSV file → committed)",
            card_rate,
            base_rate,
            target=f"≥ {RATE_TARGET} x baseline",
            met=card_rate >= RATE_TARGET * base_rate,
        ),
        Line("seconds", card.payload["seconds"], base.payload["seconds"], digits=1),
        Line(
            "peak RSS of the process, MB",
            card.peak_rss_mb,
            base.peak_rss_mb,
            target=f"< {RSS_TARGET_MB:.0f} MB",
            met=card.peak_rss_mb < RSS_TARGET_MB,
            digits=1,
        ),
    ]
    text = table(title, lines)
    text += f"\n\nCardfile's pace (rows reached at): {pace(card.progress, people.rows)}"
    if not ok:
        text += "\n\n**WARNING: row counts differ; the figures above are not comparable.**"
    return text, ok


def _killed_report(
    title: str, killed: ChildFailed, base: ChildRun, rows: int, timeout: float
) -> str:
    """The table of a Cardfile run stopped at its time limit, from its last progress."""
    last = killed.progress[-1]
    rate = last.rows / last.seconds
    base_rate = rows / base.payload["seconds"]
    peak_mb = last.peak_rss_kib * 1024 / 1e6
    lines = [
        Line(
            "rows/s until stopped (upper bound)",
            rate,
            base_rate,
            target=f"≥ {RATE_TARGET} x baseline",
            met=False,
        ),
        Line("seconds", last.seconds, base.payload["seconds"], digits=1),
        Line(
            "peak RSS until stopped, MB",
            peak_mb,
            base.peak_rss_mb,
            target=f"< {RSS_TARGET_MB:.0f} MB",
            met=None,
            digits=1,
        ),
    ]
    return (
        table(title, lines)
        + f"\n\n**Cardfile did not finish: killed at the {timeout:.0f} s limit after "
        f"{last.rows:,} of {rows:,} rows (nothing committed).** "
        f"Its rate is measured up to its last reported chunk.\n\n"
        f"Cardfile's pace (rows reached at): {pace(killed.progress, rows)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.people_import [--rows N] [--backend ...]``."""
    return run_benchmark(
        argv,
        description=__doc__.splitlines()[0] if __doc__ else "people import",
        default_rows=QUICK_ROWS,
        rows_help=f"CSV rows (people); full size is {FULL_ROWS:,}",
        child=_child,
        measure=measure,
    )


if __name__ == "__main__":
    sys.exit(main())
