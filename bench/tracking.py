"""Benchmark: the tracking API (Segment's HTTP API) on loopback, durable storage on, events
processed into the hub and delivered to the Attio simulator.

Each part starts a fresh deployment — ``cardfile serve`` in its own process, set up with the
CLI (``workspaces create``, ``sources create``, ``write-keys create``) — on the embedded SQLite
default (a temporary ``CARDFILE_DATA_DIR``) or, with ``--backend postgres``, a PostgreSQL
database made for it on 127.0.0.1:5432 and dropped after. The load comes from this process
(``bench.tracking_load``: a lean asyncio HTTP/1.1 client, see there why not httpx).

1. ``/v1/batch``, 100 events a request (20% identify, 10% group, 70% track, realistic traits
   and context), from ``--connections`` keep-alive connections for ``--seconds`` (60) after a
   2 s warm-up: events/s accepted (answered 200), events/s applied to the hub (events whose
   ``hub_status`` left ``pending``, read from the store during and after the run), p50/p99
   request latency. Target ≥ 20,000 events/s accepted on SQLite.
2. Single-event ``/v1/track`` from 64 connections for ``--track-seconds``: events/s and p99
   latency. Target ≥ 3,000/s, p99 < 50 ms.
3. End-to-end: the Attio simulator (``python -m simulators.attio``, 25 writes/s), a connection
   (``cardfile connections add attio``) and a destination with ``identify_user`` and
   ``group_workspace`` (``cardfile destinations apply``); N users' identify + group sent; events/s
   from the first request to the last delivery confirmed ``sent``, beside the ceiling Attio's
   write limit allows (an identify is 2 writes, a group 3: company, workspace, users link).
4. Baselines, measured in the same run with the same load: ``bench.tracking_baseline``, a
   minimal FastAPI endpoint doing ``json.loads`` and one transaction per request (no group
   commit); and RudderStack's *published* gateway figure, quoted, not measured.

    .venv/bin/python -m bench.tracking                        # all three, SQLite, ~4 min
    .venv/bin/python -m bench.tracking --backend postgres
    .venv/bin/python -m bench.tracking --part batch --seconds 20 --profile /tmp/prof
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import pstats
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

from bench.command_line import exit_on_sigterm
from bench.databases import BACKENDS, Backend, fresh_database, postgres_version
from bench.report import Line, table
from bench.tracking_load import (
    MIX,
    Tally,
    basic_auth,
    batch_body,
    check_messages,
    post,
    run_load,
    track_body,
)
from bench.tracking_servers import (
    ATTIO_TOKEN,
    SLUG,
    Cpu,
    Deployment,
    Point,
    Sampler,
    Server,
    Store,
    attio_simulator,
    baseline_server,
    cardfile_server,
    deployment,
    gc_summary,
    set_up,
    worker_process,
)

BATCH_TARGET = 20_000.0
TRACK_TARGET = 3_000.0
TRACK_P99_TARGET_MS = 50.0
RUDDERSTACK_EPS = 2_500.0
RUDDERSTACK = (
    "RudderStack's published gateway load test: 2.5K events/s sustained on an m4.2xlarge "
    "(8 cores, 32 GB; 1.7K/s on a 2-core m5.large), PostgreSQL on a db.m4.xlarge RDS "
    "(rudderstack.com docs, 'Infra provisioning', 'Load Test Results'); quoted, not measured"
)
ATTIO_WRITES_PER_SECOND = 25.0
WRITES = {"identify": 2, "group": 3}  # person + user; company + workspace + users link
WARM_UP = 2.0
CORES = len(os.sched_getaffinity(0))
DISTURBED = 0.25  # cores other processes may take before a run's figures are flagged


def say(text: str) -> None:
    """A progress line."""
    print(text, flush=True)


def facts(backend: Backend) -> str:
    """Where the figures were measured (no git: the commit is for the reader to add)."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    libraries = ", ".join(
        f"{name} {version(name)}"
        for name in ("uvicorn", "uvloop", "httptools", "starlette", "fastapi", "sqlalchemy")
    )
    lines = [
        f"- CPUs: {len(os.sched_getaffinity(0))} x {cpu}",
        f"- OS: {platform.platform()}; Python {sys.version.split()[0]}; "
        f"SQLite {sqlite3.sqlite_version}",
        f"- Libraries: {libraries}, psycopg {version('psycopg')}",
        "- Load average at start (1/5/15 min): "
        + " / ".join(f"{load:.2f}" for load in os.getloadavg()),
    ]
    if backend == "postgres":
        lines.append(f"- PostgreSQL server: {postgres_version()} on 127.0.0.1:5432")
    return "\n".join(lines)


