"""Profile ``import_people`` with cProfile on a generated file (a diagnostic, not a benchmark).

    .venv/bin/python -m bench.profile_import --rows 100000 --backend postgres [--top 25]

Prints the functions with the highest cumulative time. Only the import and its commit are
profiled (not the file's generation or the migration); cProfile slows Python code down, so
read the shares, not the absolute times.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import tempfile
from pathlib import Path

from bench.command_line import exit_on_sigterm, parser
from bench.databases import Backend, fresh_database
from bench.datasets import write_people_csv
from bench.store_setup import prepare
from cardfile.ingest.csv import import_people
from cardfile.store.db import session_factory, transaction


def profile(rows: int, backend: Backend, *, seed: int, top: int) -> str:
    """Import ``rows`` generated rows under cProfile; returns the cumulative-time table."""
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="cardfile-bench-") as tmp:
        people = write_people_csv(Path(tmp) / "people.csv", rows, seed=seed)
        with fresh_database(backend, Path(tmp), "profile") as database:
            engine, workspace_id = prepare(database.url)
            factory = session_factory(engine)
            profiler.enable()
            with people.path.open("rb") as stream, transaction(factory) as session:
                import_people(session, workspace_id, stream)
            profiler.disable()
            engine.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.profile_import [--rows N] [--backend ...] [--top N]``."""
    options = parser("cProfile of import_people", default_rows=100_000, rows_help="CSV rows")
    options.add_argument("--top", type=int, default=25, help="functions to list")
    args = options.parse_args(argv)
    exit_on_sigterm()
    print(profile(args.rows, args.backend, seed=args.seed, top=args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
