"""The options every benchmark takes, and the hidden ones its child processes take."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from types import FrameType

from bench.databases import BACKENDS
from bench.report import machine


def parser(description: str, *, default_rows: int, rows_help: str) -> argparse.ArgumentParser:
    """``--rows N``, ``--backend sqlite|postgres``, ``--seed``, plus the child-only options."""
    made = argparse.ArgumentParser(description=description)
    made.add_argument("--rows", type=int, default=default_rows, help=rows_help)
    made.add_argument("--backend", choices=BACKENDS, default="sqlite")
    made.add_argument("--seed", type=int, default=7, help="seed of the generated data")
    made.add_argument(
        "--timeout",
        type=float,
        default=480.0,
        help="seconds before one measured step (one side) is killed",
    )
    # Set by the parent when it starts a measured step in a child process.
    made.add_argument("--child", help=argparse.SUPPRESS)
    made.add_argument("--url", help=argparse.SUPPRESS)
    made.add_argument("--csv", help=argparse.SUPPRESS)
    return made


def exit_on_sigterm() -> None:
    """Turn SIGTERM into ``SystemExit``, so ``finally`` blocks still drop the databases and
    stop the server processes of a benchmark that is stopped from outside."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def run_benchmark(
    argv: list[str] | None,
    *,
    description: str,
    default_rows: int,
    rows_help: str,
    child: Callable[[argparse.Namespace], None],
    measure: Callable[..., tuple[str, bool]],
) -> int:
    """A measuring benchmark's entry point: parse the options, then either be the child that
    runs one measured step, or the parent that measures and prints the table."""
    args = parser(description, default_rows=default_rows, rows_help=rows_help).parse_args(argv)
    exit_on_sigterm()
    if args.child:
        child(args)
        return 0
    print(machine(with_postgres=args.backend == "postgres"), flush=True)
    text, ok = measure(args.rows, args.backend, seed=args.seed, timeout=args.timeout)
    print()
    print(text, flush=True)
    return 0 if ok else 1