# --- parts 1 and 2: load against a server -------------------------------------------------


@dataclass
class Measured:
    """One load run against one server: the client's tally, CPU, and (Cardfile) the hub."""

    label: str
    backend: Backend
    tally: Tally
    cpu: dict[str, Any]
    start: Point | None = None
    end: Point | None = None
    drained: Point | None = None
    drained_in: float | None = None
    statuses: dict[str, int] | None = None
    pace: str = ""
    gc: str | None = None

    @property
    def applied_per_second(self) -> float | None:
        """Events the hub finished during the measured window, per second."""
        if self.start is None or self.end is None:
            return None
        return (self.end.applied - self.start.applied) / (self.end.at - self.start.at)

    @property
    def backlog(self) -> int | None:
        """Events still pending for the hub when the load stopped."""
        return None if self.end is None else self.end.stored - self.end.applied

    def cpu_line(self) -> str:
        """CPU use, in cores."""
        c = self.cpu
        threads = ", ".join(f"{share:.2f}" for _, share in c["threads"][:6])
        others = c["others"] + (c["postgres"] if self.backend != "postgres" else 0.0)
        processes = c["server"] + c["worker"] + c["client"] + c["postgres"] + c["others"]
        kernel = max(0.0, c["machine"] * CORES - processes)
        text = (
            f"CPU in cores: server process {c['server']:.2f} (event-loop thread "
            f"{c['event_loop']:.2f}; busiest threads {threads}), load generator "
            f"{c['client']:.2f}, "
        )
        if c["worker"]:
            text += f"`cardfile worker` process {c['worker']:.2f}, "
        if self.backend == "postgres":
            text += f"PostgreSQL {c['postgres']:.2f}, "
        text += (
            f"other processes {others:.2f}, kernel {kernel:.2f}; machine "
            f"{c['machine'] * 100:.0f}% busy"
        )
        if others > DISTURBED:
            text += " — **other processes took CPU: these figures are disturbed**"
        return text

    def detail(self) -> str:
        """What the table leaves out."""
        t = self.tally
        parts = [
            f"- **{self.label}**: {t.requests:,} requests in {t.seconds:.1f} s, statuses "
            f"{dict(sorted(t.statuses.items()))}, errors {dict(t.errors) or 'none'}; "
            f"{self.cpu_line()}."
        ]
        if self.end is not None and self.start is not None:
            drained = (
                f"drained {self.drained_in:.1f} s after the load stopped"
                if self.drained_in is not None
                else f"{self.drained.stored - self.drained.applied:,} still pending when the "
                "benchmark stopped waiting"
                if self.drained is not None
                else "not waited for"
            )
            parts.append(
                f"  Hub: {self.end.applied - self.start.applied:,} events applied in the "
                f"{self.end.at - self.start.at:.1f} s window; backlog at its end "
                f"{self.backlog:,}, {drained}. Final hub statuses {self.statuses}."
            )
            parts.append(f"  Stored / applied by time: {self.pace}")
        if self.gc:
            parts.append(f"  Garbage collections in the server (whole run): {self.gc}")
        return "\n".join(parts)


def _pace(points: list[Point], origin: float, every: float = 10.0) -> str:
    marks: list[str] = []
    next_at = every
    for point in points:
        if point.at - origin >= next_at:
            marks.append(f"{point.at - origin:.0f}s {point.stored:,}/{point.applied:,}")
            next_at += every
    return "; ".join(marks) or "—"


