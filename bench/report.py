"""Result tables (Markdown, so they paste into RESULTS.md) and a description of the machine."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.databases import postgres_version


@dataclass(frozen=True)
class Line:
    """One metric: Cardfile's figure beside the baseline's, and the issue's target if any.

    ``target`` is a readable rule; ``met`` is whether Cardfile's figure satisfies it (None
    when the issue sets no target for this metric).
    """

    metric: str
    cardfile: float
    baseline: float | None
    target: str = "none set"
    met: bool | None = None
    digits: int = 0


def _number(value: float | None, digits: int) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def table(title: str, lines: Sequence[Line]) -> str:
    """A Markdown table: metric, Cardfile, baseline, ratio, target, met."""
    out = [
        f"### {title}",
        "",
        "| metric | Cardfile | baseline | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for line in lines:
        ratio = "—"
        if line.baseline:
            ratio = f"{line.cardfile / line.baseline:.2f}"
        met = "n/a" if line.met is None else ("yes" if line.met else "**no**")
        out.append(
            f"| {line.metric} | {_number(line.cardfile, line.digits)} "
            f"| {_number(line.baseline, line.digits)} | {ratio} | {line.target} | {met} |"
        )
    return "\n".join(out)


def code_version() -> str:
    """The commit measured, and whether ``src/`` had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=30
        )
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(git("status", "--porcelain", "--", "src"))
    return f"{commit}{' + uncommitted changes in src/' if dirty else ''}"


def machine(*, with_postgres: bool) -> str:
    """One line per fact about where the figures were measured."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    facts = [
        f"- CPUs (nproc): {len(os.sched_getaffinity(0))} x {cpu}",
        f"- OS: {platform.platform()}",
        f"- Python: {sys.version.split()[0]} ({sys.executable})",
        f"- SQLite: {sqlite3.sqlite_version}",
        f"- Cardfile: commit {code_version()}",
        "- Load average at start (1/5/15 min): "
        + " / ".join(f"{load:.2f}" for load in os.getloadavg()),
    ]
    if with_postgres:
        facts.append(f"- PostgreSQL server: {postgres_version()} on 127.0.0.1:5432")
    return "\n".join(facts)
