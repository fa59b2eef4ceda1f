"""Benchmark: Cardfile's sync engine (companies → HubSpot companies) against the HubSpot
simulator at HubSpot's limits, beside what a user writes today with the official client.

The simulator runs in its own process on a loopback port (``python -m simulators.hubspot``)
at 190 requests per rolling 10 s and 100 records per batch: a ceiling of 1,900 records/s.
Companies are matched on a custom HubSpot property with ``hasUniqueValue`` (``cardfile_id``,
from the hub's ``customId``); later runs update by the HubSpot record id the engine learnt.

1. Initial sync of N companies (default 100,000) from a fresh store: a real run
   (``cardfile.jobs.syncs.run_sync``). Records/s as a fraction of the ceiling (target ≥ 0.9),
   429s met (target: none after the first 10 s window, sampled from the simulator's counters),
   records lost (target 0: the simulator holds N companies, each ``cardfile_id`` once, every
   hub company has a distinct ``hubspotId``).
2. The same sync again after 1% of the companies (chosen at random) were renamed: requests
   (target: ceil(changed / 100)) and time; the renamed companies are then read back from the
   simulator by id to check the new names landed. Then once more with 1% renamed in one
   consecutive run of ids, to show what the engine's grouping costs.
3. Baselines in the same run, against the same simulator (``bench.sync_baseline``): the official
   ``hubspot-api-client`` with its ``host`` set to the simulator, no state, no diffing; batches
   of 100 (create, then an upsert of everything for the resync) on the N companies, and one
   create call per record on a smaller count (default 5,000: at 19 requests/s 100,000 would
   take ~9 minutes). Each with the retry its README shows and with POST retried.
4. Planning a sync of M companies (default 1,000,000) where nothing changed: the store is
   built with the bulk helpers and ``sync_states`` rows whose fingerprints are the engine's
   own; then a real run, in a child process (its peak RSS, see ``bench.child``), must send
   nothing. Baseline: the plainest path to the same answer, a keyset-paged driver query of the
   companies joined with their states, each payload fingerprinted and compared.

    .venv/bin/python -m bench.sync_hubspot --backend sqlite
    .venv/bin/python -m bench.sync_hubspot --backend postgres --part plan
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select

from bench.child import ChildRun, emit, run_child
from bench.command_line import exit_on_sigterm, parser
from bench.connector_upserts import VENDORS, simulator
from bench.databases import Backend, fresh_database
from bench.report import Line, machine, table
from bench.sync_store import (
    MATCH_KEY,
    SYNC_NAME,
    TOKEN,
    VAULT,
    HubStore,
    build,
    generated,
    hubspot_ids,
    start_run,
)
from cardfile.jobs.syncs import run_sync
from cardfile.store import companies, runs
from cardfile.store.db import create_store_engine, session_factory, transaction
from cardfile.store.schema import Company
from cardfile.sync.mapping import fingerprint

if TYPE_CHECKING:
    from bench.sync_baseline import BaselineRun

FULL_COMPANIES = 100_000
ONE_BY_ONE = 5_000
PLAN_COMPANIES = 1_000_000
CHANGED_SHARE = 0.01
CEILING = 1900.0  # records/s: 190 requests per 10 s x 100 records
WINDOW = (190, 10.0)
BATCH = 100
RATE_TARGET = 0.9
QUIET_SECONDS = WINDOW[1] + 0.5  # lets the simulator's rolling window empty between steps
_HUBSPOT = VENDORS["hubspot"]


# --- the simulator ------------------------------------------------------------------------


class Simulator:
    """The running simulator's control API and its custom property."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=60.0)

    def prepare(self) -> None:
        """Create the unique ``cardfile_id`` company property (it survives resets)."""
        self.http.post(
            "/crm/v3/properties/companies",
            headers={"Authorization": f"Bearer {TOKEN}"},
            json={
                "name": MATCH_KEY,
                "label": "Cardfile id",
                "type": "string",
                "fieldType": "text",
                "groupName": "companyinformation",
                "hasUniqueValue": True,
            },
        ).raise_for_status()

    def reset(self) -> None:
        """Forget records, counters and the rate windows."""
        self.http.post("/_simulator/reset").raise_for_status()

    def stats(self) -> dict[str, Any]:
        """Records per object, requests answered, 429s sent."""
        answer: dict[str, Any] = self.http.get("/_simulator/stats").raise_for_status().json()
        return answer

    def read(self, record_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Records by HubSpot id (``batch/read``, 100 a request), their properties by id."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(record_ids), BATCH):
            chunk = record_ids[start : start + BATCH]
            answer = self.http.post(
                "/crm/v3/objects/companies/batch/read",
                headers={"Authorization": f"Bearer {TOKEN}"},
                json={
                    "inputs": [{"id": i} for i in chunk],
                    "properties": ["name", MATCH_KEY],
                },
            )
            answer.raise_for_status()
            for result in answer.json()["results"]:
                found[str(result["id"])] = result["properties"]
        return found


@dataclass(frozen=True)
class Sample:
    """The simulator's counters at one moment, seconds after the step started."""

    seconds: float
    requests: int
    rate_limited: int


class Watch:
    """Samples the simulator's counters every 100 ms while a step runs, so its 429s can be
    placed in time (the simulator counts them; it does not timestamp them)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self.started = 0.0

    def __enter__(self) -> Watch:
        self.base = self.sim.stats()
        self.started = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.end = self.sim.stats()

    def _poll(self) -> None:
        with httpx.Client(base_url=self.sim.base_url, timeout=30.0) as http:
            while not self._stop.wait(0.1):
                stats = http.get("/_simulator/stats").json()
                self.samples.append(
                    Sample(
                        time.perf_counter() - self.started,
                        stats["requests"] - self.base["requests"],
                        stats["rate_limited"] - self.base["rate_limited"],
                    )
                )

    @property
    def requests(self) -> int:
        """Requests the simulator answered during the step."""
        return int(self.end["requests"] - self.base["requests"])

    @property
    def rate_limited(self) -> int:
        """429s the simulator sent during the step."""
        return int(self.end["rate_limited"] - self.base["rate_limited"])

    def rate_limited_after(self, seconds: float) -> int:
        """429s sent after the step's first ``seconds`` (an upper bound: 100 ms sampling)."""
        before = max((s.rate_limited for s in self.samples if s.seconds <= seconds), default=0)
        return self.rate_limited - before

    @property
    def stored(self) -> int:
        """Companies the simulator holds at the end of the step."""
        return int(self.end["records"]["companies"])


# --- Cardfile's runs ----------------------------------------------------------------------


@dataclass(frozen=True)
class CardfileRun:
    """One run of the sync: its status, counts and wall time, and the simulator's view."""

    status: str | None
    counts: dict[str, Any]
    seconds: float
    watch: Watch


def run_once(store: HubStore, sim: Simulator) -> CardfileRun:
    """Queue a run and run it as the worker does (``run_sync``)."""
    run_id = start_run(store)
    with Watch(sim) as watch:
        started = time.perf_counter()
        status = asyncio.run(run_sync(store.sessions, VAULT, run_id))
        seconds = time.perf_counter() - started
    with store.sessions() as session:
        counts = runs.by_id(session, run_id).counts
    return CardfileRun(status, counts, seconds, watch)


def rename(store: HubStore, company_ids: Sequence[int], suffix: str) -> dict[int, str]:
    """Rename companies the way the hub does (``companies.update``); new names by id."""
    names: dict[int, str] = {}
    with transaction(store.sessions) as session:
        for company_id in company_ids:
            company = companies.find(session, store.workspace_id, company_id)
            assert company is not None
            names[company_id] = f"{company.name} {suffix}"
            companies.update(session, company, {"name": names[company_id]})
    return names


def landed(store: HubStore, sim: Simulator, names: dict[int, str]) -> int:
    """How many of the renamed companies HubSpot holds, under their hub id, with the new name."""
    with store.sessions() as session:
        vendor_ids = dict(
            session.execute(
                select(Company.id, Company.hubspot_id).where(Company.id.in_(list(names)))
            ).all()
        )
    found = sim.read([str(v) for v in vendor_ids.values() if v])
    return sum(
        1
        for company_id, name in names.items()
        if (found.get(str(vendor_ids.get(company_id))) or {}).get("name") == name
    )


def load() -> str:
    """The 1-minute load average now."""
    return f"{os.getloadavg()[0]:.2f}"


def say(text: str) -> None:
    """A progress line."""
    print(text, flush=True)


# --- baselines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineStep:
    """One baseline pass and what the simulator saw of it."""

    label: str
    records: int
    run: BaselineRun
    requests: int
    rate_limited: int
    late_rate_limited: int  # after the first 10 s window
    stored: int

    @property
    def rate(self) -> float:
        """Records that landed per second."""
        return (self.records - self.run.lost) / self.run.seconds

    def row(self) -> str:
        """Its line in the baselines' table."""
        fraction = self.rate / CEILING
        return (
            f"| {self.label} | {self.records:,} | {self.run.seconds:,.1f} | {self.rate:,.1f} "
            f"| {fraction:.3f} | {self.requests:,} | {self.rate_limited:,} "
            f"| {self.run.failed_calls:,} | {self.run.lost:,} |"
        )


def _baseline_step(
    sim: Simulator, label: str, records: Sequence[dict[str, str]], work: Any
) -> BaselineStep:
    say(f"baseline: {label} (load {load()})")
    with Watch(sim) as watch:
        done: BaselineRun = work(records)
    step = BaselineStep(
        label,
        len(records),
        done,
        watch.requests,
        watch.rate_limited,
        watch.rate_limited_after(WINDOW[1]),
        watch.stored,
    )
    say(f"  {done}, {watch.requests} requests, {watch.rate_limited} 429s, stored {step.stored}")
    return step


def run_baselines(
    sim: Simulator,
    originals: Sequence[dict[str, str]],
    renamed: Sequence[dict[str, str]],
    one_by_one: int,
) -> list[BaselineStep]:
    """Every baseline variant, each from an empty simulator."""
    # Imported here: the planning children import this module, and their peak RSS should
    # not carry the official client's ~9 MB of modules.
    from bench import sync_baseline

    steps: list[BaselineStep] = []
    for policy in sync_baseline.POLICIES:
        api = sync_baseline.client(sim.base_url, TOKEN, policy)
        sim.reset()
        steps.append(
            _baseline_step(
                sim,
                f"batches of 100, retry {policy}: initial (batch/create)",
                originals,
                lambda r, api=api: sync_baseline.batches(api, r, upsert=False),
            )
        )
        time.sleep(QUIET_SECONDS)
        steps.append(
            _baseline_step(
                sim,
                f"batches of 100, retry {policy}: 1% resync, everything resent (batch/upsert)",
                renamed,
                lambda r, api=api: sync_baseline.batches(api, r, upsert=True),
            )
        )
        sim.reset()
        steps.append(
            _baseline_step(
                sim,
                f"one create call per record, retry {policy}: initial, {one_by_one:,} records",
                originals[:one_by_one],
                lambda r, api=api: sync_baseline.one_by_one(api, r),
            )
        )
    return steps


# --- 1 to 3: the sync against the simulator -----------------------------------------------


def measure_sync(
    sim: Simulator, backend: Backend, workdir: Path, count: int, seed: int, one_by_one: int
) -> tuple[str, bool]:
    """Initial sync, 1% resyncs and the baselines; the tables and whether targets were met."""
    with fresh_database(backend, workdir, "sync") as database:
        started = time.perf_counter()
        store = build(database.url, sim.base_url, count, seed, synced=False)
        say(f"set-up: {count:,} hub companies in {time.perf_counter() - started:.1f} s")
        try:
            return _sync_steps(sim, store, backend, count, seed, one_by_one)
        finally:
            store.engine.dispose()


def _sync_steps(
    sim: Simulator, store: HubStore, backend: Backend, count: int, seed: int, one_by_one: int
) -> tuple[str, bool]:
    sim.reset()
    say(f"cardfile: initial sync of {count:,} companies (load {load()})")
    first = run_once(store, sim)
    say(f"  {first.status} in {first.seconds:.1f} s: {first.counts}")
    held, with_id, distinct = hubspot_ids(store)
    stored = first.watch.stored
    failed = int(first.counts.get("failed", 0))
    lost = max(count - stored, 0) + failed
    missing_ids = held - with_id
    duplicates = (stored - count) + (with_id - distinct)
    after_first_window = first.watch.rate_limited_after(WINDOW[1])

    changed = max(1, round(count * CHANGED_SHARE))
    rng = random.Random(seed + 1)
    with store.sessions() as session:
        all_ids = list(
            session.scalars(
                select(Company.id)
                .where(Company.workspace_id == store.workspace_id)
                .order_by(Company.id)
            )
        )
    picked = sorted(rng.sample(all_ids, changed))
    time.sleep(QUIET_SECONDS)
    names = rename(store, picked, "(renamed)")
    say(f"cardfile: resync after {changed:,} companies renamed at random (load {load()})")
    second = run_once(store, sim)
    say(f"  {second.status} in {second.seconds:.1f} s: {second.counts}")
    time.sleep(QUIET_SECONDS)
    second_landed = landed(store, sim, names)

    time.sleep(QUIET_SECONDS)
    consecutive = all_ids[:changed]
    rename(store, consecutive, "(renamed again)")
    say(f"cardfile: resync after {changed:,} consecutive companies renamed (load {load()})")
    third = run_once(store, sim)
    say(f"  {third.status} in {third.seconds:.1f} s: {third.counts}")

    # The baselines send what the hub held before and after the random renames.
    originals = [made.vendor_record() for made in generated(count, seed)]
    position = {company_id: n for n, company_id in enumerate(all_ids)}
    renamed = list(originals)
    for company_id, name in names.items():
        renamed[position[company_id]] = {**renamed[position[company_id]], "name": name}
    time.sleep(QUIET_SECONDS)
    steps = run_baselines(sim, originals, renamed, one_by_one)
    return _sync_report(
        backend, count, changed, first, second, third, steps, lost, missing_ids, duplicates,
        after_first_window, second_landed,
    )  # fmt: skip


def _sync_report(
    backend: Backend,
    count: int,
    changed: int,
    first: CardfileRun,
    second: CardfileRun,
    third: CardfileRun,
    steps: list[BaselineStep],
    lost: int,
    missing_ids: int,
    duplicates: int,
    after_first_window: int,
    second_landed: int,
) -> tuple[str, bool]:
    base_initial, base_resync = steps[3], steps[4]  # batches of 100, POST retried
    rate = count / first.seconds
    fraction = rate / CEILING
    lines = [
        Line("records/s", rate, base_initial.rate, digits=1),
        Line(
            "fraction of the 1,900 records/s ceiling",
            fraction,
            base_initial.rate / CEILING,
            target=f"≥ {RATE_TARGET}",
            met=fraction >= RATE_TARGET,
            digits=3,
        ),
        Line("seconds (wall, run_sync)", first.seconds, base_initial.run.seconds, digits=1),
        Line("requests the simulator answered", first.watch.requests, base_initial.requests),
        Line("429s met", first.watch.rate_limited, base_initial.rate_limited),
        Line(
            "429s after the first 10 s window",
            after_first_window,
            base_initial.late_rate_limited,
            target="0",
            met=after_first_window == 0,
        ),
        Line(
            "records lost (not stored, or failed)",
            lost,
            base_initial.run.lost,
            target="0",
            met=lost == 0,
        ),
        Line(
            "records stored twice (simulator or hub ids)",
            duplicates,
            None,
            target="0",
            met=duplicates == 0,
        ),
        Line(
            "hub companies without their hubspotId",
            missing_ids,
            None,
            target="0",
            met=missing_ids == 0,
        ),
    ]
    title = (
        f"HubSpot sync, initial — {count:,} companies, {backend} store, simulator at "
        f"{WINDOW[0]} requests per {WINDOW[1]:g} s x {BATCH} (baseline: hubspot-api-client "
        "batches of 100, POST retried)"
    )
    wanted = math.ceil(changed / BATCH)
    resync_requests = second.watch.requests
    resync = [
        Line(
            "requests the simulator answered",
            resync_requests,
            base_resync.requests,
            target=f"= {wanted}",
            met=resync_requests == wanted,
        ),
        Line("seconds (wall, run_sync)", second.seconds, base_resync.run.seconds, digits=2),
        Line("records sent (updated)", second.counts.get("updated", 0), base_resync.records),
        Line("records left alone (unchanged)", second.counts.get("unchanged", 0), 0),
        Line("429s met", second.watch.rate_limited, base_resync.rate_limited),
        Line(
            "renamed companies read back with the new name",
            second_landed,
            None,
            target=f"{changed:,}",
            met=second_landed == changed,
        ),
        Line(
            f"requests when the {changed:,} renamed are consecutive ids",
            third.watch.requests,
            None,
            target=f"= {wanted}",
            met=third.watch.requests == wanted,
        ),
        Line("seconds when consecutive", third.seconds, None, digits=2),
    ]
    resync_title = (
        f"HubSpot sync, again after {changed:,} of {count:,} companies renamed at random — "
        f"{backend} store (baseline: the same client resends all {count:,})"
    )
    baselines = "\n".join(
        [
            f"### Baselines — hubspot-api-client {_client_version()} against the same simulator",
            "",
            "| variant | records | seconds | records/s landed | of ceiling | requests "
            "| 429s | failed calls | records lost |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *(step.row() for step in steps),
            "",
            "Retry `docs` is the client's README verbatim, `Retry(total=5, "
            "status_forcelist=(429,))`: urllib3 does not retry POST, so every 429 on a write "
            "loses its records. Retry `post` adds `allowed_methods=None, backoff_factor=1, "
            "total=10`.",
        ]
    )
    runs_text = (
        f"Cardfile's runs (counts as stored): initial {first.status} {first.counts}; "
        f"resync {second.status} {second.counts}; consecutive {third.status} {third.counts}"
    )
    # Exit status: whether the figures can be trusted (nothing lost or doubled, the renames
    # landed), as the other benchmarks do; the targets are in the tables.
    ok = lost == 0 and duplicates == 0 and missing_ids == 0 and second_landed == changed
    text = "\n\n".join([table(title, lines), table(resync_title, resync), baselines, runs_text])
    return text, ok


def _client_version() -> str:
    from importlib.metadata import version

    return version("hubspot-api-client")


# --- 4: planning a sync where nothing changed ---------------------------------------------


def plan_cardfile(url: str, run_id: str) -> dict[str, Any]:
    """Run the queued run as the worker does; its wall time and stored counts."""
    engine = create_store_engine(url)
    sessions = session_factory(engine)
    started = time.perf_counter()
    status = asyncio.run(run_sync(sessions, VAULT, run_id))
    seconds = time.perf_counter() - started
    with sessions() as session:
        counts = runs.by_id(session, run_id).counts
    engine.dispose()
    return {"seconds": seconds, "status": status, "counts": counts}


def plan_baseline(url: str) -> dict[str, Any]:
    """The plainest path to the same plan: the sync looked up once, then pages of 2,000 of
    the workspace's companies by id, each with its state (one keyset-paged driver query a
    page), each payload fingerprinted and compared; counts what would be sent."""
    engine = create_store_engine(url)
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    # Paged by primary key only (SQLite would rather walk a (workspace_id, ...) index and
    # sort, page after page); rows of other workspaces are skipped here.
    query = (
        "SELECT c.id, c.workspace_id, c.custom_id, c.name, c.domain, s.fingerprint "
        f"FROM companies c LEFT JOIN sync_states s ON s.sync_id = {mark} "
        f"AND s.record_id = c.id WHERE c.id > {mark} ORDER BY c.id LIMIT 2000"
    )
    started = time.perf_counter()
    connection = engine.raw_connection()
    unchanged = send = 0
    try:
        cursor = connection.cursor()
        cursor.execute(f"SELECT id, workspace_id FROM syncs WHERE name = {mark}", (SYNC_NAME,))
        found = cursor.fetchone()
        assert found is not None, f"no sync {SYNC_NAME!r}"
        sync_id, workspace_id = found
        after = 0
        while True:
            cursor.execute(query, (sync_id, after))
            rows = cursor.fetchall()
            if not rows:
                break
            for _, workspace, custom_id, name, domain, printed in rows:
                if workspace != workspace_id:
                    continue
                made = {MATCH_KEY: custom_id, "name": name, "domain": domain}
                if fingerprint(made) == printed:
                    unchanged += 1
                else:
                    send += 1
            after = rows[-1][0]
        cursor.close()
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "unchanged": unchanged, "send": send}