def measure_cardfile(
    backend: Backend,
    server: Server,
    store: Store,
    path: str,
    make: Callable[[int], tuple[bytes, int]],
    write_key: str,
    *,
    connections: int,
    seconds: float,
    drain: float,
) -> Measured:
    """The load against Cardfile, the hub watched during it and after it, up to ``drain`` s."""
    wait_quiet()
    worker = server.worker.pid if server.worker is not None else None
    cpu = Cpu(server.pid, worker)
    marks: dict[str, Point] = {}

    def on_window() -> None:
        cpu.mark("start")
        marks["start"] = store.point()

    with Sampler(store) as sampler:
        origin = time.perf_counter()
        tally = run_load(
            server.port,
            path,
            make,
            authorization=basic_auth(write_key),
            connections=connections,
            seconds=seconds,
            warm_up=WARM_UP,
            on_window=on_window,
        )
        cpu.mark("end")
        end = store.point()
        deadline = time.perf_counter() + drain
        drained = end
        while drained.applied < drained.stored and time.perf_counter() < deadline:
            time.sleep(0.25)
            drained = store.point()
        points = list(sampler.points)
    done_in = drained.at - end.at if drained.applied >= drained.stored else None
    return Measured(
        "Cardfile",
        backend,
        tally,
        cpu.between("start", "end"),
        start=marks["start"],
        end=end,
        drained=drained,
        drained_in=done_in,
        statuses=store.statuses(),
        pace=_pace([*points, drained], origin),
    )


def measure_baseline(
    backend: Backend,
    workdir: Path,
    path: str,
    make: Callable[[int], tuple[bytes, int]],
    *,
    connections: int,
    seconds: float,
) -> Measured:
    """The same load against the baseline app on a fresh database."""
    with fresh_database(backend, workdir, "baseline") as database:
        url = database.url if backend == "sqlite" else database.libpq_url
        with baseline_server(url, workdir / f"baseline-{uuid.uuid4().hex[:6]}.log") as server:
            wait_quiet()
            cpu = Cpu(server.pid)
            tally = run_load(
                server.port,
                path,
                make,
                authorization=None,
                connections=connections,
                seconds=seconds,
                warm_up=WARM_UP,
                on_window=lambda: cpu.mark("start"),
            )
            cpu.mark("end")
    return Measured("baseline", backend, tally, cpu.between("start", "end"))


def _with_cardfile(
    args: argparse.Namespace,
    workdir: Path,
    label: str,
    work: Callable[[Deployment, Server, Store, str], Any],
    *,
    workers: int | None = None,
) -> Any:
    """A fresh deployment set up with the CLI, its server running, ``work`` done against it.

    ``workers``: ``CARDFILE_WORKERS`` (None: Cardfile's default; a negative -N: 0, and a
    separate ``cardfile worker --threads N`` process)."""
    backend, profile = args.backend, args.profile
    gc_log, gc_freeze = args.gc_log, args.gc_freeze
    say(f"{label}: setting up a fresh deployment with the CLI")
    worker_threads = -workers if workers is not None and workers < 0 else 0
    with deployment(backend, workdir, label, workers=0 if worker_threads else workers) as deployed:
        tenant = set_up(deployed)
        diagnostics: list[str] = []
        if profile is not None:
            diagnostics += ["--profile", str(profile / label)]
        if gc_log:
            diagnostics += ["--gc-log", str(deployed.data_dir / "gc.log")]
        if gc_freeze:
            diagnostics.append("--gc-freeze")
        with ExitStack() as stack:
            server = stack.enter_context(cardfile_server(deployed, diagnostics=diagnostics))
            if worker_threads:
                server.worker = stack.enter_context(worker_process(deployed, worker_threads))
            store = Store(deployed.database_url, tenant.workspace_id)
            try:
                found = work(deployed, server, store, tenant.write_key)
            finally:
                store.close()
        # The server has stopped: its diagnostics are written.
        if isinstance(found, Measured):
            found.gc = gc_summary(deployed.data_dir / "gc.log")
        return found


def _of(base: Measured | None, figure: Callable[[Measured], float]) -> float | None:
    """A baseline's figure, None when the baseline was not run (``--baseline-seconds 0``)."""
    return None if base is None else figure(base)


