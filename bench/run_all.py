"""Run every benchmark at full size, one after another, each in its own process.

    .venv/bin/python -m bench.run_all [--backends sqlite,postgres] [--output FILE]

Prints each benchmark's output as it comes; ``--output`` also writes the machine facts and
the result tables to a Markdown file. Each benchmark is killed if it runs past its limit.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench import company_update, graphql_latency, people_import
from bench.command_line import exit_on_sigterm
from bench.databases import BACKENDS
from bench.report import machine

_ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 15 * 60


@dataclass(frozen=True)
class Benchmark:
    """One full-size invocation."""

    module: str
    rows: int
    backend: str

    @property
    def command(self) -> list[str]:
        """The argument vector after ``python``."""
        return ["-m", self.module, "--rows", str(self.rows), "--backend", self.backend]


def plan(backends: list[str]) -> list[Benchmark]:
    """Every benchmark at the issue's full size, for each requested backend."""
    sizes = [
        ("bench.people_import", people_import.FULL_ROWS),
        ("bench.company_update", company_update.FULL_ROWS),
        ("bench.graphql_latency", graphql_latency.FULL_REQUESTS),
    ]
    return [Benchmark(module, rows, backend) for module, rows in sizes for backend in backends]


def run(benchmark: Benchmark) -> tuple[str, int]:
    """Run one benchmark, echoing its output; returns the output and its exit status."""
    shown = " ".join([".venv/bin/python", *benchmark.command])
    print(f"\n$ {shown}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *benchmark.command],
        cwd=_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    assert process.stdout is not None
    deadline = started + LIMIT_SECONDS
    watchdog = threading.Timer(LIMIT_SECONDS, process.terminate)
    watchdog.start()
    try:
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line)
        status = process.wait()
    except BaseException:
        # Stopped from outside: let the benchmark clean up (it turns SIGTERM into an exit).
        process.terminate()
        process.wait(timeout=60)
        raise
    finally:
        watchdog.cancel()
    if time.perf_counter() >= deadline:
        lines.append(f"\n**stopped at the {LIMIT_SECONDS} s limit**\n")
    elapsed = time.perf_counter() - started
    print(f"(exit {status}, {elapsed:.0f} s)", flush=True)
    return f"`{shown}` (exit {status}, {elapsed:.0f} s)\n\n" + _tables(lines), status


def _tables(lines: list[str]) -> str:
    """The Markdown part of a benchmark's output (from its first heading on)."""
    for at, line in enumerate(lines):
        if line.startswith("### "):
            return "".join(lines[at:]).strip() + "\n"
    return "".join(lines[-20:]).strip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.run_all``."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--backends", default=",".join(BACKENDS))
    options.add_argument("--output", type=Path, help="also write the tables to this file")
    args = options.parse_args(argv)
    exit_on_sigterm()
    backends = [b for b in args.backends.split(",") if b]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        options.error(f"unknown backend(s): {', '.join(unknown)}")
    facts = machine(with_postgres="postgres" in backends)
    print(facts, flush=True)
    sections = [f"## Machine\n\n{facts}\n"]
    failures = 0
    for benchmark in plan(backends):
        section, status = run(benchmark)
        sections.append(section)
        failures += status != 0
    if args.output is not None:
        args.output.write_text("\n".join(sections), encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