def measure_plan(
    sim: Simulator, backend: Backend, workdir: Path, count: int, seed: int, timeout: float
) -> tuple[str, bool]:
    """Build the synced store, then time the baseline and Cardfile, each in a child."""
    with fresh_database(backend, workdir, "plan") as database:
        started = time.perf_counter()
        store = build(database.url, sim.base_url, count, seed, synced=True)
        run_id = start_run(store)
        store.engine.dispose()
        say(
            f"set-up: {count:,} companies and their sync states in "
            f"{time.perf_counter() - started:.1f} s"
        )
        children: dict[str, ChildRun] = {}
        seen: dict[str, int] = {}
        for side in ("baseline", "cardfile"):
            say(f"planning, {side} (load {load()})")
            args = ["--child", side, "--url", database.url, "--run-id", run_id]
            with Watch(sim) as watch:
                children[side] = run_child("bench.sync_hubspot", args, timeout=timeout)
            seen[side] = watch.requests
            say(f"  {children[side].payload}, simulator saw {watch.requests} requests")
    card, base = children["cardfile"], children["baseline"]
    counts = card.payload["counts"]
    requests = max(int(counts.get("requests", 0)), seen["cardfile"])
    unchanged = int(counts.get("unchanged", 0))
    lines = [
        Line("seconds", card.payload["seconds"], base.payload["seconds"], digits=1),
        Line("companies/s", count / card.payload["seconds"], count / base.payload["seconds"]),
        Line("peak RSS of the process, MB", card.peak_rss_mb, base.peak_rss_mb, digits=1),
        Line("requests sent", requests, 0, target="0", met=requests == 0),
        Line(
            "companies found unchanged",
            unchanged,
            base.payload["unchanged"],
            target=f"{count:,}",
            met=unchanged == count,
        ),
    ]
    title = (
        f"Planning a sync of {count:,} companies where nothing changed — {backend} "
        "(baseline: a keyset-paged driver query joined with the states, fingerprinted)"
    )
    ok = all(line.met is not False for line in lines) and card.payload["status"] == "succeeded"
    return table(title, lines) + f"\n\nCardfile's run: {card.payload}", ok