def _variant(args: argparse.Namespace) -> str:
    """What this run changed from a plain ``cardfile serve``, for the tables' titles."""
    changes = []
    if args.workers is not None and args.workers < 0:
        changes.append(f"hub in a separate `cardfile worker --threads {-args.workers}`")
    elif args.workers is not None:
        changes.append(
            f"CARDFILE_WORKERS={args.workers}" + (" (no hub)" if not args.workers else "")
        )
    if args.gc_freeze:
        changes.append("EXPERIMENT: gc.freeze() before serving")
    if args.profile is not None:
        changes.append("under cProfile")
    return f" [{'; '.join(changes)}]" if changes else ""


def part_batch(args: argparse.Namespace, workdir: Path) -> tuple[str, bool]:
    """Part 1: ``/v1/batch`` with 100 events a request."""
    run = uuid.uuid4().hex[:8]
    make = batch_body(args.batch_size, run)
    size = check_messages(make)
    say(
        f"/v1/batch: {args.connections} connections, {args.batch_size} events a request "
        f"({MIX}, {size:,.0f} bytes an event), {args.seconds:.0f} s (load {_load()})"
    )
    card: Measured = _with_cardfile(
        args,
        workdir,
        "batch",
        lambda _d, server, store, key: measure_cardfile(
            args.backend,
            server,
            store,
            "/v1/batch",
            make,
            key,
            connections=args.connections,
            seconds=args.seconds,
            drain=args.drain_seconds,
        ),
        workers=args.workers,
    )
    say(f"  Cardfile: {card.tally.events_per_second:,.0f} events/s accepted")
    say(f"/v1/batch baseline: {args.baseline_seconds:.0f} s (load {_load()})")
    base = (
        None
        if args.baseline_seconds <= 0
        else measure_baseline(
            args.backend,
            workdir,
            "/v1/batch",
            batch_body(args.batch_size, run + "b"),
            connections=args.connections,
            seconds=args.baseline_seconds,
        )
    )
    say(f"  baseline: {_of(base, lambda m: m.tally.events_per_second) or 0:,.0f} events/s accepted")
    accepted = card.tally.events_per_second
    applied = card.applied_per_second or 0.0
    lines = [
        Line(
            "events/s accepted (baseline: minimal FastAPI, one transaction a request)",
            accepted,
            _of(base, lambda m: m.tally.events_per_second),
            f"≥ {BATCH_TARGET:,.0f}" if args.backend == "sqlite" else "none set",
            accepted >= BATCH_TARGET if args.backend == "sqlite" else None,
        ),
        Line(
            "events/s accepted (baseline: RudderStack's published 2,500/s, 8 cores)",
            accepted,
            RUDDERSTACK_EPS,
        ),
        Line("events/s applied to the hub during the window", applied, None),
        Line(
            "requests/s",
            card.tally.requests_per_second,
            _of(base, lambda m: m.tally.requests_per_second),
        ),
        Line(
            "p50 request latency, ms",
            card.tally.percentile(0.5),
            _of(base, lambda m: m.tally.percentile(0.5)),
            digits=1,
        ),
        Line(
            "p99 request latency, ms",
            card.tally.percentile(0.99),
            _of(base, lambda m: m.tally.percentile(0.99)),
            digits=1,
        ),
        Line(
            "server process CPU, cores",
            card.cpu["server"],
            _of(base, lambda m: m.cpu["server"]),
            digits=2,
        ),
    ]
    title = (
        f"/v1/batch, {args.batch_size} events a request — {args.backend}, "
        f"{args.connections} connections, {args.seconds:.0f} s "
        f"(baseline {args.baseline_seconds:.0f} s){_variant(args)}"
    )
    text = "\n".join(
        [
            table(title, lines),
            "",
            card.detail(),
            base.detail() if base else "- baseline: not run",
            f"- {RUDDERSTACK}.",
        ]
    )
    return text, all(line.met is not False for line in lines)


