"""Benchmark: ``update_companies`` (``updateCompanyAttributeValuesFromCSV``), 5 attributes.

Set-up (not timed): a store holding N companies (imported by Cardfile from a people CSV with
one row per company, all ids filled) and five company attributes — text, number, checkbox,
a select of 10 options, text. An update file gives every company a value of each, matched by
``customId``, in shuffled order. That store is then copied twice, once per side.

Cardfile: ``cardfile.ingest.csv.update_companies(..., identifier="customId")`` in one
``transaction``, file to commit (it upserts the values and gives each company a new change
number). Baseline: the same file read with the ``csv`` module, each ``customId`` looked up in
a dict loaded from the companies table, and the same N x 5 values, JSON-encoded, inserted into
the empty ``company_values`` table — stdlib ``sqlite3`` ``executemany`` in one transaction, or
psycopg ``COPY`` on PostgreSQL. The issue sets no target for this one.

    .venv/bin/python -m bench.company_update --rows 250000
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select

from bench.child import ChildFailed, ChildRun, ProgressLines, emit, pace, run_child
from bench.command_line import run_benchmark
from bench.databases import Backend, Database, fresh_database
from bench.datasets import UPDATE_COLUMNS, write_people_csv, write_update_csv
from bench.report import Line, table
from bench.store_setup import prepare, workspace_id
from cardfile.ingest.csv import import_people, update_companies
from cardfile.store import attributes
from cardfile.store.db import create_store_engine, session_factory, transaction
from cardfile.store.schema import AttributeDefinition, AttributeOption, CompanyValue
from cardfile.types import AttributeType

FULL_ROWS = 250_000
QUICK_ROWS = 10_000

# --- child side ---------------------------------------------------------------------------


def _count_values(url: str) -> int:
    engine = create_store_engine(url)
    with session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(CompanyValue)) or 0
    engine.dispose()
    return count


def run_cardfile(url: str, csv_path: Path) -> dict[str, Any]:
    """Apply the update file with Cardfile; returns the timing and the report."""
    engine = create_store_engine(url)
    workspace = workspace_id(engine)
    factory = session_factory(engine)
    started = time.perf_counter()
    with csv_path.open("rb") as stream, transaction(factory) as session:
        report = update_companies(
            session, workspace, stream, identifier="customId", progress=ProgressLines(started)
        )
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "seconds": seconds,
        "rows": report.rows,
        "rows_applied": report.rows_applied,
        "refused_rows": report.refused_rows,
        "values_set": report.values_set,
        "companies_updated": report.companies_updated,
        "stored_values": _count_values(url),
    }


def _definitions(url: str) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
    """``name -> (definition id, type)`` and ``option title -> option id`` (set-up, untimed)."""
    engine = create_store_engine(url)
    with session_factory(engine)() as session:
        defined = {d.name: (d.id, d.type) for d in session.scalars(select(AttributeDefinition))}
        options = {o.title: o.id for o in session.scalars(select(AttributeOption))}
    engine.dispose()
    return defined, options


def baseline_values(
    csv_path: Path,
    company_ids: dict[str, int],
    defined: dict[str, tuple[int, str]],
    options: dict[str, int],
) -> Iterator[tuple[int, int, str]]:
    """``(company_id, definition_id, JSON text)`` for every cell of the update file."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = [(i, *defined[name]) for i, name in enumerate(header) if name in defined]
        key_at = header.index("customId")
        for record in reader:
            company_id = company_ids[record[key_at]]
            for at, definition_id, kind in columns:
                cell = record[at]
                value: object = cell
                if kind == AttributeType.NUMBER.value:
                    value = float(cell)
                elif kind == AttributeType.CHECKBOX.value:
                    value = cell == "true"
                elif kind == AttributeType.SELECT.value:
                    value = str(options[cell])
                yield company_id, definition_id, json.dumps(value, ensure_ascii=False)


def run_baseline(url: str, csv_path: Path) -> dict[str, Any]:
    """Insert the file's values by the plainest fast path of the backend."""
    defined, options = _definitions(url)
    lookup = "SELECT custom_id, id FROM companies"
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url[len("sqlite:///") :], isolation_level=None)
        # The same pragmas Cardfile's engine sets.
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        started = time.perf_counter()
        connection.execute("BEGIN")
        company_ids = dict(connection.execute(lookup).fetchall())
        connection.executemany(
            "INSERT INTO company_values (company_id, definition_id, value) VALUES (?, ?, ?)",
            baseline_values(csv_path, company_ids, defined, options),
        )
        connection.execute("COMMIT")
        seconds = time.perf_counter() - started
        connection.close()
    else:
        libpq_url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(libpq_url) as pg:
            started = time.perf_counter()
            with pg.transaction(), pg.cursor() as cursor:
                company_ids = dict(cursor.execute(lookup).fetchall())
                copy_sql = "COPY company_values (company_id, definition_id, value) FROM STDIN"
                with cursor.copy(copy_sql) as copy:
                    for row in baseline_values(csv_path, company_ids, defined, options):
                        copy.write_row(row)
            seconds = time.perf_counter() - started
    return {"seconds": seconds, "stored_values": _count_values(url)}