# --- entry point --------------------------------------------------------------------------


def _child(args: argparse.Namespace) -> None:
    if args.child == "cardfile":
        emit(plan_cardfile(args.url, args.run_id))
    else:
        emit(plan_baseline(args.url))


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.sync_hubspot [--rows N] [--backend ...] [--part ...]``."""
    options = parser(
        __doc__.splitlines()[0] if __doc__ else "sync benchmark",
        default_rows=FULL_COMPANIES,
        rows_help="companies of the initial sync (the issue's size is the default)",
    )
    options.add_argument("--one-by-one", type=int, default=ONE_BY_ONE)
    options.add_argument("--plan-rows", type=int, default=PLAN_COMPANIES)
    options.add_argument("--part", choices=("all", "sync", "plan"), default="all")
    options.add_argument("--run-id", help=argparse.SUPPRESS)
    options.set_defaults(timeout=1800.0)  # a million-company plan takes minutes
    args = options.parse_args(argv)
    exit_on_sigterm()
    if args.child:
        _child(args)
        return 0
    print(machine(with_postgres=args.backend == "postgres"), flush=True)
    texts: list[str] = []
    ok = True
    with (
        tempfile.TemporaryDirectory(prefix="cardfile-bench-") as tmp,
        simulator(_HUBSPOT) as base_url,
    ):
        sim = Simulator(base_url)
        sim.prepare()
        if args.part in ("all", "sync"):
            text, fine = measure_sync(
                sim, args.backend, Path(tmp), args.rows, args.seed, args.one_by_one
            )
            texts.append(text)
            ok = ok and fine
        if args.part in ("all", "plan"):
            sim.reset()
            text, fine = measure_plan(
                sim, args.backend, Path(tmp), args.plan_rows, args.seed, args.timeout
            )
            texts.append(text)
            ok = ok and fine
    print()
    print("\n\n".join(texts), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