def part_track(args: argparse.Namespace, workdir: Path) -> tuple[str, bool]:
    """Part 2: single-event ``/v1/track`` from 64 connections."""
    run = uuid.uuid4().hex[:8]
    make = track_body(run)
    check_messages(make)
    say(
        f"/v1/track: {args.track_connections} connections, {args.track_seconds:.0f} s "
        f"(load {_load()})"
    )
    card: Measured = _with_cardfile(
        args,
        workdir,
        "track",
        lambda _d, server, store, key: measure_cardfile(
            args.backend,
            server,
            store,
            "/v1/track",
            make,
            key,
            connections=args.track_connections,
            seconds=args.track_seconds,
            drain=args.drain_seconds,
        ),
        workers=args.workers,
    )
    say(f"  Cardfile: {card.tally.events_per_second:,.0f} events/s")
    say(f"/v1/track baseline: {args.track_seconds:.0f} s (load {_load()})")
    base = (
        None
        if args.baseline_seconds <= 0
        else measure_baseline(
            args.backend,
            workdir,
            "/v1/track",
            track_body(run + "b"),
            connections=args.track_connections,
            seconds=args.track_seconds,
        )
    )
    say(f"  baseline: {_of(base, lambda m: m.tally.events_per_second) or 0:,.0f} events/s")
    rate, p99 = card.tally.events_per_second, card.tally.percentile(0.99)
    lines = [
        Line(
            "events/s (baseline: minimal FastAPI, one transaction a request)",
            rate,
            _of(base, lambda m: m.tally.events_per_second),
            f"≥ {TRACK_TARGET:,.0f}",
            rate >= TRACK_TARGET,
        ),
        Line(
            "events/s (baseline: RudderStack's published 2,500/s, 8 cores)", rate, RUDDERSTACK_EPS
        ),
        Line(
            "p50 latency, ms",
            card.tally.percentile(0.5),
            _of(base, lambda m: m.tally.percentile(0.5)),
            digits=1,
        ),
        Line(
            "p99 latency, ms",
            p99,
            _of(base, lambda m: m.tally.percentile(0.99)),
            f"< {TRACK_P99_TARGET_MS:.0f}",
            p99 < TRACK_P99_TARGET_MS,
            digits=1,
        ),
        Line("events/s applied to the hub during the window", card.applied_per_second or 0.0, None),
        Line(
            "server process CPU, cores",
            card.cpu["server"],
            _of(base, lambda m: m.cpu["server"]),
            digits=2,
        ),
    ]
    title = (
        f"/v1/track, one event a request — {args.backend}, {args.track_connections} "
        f"connections, {args.track_seconds:.0f} s{_variant(args)}"
    )
    text = "\n".join(
        [
            table(title, lines),
            "",
            card.detail(),
            base.detail() if base else "- baseline: not run",
            f"- {RUDDERSTACK}.",
        ]
    )
    return text, all(line.met is not False for line in lines)


# --- part 3: end to end into the Attio simulator ------------------------------------------

DESTINATION = """destinations:
  - name: bench-attio
    source: web
    connection: attio
    actions:
      - name: identify
        kind: identify_user
      - name: group
        kind: group_workspace
"""


def e2e_batches(users: int, run: str, per_request: int = 50) -> list[bytes]:
    """Each user's identify then group (a workspace of its own), ``per_request`` a batch."""
    items: list[dict[str, Any]] = []
    for u in range(users):
        items.append(
            {
                "type": "identify",
                "messageId": f"{run}-i{u}",
                "userId": f"e2e-user-{u}",
                "traits": {
                    "email": f"person{u}@acme{u}.example",
                    "name": f"Person {u}",
                    "plan": "Pro",
                },
            }
        )
        items.append(
            {
                "type": "group",
                "messageId": f"{run}-g{u}",
                "userId": f"e2e-user-{u}",
                "groupId": f"ws-{u}",
                "traits": {"name": f"Acme {u}", "website": f"https://www.acme{u}.example/"},
            }
        )
    return [
        json.dumps({"batch": items[at : at + per_request]}).encode()
        for at in range(0, len(items), per_request)
    ]