# --- parent side --------------------------------------------------------------------------


def _prepare_source(database: Database, companies_csv: Path) -> int:
    """Import the companies and define the five attributes (untimed set-up)."""
    engine, workspace = prepare(database.url)
    factory = session_factory(engine)
    with companies_csv.open("rb") as stream, transaction(factory) as session:
        report = import_people(session, workspace, stream)
    with transaction(factory) as session:
        for column in UPDATE_COLUMNS:
            attributes.create_definition(
                session,
                workspace_id=workspace,
                entity=attributes.COMPANY,
                name=column.name,
                type=AttributeType(column.type),
                options=column.options,
            )
    engine.dispose()
    return report.companies_created


def measure(companies: int, backend: Backend, *, seed: int, timeout: float) -> tuple[str, bool]:
    """Run both sides; returns the printed report and whether the figures are trustworthy."""
    with tempfile.TemporaryDirectory(prefix="cardfile-bench-") as tmp:
        workdir = Path(tmp)
        source_csv = write_people_csv(
            workdir / "companies.csv", companies, seed=seed, per_company=(1, 1)
        )
        update_csv = workdir / "update.csv"
        rows = write_update_csv(update_csv, source_csv.companies, seed=seed + 1)
        runs: dict[str, ChildRun] = {}
        with fresh_database(backend, workdir, "source") as source:
            started = time.perf_counter()
            created = _prepare_source(source, source_csv.path)
            print(
                f"set-up: {created:,} companies and {len(UPDATE_COLUMNS)} attributes "
                f"in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            for side in ("baseline", "cardfile"):
                with fresh_database(backend, workdir, side, template=source) as database:
                    args = ["--child", side, "--url", database.url, "--csv", str(update_csv)]
                    try:
                        runs[side] = run_child("bench.company_update", args, timeout=timeout)
                    except ChildFailed as failure:
                        if side == "baseline" or not failure.timed_out or not failure.progress:
                            raise
                        print(f"{side}: {failure}", flush=True)
                        return _killed_report(backend, rows, failure, runs["baseline"]), False
                print(f"{side}: {runs[side].payload}", flush=True)
    base, card = runs["baseline"], runs["cardfile"]
    values = rows * len(UPDATE_COLUMNS)
    ok = (
        card.payload["refused_rows"] == 0
        and card.payload["stored_values"] == values == base.payload["stored_values"]
    )
    card_seconds, base_seconds = card.payload["seconds"], base.payload["seconds"]
    lines = [
        Line("rows/s (companies updated)", rows / card_seconds, rows / base_seconds),
        Line("values/s", values / card_seconds, values / base_seconds),
        Line("seconds", card_seconds, base_seconds, digits=1),
        Line("peak RSS of the process, MB", card.peak_rss_mb, base.peak_rss_mb, digits=1),
    ]
    text = table(_title(backend, rows), lines)
    text += f"\n\nCardfile's pace (rows reached at): {pace(card.progress, rows)}"
    if not ok:
        text += "\n\n**WARNING: value counts differ; the figures above are not comparable.**"
    return text, ok


def _title(backend: Backend, rows: int) -> str:
    baseline_name = "sqlite3 executemany" if backend == "sqlite" else "psycopg COPY"
    return (
        f"Company attribute update from CSV — {backend}, {rows:,} rows x "
        f"{len(UPDATE_COLUMNS)} attributes (baseline: {baseline_name} of the values)"
    )


def _killed_report(backend: Backend, rows: int, killed: ChildFailed, base: ChildRun) -> str:
    """The table of a Cardfile run stopped at its time limit, from its last progress."""
    last = killed.progress[-1]
    base_seconds = base.payload["seconds"]
    lines = [
        Line("rows/s until stopped (upper bound)", last.rows / last.seconds, rows / base_seconds),
        Line("seconds", last.seconds, base_seconds, digits=1),
    ]
    return (
        table(_title(backend, rows), lines)
        + f"\n\n**Cardfile did not finish: {killed} after {last.rows:,} of {rows:,} rows "
        f"(nothing committed).**\n\nCardfile's pace (rows reached at): "
        f"{pace(killed.progress, rows)}"
    )


def _child(args: argparse.Namespace) -> None:
    csv_path = Path(args.csv)
    if args.child == "cardfile":
        emit(run_cardfile(args.url, csv_path))
    else:
        emit(run_baseline(args.url, csv_path))


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.company_update [--rows N] [--backend ...]``."""
    return run_benchmark(
        argv,
        description="updateCompanyAttributeValuesFromCSV benchmark",
        default_rows=QUICK_ROWS,
        rows_help=f"companies (= rows of the update file); full size is {FULL_ROWS:,}",
        child=_child,
        measure=measure,
    )


if __name__ == "__main__":
    sys.exit(main())
