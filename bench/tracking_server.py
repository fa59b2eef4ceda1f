"""``cardfile serve`` with diagnostics, for ``bench.tracking``'s ``--profile``, ``--gc-log`` and
``--gc-freeze``. Not how the benchmark's recorded figures are taken: those run the plain
``cardfile serve``.

    python -m bench.tracking_server [--profile DIR] [--gc-log FILE] [--gc-freeze]

runs exactly what ``cardfile serve`` runs (settings from the environment, migrations, uvicorn
on the app), and:

- ``--profile DIR``: every thread under cProfile; once uvicorn has stopped, one pstats file
  per thread in DIR (the event loop's ``MainThread``, the intake writer's ``cardfile-intake…``,
  Huey's ``Worker-…``). cProfile costs time on every call and counts a thread's waits as time
  spent: these files say where time goes, not how fast Cardfile is.
- ``--gc-log FILE``: each garbage collection's generation and pause, in milliseconds, one per
  line (``gc.callbacks``: nearly free).
- ``--gc-freeze``: an EXPERIMENT, not Cardfile's behaviour: ``gc.collect(); gc.freeze()``
  right before uvicorn starts, so the objects of start-up (modules, the app, SQLAlchemy's
  metadata) are never traversed again by a full collection.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import re
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

_profiles: list[tuple[str, cProfile.Profile]] = []
_lock = threading.Lock()


def _start_in_thread(_frame: FrameType, _event: str, _arg: Any) -> None:
    # threading calls this once in each new thread before its target runs; enabling a
    # profiler here replaces it as the thread's profile function.
    profile = cProfile.Profile()
    with _lock:
        _profiles.append((threading.current_thread().name, profile))
    profile.enable()


class _GcLog:
    """Every collection's generation and pause."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def write(self, path: Path) -> None:
        path.write_text("".join(f"{g} {s * 1000:.3f}\n" for g, s in self.pauses))


def _freeze_before_serving() -> None:
    import uvicorn

    run = uvicorn.run

    def frozen_run(*args: Any, **kwargs: Any) -> None:
        gc.collect()
        gc.freeze()
        run(*args, **kwargs)

    uvicorn.run = frozen_run


def _write_profiles(out: Path, main_profile: cProfile.Profile) -> None:
    main_profile.dump_stats(out / "MainThread.pstats")
    with _lock:
        taken = list(_profiles)
    for n, (name, profile) in enumerate(taken):
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        try:
            profile.dump_stats(out / f"{safe}-{n}.pstats")
        except (TypeError, ValueError):  # a thread that never made a call
            continue


def main() -> None:
    """Serve until SIGINT/SIGTERM, then write what was asked for."""
    options = argparse.ArgumentParser(description="cardfile serve, with diagnostics")
    options.add_argument("--profile", type=Path)
    options.add_argument("--gc-log", type=Path)
    options.add_argument("--gc-freeze", action="store_true")
    args = options.parse_args()
    from cardfile.cli.main import serve

    collections = _GcLog()
    if args.gc_log is not None:
        gc.callbacks.append(collections)
    if args.gc_freeze:
        _freeze_before_serving()
    main_profile = cProfile.Profile()
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        threading.setprofile(_start_in_thread)
        main_profile.enable()
    try:
        serve(host=None, port=None)
    finally:
        if args.profile is not None:
            main_profile.disable()
            threading.setprofile(None)
            _write_profiles(args.profile, main_profile)
        if args.gc_log is not None:
            collections.write(args.gc_log)


if __name__ == "__main__":
    main()