def part_e2e(args: argparse.Namespace, workdir: Path) -> tuple[str, bool]:
    """Part 3: accept → confirmed in the Attio simulator."""
    users = args.e2e_users
    events = 2 * users
    writes = users * (WRITES["identify"] + WRITES["group"])
    ceiling = events / (writes / ATTIO_WRITES_PER_SECOND)
    # The least time: a rolling one-second window lets its first 25 writes go at once.
    least = max(0.0, (writes - ATTIO_WRITES_PER_SECOND) / ATTIO_WRITES_PER_SECOND)
    say(f"end-to-end: {users} identify + {users} group into the Attio simulator (load {_load()})")
    with attio_simulator(workdir / "attio.log") as attio_url:

        def work(deployed: Deployment, server: Server, store: Store, key: str) -> dict[str, Any]:
            deployed.cli(
                "connections", "add", "attio", "--workspace", SLUG, "--token", ATTIO_TOKEN,
                "--base-url", attio_url,
            )  # fmt: skip
            definition = deployed.data_dir / "destinations.yaml"
            definition.write_text(DESTINATION)
            deployed.cli("destinations", "apply", str(definition), "--workspace", SLUG)
            httpx.post(f"{attio_url}/_simulator/reset").raise_for_status()
            bodies = e2e_batches(users, uuid.uuid4().hex[:8])
            auth = basic_auth(key)

            async def send() -> list[int]:
                answers = await asyncio.gather(
                    *(post(server.port, "/v1/batch", body, auth) for body in bodies)
                )
                return [status for status, _ in answers]

            began = time.time()
            statuses = asyncio.run(send())
            accepted = time.time()
            if any(status != 200 for status in statuses):
                raise RuntimeError(f"the tracking API refused a batch: {statuses}")
            deadline = time.monotonic() + args.e2e_timeout
            counts: dict[str, int] = {}
            while time.monotonic() < deadline:
                counts, last_sent = store.deliveries()
                settled = sum(counts.get(s, 0) for s in ("sent", "failed", "dead", "skipped"))
                if settled >= events:
                    break
                time.sleep(0.25)
            counts, last_sent = store.deliveries()
            stats = httpx.get(f"{attio_url}/_simulator/stats").json()
            return {
                "began": began,
                "accepted": accepted,
                "last_sent": last_sent,
                "counts": counts,
                "stats": stats,
                "hub": store.statuses(),
            }

        found: dict[str, Any] = _with_cardfile(args, workdir, "e2e", work)
    counts = found["counts"]
    sent = counts.get("sent", 0)
    seconds = (found["last_sent"] or found["began"]) - found["began"]
    rate = sent / seconds if seconds > 0 else 0.0
    stats = found["stats"]
    lines = [
        Line(
            "events/s, first request → last delivery sent (baseline: the sustained ceiling "
            "Attio's 25 writes/s allow)",
            rate,
            ceiling,
            "close to the ceiling",
            None,
            digits=1,
        ),
        Line("seconds (baseline: the least the limit allows)", seconds, least, digits=1),
        Line("deliveries sent", sent, events, f"= {events}", sent == events),
        Line(
            "requests the simulator answered (baseline: the writes alone)",
            stats["requests"],
            writes,
        ),
        Line("429s the simulator sent", stats["rate_limited"], None),
    ]
    title = (
        f"End to end into the Attio simulator — {args.backend}, {users} identify + {users} group "
        f"(each user its own workspace){_variant(args)}"
    )
    detail = [
        f"- Accepted in {found['accepted'] - found['began']:.2f} s; deliveries by status "
        f"{counts}; hub statuses {found['hub']}; the simulator's records "
        f"{stats['records']}.",
        f"- Ceiling: {writes} writes ({users} x ({WRITES['identify']} for an identify: person, "
        f"user; {WRITES['group']} for a group: company, workspace, users link)) at "
        f"{ATTIO_WRITES_PER_SECOND:.0f} writes/s sustained: {ceiling:.1f} events/s; the "
        f"window's first {ATTIO_WRITES_PER_SECOND:.0f} writes may go at once, so no less than "
        f"{least:.1f} s. The simulator's request count adds Attio's reads (objects, a user "
        "looked up before a link) to the writes.",
    ]
    return "\n".join([table(title, lines), "", *detail]), sent == events


