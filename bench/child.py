"""Run one measured step in a child process and report that process's own peak RSS.

The parent starts ``python -m <module> --child ...`` and reads the child's one result line
from its stdout. The child adds its peak resident set size, ``VmHWM`` from
``/proc/self/status``: the kernel's high-water mark of the process image since ``exec``,
read after the measured step, so it covers exactly the measured process.

Why not ``getrusage(RUSAGE_CHILDREN)`` or ``os.wait4``'s ``ru_maxrss`` in the parent: on Linux
they also count the memory the child had *before* ``exec``, i.e. the parent's address space
it was forked (or vforked) from. A parent holding 500 MB reports a ``python -c pass`` child at
~490 MB that way; ``VmHWM`` says ~9 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_MARKER = "BENCH-RESULT "
_PROGRESS = "BENCH-PROGRESS "
_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Progress:
    """A point the child reached: rows done, seconds since its timer started, peak RSS."""

    rows: int
    seconds: float
    peak_rss_kib: int


@dataclass(frozen=True)
class ChildRun:
    """What a child reported, its peak RSS, its progress, and its wall time spawn to exit."""

    payload: dict[str, Any]
    peak_rss_kib: int
    wall_seconds: float
    progress: list[Progress]

    @property
    def peak_rss_mb(self) -> float:
        """Peak RSS in MB (10^6 bytes)."""
        return self.peak_rss_kib * 1024 / 1e6


class ChildFailed(RuntimeError):
    """The child exited with an error, was killed at its time limit, or reported nothing.

    ``progress`` holds what it reported before that, so a run killed at its limit still
    tells how far it got.
    """

    def __init__(self, message: str, *, progress: list[Progress], timed_out: bool) -> None:
        super().__init__(message)
        self.progress = progress
        self.timed_out = timed_out


def _progress(output: str) -> list[Progress]:
    return [
        Progress(**json.loads(line[len(_PROGRESS) :]))
        for line in output.splitlines()
        if line.startswith(_PROGRESS)
    ]


def run_child(module: str, args: list[str], *, timeout: float) -> ChildRun:
    """Run ``python -m module *args`` and return its result; kill it after ``timeout`` s."""
    started = time.perf_counter()
    command = [sys.executable, "-m", module, *args]
    try:
        done = subprocess.run(
            command, stdout=subprocess.PIPE, text=True, cwd=_ROOT, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as expired:
        partial = expired.stdout if isinstance(expired.stdout, str) else ""
        raise ChildFailed(
            f"{module} {' '.join(args)} was killed after {timeout:.0f} s",
            progress=_progress(partial),
            timed_out=True,
        ) from None
    wall = time.perf_counter() - started
    progress = _progress(done.stdout)
    if done.returncode != 0:
        raise ChildFailed(
            f"{module} {' '.join(args)} exited with {done.returncode}",
            progress=progress,
            timed_out=False,
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith(_MARKER)]
    if not lines:
        raise ChildFailed(
            f"{module} {' '.join(args)} reported no result", progress=progress, timed_out=False
        )
    payload = json.loads(lines[-1][len(_MARKER) :])
    peak = int(payload.pop("peak_rss_kib"))
    return ChildRun(payload=payload, peak_rss_kib=peak, wall_seconds=wall, progress=progress)


def peak_rss_kib() -> int:
    """This process's peak resident set size so far (``VmHWM``), in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (not Linux?)")


def emit(payload: dict[str, Any]) -> None:
    """Report the child's result and its peak RSS to the parent (one marked JSON line)."""
    line = json.dumps({**payload, "peak_rss_kib": peak_rss_kib()})
    sys.stdout.write(_MARKER + line + "\n")
    sys.stdout.flush()


class ProgressLines:
    """An importer ``progress`` callback that reports each chunk to the parent.

    Args:
        started: the ``time.perf_counter()`` value the measured step's timer started at.
    """

    def __init__(self, started: float) -> None:
        self.started = started

    def __call__(self, rows: int, _bytes_read: int) -> None:
        point = {
            "rows": rows,
            "seconds": time.perf_counter() - self.started,
            "peak_rss_kib": peak_rss_kib(),
        }
        sys.stdout.write(_PROGRESS + json.dumps(point) + "\n")
        sys.stdout.flush()


def pace(progress: list[Progress], total_rows: int) -> str:
    """Seconds at which each tenth of ``total_rows`` was reached, to show a slowing rate."""
    marks: list[str] = []
    next_tenth = 1
    for point in progress:
        while next_tenth <= 10 and point.rows * 10 >= total_rows * next_tenth:
            marks.append(f"{next_tenth * 10}% {point.seconds:.1f}s")
            next_tenth += 1
    return ", ".join(marks) if marks else "no progress reported"