# --- entry point --------------------------------------------------------------------------


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def wait_quiet(limit: float = 90.0, busy: float = 20.0) -> None:
    """Wait (at most ``limit`` s) for two consecutive seconds with the machine under ``busy``
    percent: other sessions' tests share this machine, and would take the server's cores."""
    import psutil

    started = time.monotonic()
    calm = 0
    while time.monotonic() - started < limit:
        calm = calm + 1 if psutil.cpu_percent(interval=1.0) < busy else 0
        if calm >= 2:
            return
    say(f"  (the machine stayed busy for {limit:.0f} s; measuring anyway)")


# Threads worth reading (the event loop, the intake's writer, the embedded workers), and the
# calls that are only waiting (cProfile counts wall time, so an idle thread looks busy).
_PROFILED = ("MainThread", "cardfile-intake", "Worker-")
_WORKING = r"^(?!.*(acquire|_queue|SimpleQueue|runners\.py|select|poll|sleep|wait)).*$"


def print_profiles(profile: Path, top: int = 20) -> None:
    """The busy threads' top functions by own time, from ``bench.tracking_server``."""
    for part in sorted(p for p in profile.iterdir() if p.is_dir()):
        for path in sorted(part.glob("*.pstats")):
            if not path.name.startswith(_PROFILED):
                continue
            stats = pstats.Stats(str(path))
            say(f"\n--- profile {part.name}/{path.stem} (waits left out) ---")
            stats.sort_stats("tottime").print_stats(_WORKING, top)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.tracking [--part ...] [--backend ...]``."""
    options = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    options.add_argument("--backend", choices=BACKENDS, default="sqlite")
    options.add_argument("--part", choices=("all", "batch", "track", "e2e"), default="all")
    options.add_argument("--seconds", type=float, default=60.0, help="/v1/batch's window")
    options.add_argument(
        "--baseline-seconds", type=float, default=30.0,
        help="/v1/batch baseline's window (0: no baselines in parts 1 and 2)",
    )  # fmt: skip
    options.add_argument("--track-seconds", type=float, default=20.0)
    options.add_argument("--connections", type=int, default=32, help="for /v1/batch")
    options.add_argument("--track-connections", type=int, default=64)
    options.add_argument("--batch-size", type=int, default=100)
    options.add_argument(
        "--drain-seconds", type=float, default=20.0,
        help="how long to wait after the load for the hub to apply the backlog",
    )  # fmt: skip
    options.add_argument("--e2e-users", type=int, default=100)
    options.add_argument("--e2e-timeout", type=float, default=120.0)
    options.add_argument(
        "--profile", type=Path, help="run the servers under cProfile; pstats files here"
    )
    options.add_argument(
        "--gc-log",
        action="store_true",
        help="log the server's garbage-collection pauses (bench.tracking_server)",
    )
    options.add_argument(
        "--gc-freeze",
        action="store_true",
        help="EXPERIMENT: gc.freeze() in the server before it serves (not Cardfile's code)",
    )
    options.add_argument(
        "--workers", type=int, default=None,
        help="CARDFILE_WORKERS for parts 1 and 2 (0: no hub, to measure the intake alone; "
        "-N: 0, and the hub in a separate `cardfile worker --threads N` process)",
    )  # fmt: skip
    args = options.parse_args(argv)
    exit_on_sigterm()
    started = time.perf_counter()
    say(facts(args.backend))
    parts = {"batch": part_batch, "track": part_track, "e2e": part_e2e}
    chosen = list(parts) if args.part == "all" else [args.part]
    texts: list[str] = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="cardfile-bench-") as tmp:
        for name in chosen:
            text, fine = parts[name](args, Path(tmp))
            texts.append(text)
            ok = ok and fine
    if args.profile is not None:
        print_profiles(args.profile)
    print()
    print("\n\n".join(texts))
    print(f"\n(total {time.perf_counter() - started:.0f} s)", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
