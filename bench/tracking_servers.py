"""The tracking benchmark's processes: a real ``cardfile serve`` set up with the CLI, the
baseline app, the Attio simulator; and watching a server's store and CPU while it works.

Each server runs in its own process on 127.0.0.1 and a free port, so the load generator (this
process) and the server do not share a GIL. They do share the machine's cores.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import func, select

from bench.databases import Backend, fresh_database
from cardfile.store import attributes, workspaces
from cardfile.store.db import create_store_engine, session_factory, transaction
from cardfile.store.events import PENDING
from cardfile.store.schema import Delivery, Event, as_utc
from cardfile.types import AttributeType

_ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench"
SOURCE = "web"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 90.0
ATTIO_TOKEN = "attio-test-token"
# Attributes the generated traits fill (others stay on the event, as the hub keeps them).
PERSON_ATTRIBUTES = (
    ("plan", AttributeType.SELECT, ("Free", "Pro", "Enterprise")),
    ("seats", AttributeType.NUMBER, ()),
    ("logins", AttributeType.NUMBER, ()),
)
COMPANY_ATTRIBUTES = (("industry", AttributeType.TEXT, ()),)


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cardfile_command() -> list[str]:
    script = Path(sys.executable).with_name("cardfile")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cardfile.cli.main"]


@dataclass
class Deployment:
    """One Cardfile deployment's settings: its data folder and database, and its CLI."""

    backend: Backend
    data_dir: Path
    database_url: str  # SQLAlchemy's URL of the store
    env: dict[str, str]

    def cli(self, *args: str) -> Any:
        """Run ``cardfile ARGS --json`` against this deployment; its JSON answer."""
        done = subprocess.run(
            [*_cardfile_command(), *args, "--json"],
            env=self.env,
            cwd=_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"cardfile {' '.join(args)} failed: {done.stdout}{done.stderr}")
        return json.loads(done.stdout)


@contextmanager
def deployment(
    backend: Backend, workdir: Path, label: str, *, workers: int | None = None
) -> Iterator[Deployment]:
    """A fresh deployment: SQLite, the embedded default, in a data folder of its own (no
    ``CARDFILE_DATABASE_URL``), or a PostgreSQL database made for it and dropped after.
    ``workers``: ``CARDFILE_WORKERS`` (the embedded job threads; None: Cardfile's default)."""
    data_dir = workdir / label
    data_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "CARDFILE_DATA_DIR": str(data_dir),
        "CARDFILE_SECRET_KEY": secrets.token_urlsafe(32),
        "CARDFILE_HOST": "127.0.0.1",
        # uvicorn's access log (one line per request at "info") is left off, as a busy
        # deployment would; the app's warnings and errors still show.
        "CARDFILE_LOG_LEVEL": "warning",
    }
    env.pop("CARDFILE_DATABASE_URL", None)
    env.pop("CARDFILE_WORKERS", None)
    if workers is not None:
        env["CARDFILE_WORKERS"] = str(workers)
    if backend == "sqlite":
        yield Deployment(backend, data_dir, f"sqlite:///{data_dir / 'cardfile.db'}", env)
        return
    with fresh_database(backend, workdir, label) as database:
        env["CARDFILE_DATABASE_URL"] = database.url
        yield Deployment(backend, data_dir, database.url, env)


@dataclass(frozen=True)
class Tenant:
    """What the CLI made: the workspace and the source's write key."""

    workspace_id: int
    write_key: str


def set_up(deployed: Deployment) -> Tenant:
    """Workspace, source and write key with the CLI; the hub's attributes with the store API
    (the CLI has no command for attribute definitions)."""
    deployed.cli("workspaces", "create", "--name", "Benchmark", "--slug", SLUG)
    deployed.cli("sources", "create", SOURCE, "--workspace", SLUG)
    key = deployed.cli("write-keys", "create", SOURCE, "--workspace", SLUG, "--name", "bench")
    engine = create_store_engine(deployed.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            workspace_id = workspaces.require_by_slug(session, SLUG).id
            for entity, defined in (
                (attributes.PERSON, PERSON_ATTRIBUTES),
                (attributes.COMPANY, COMPANY_ATTRIBUTES),
            ):
                for name, kind, options in defined:
                    attributes.create_definition(
                        session,
                        workspace_id=workspace_id,
                        entity=entity,
                        name=name,
                        type=kind,
                        options=options,
                    )
    finally:
        engine.dispose()
    return Tenant(workspace_id, str(key["secret"]))


@dataclass
class Server:
    """A running server process."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path
    worker: subprocess.Popen[bytes] | None = None  # a separate `cardfile worker`, if any

    @property
    def pid(self) -> int:
        """The server's process id."""
        return int(self.process.pid)


def _wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the server exited with {process.returncode}:\n{tail}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /healthz within {START_TIMEOUT:.0f} s")


@contextmanager
def _process(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=_ROOT, stdout=out, stderr=out)
    server = Server(port, process, log)
    try:
        _wait_healthy(port, process, log)
        yield server
    finally:
        # SIGINT: uvicorn's graceful stop, so the intake commits what it queued and the
        # profiled wrapper (if any) writes its profiles.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def cardfile_server(deployed: Deployment, *, diagnostics: Sequence[str] = ()) -> Iterator[Server]:
    """``cardfile serve`` on a free port; with ``diagnostics`` (``bench.tracking_server``'s
    options), the same under that wrapper."""
    port = free_port()
    env = {**deployed.env, "CARDFILE_PORT": str(port)}
    command = [*_cardfile_command(), "serve"]
    if diagnostics:
        command = [sys.executable, "-m", "bench.tracking_server", *diagnostics]
    with _process(command, env, port, deployed.data_dir / "server.log") as server:
        yield server


def gc_summary(path: Path) -> str | None:
    """What ``bench.tracking_server --gc-log`` wrote, in one line (None: no log)."""
    if not path.exists():
        return None
    by_generation: dict[int, list[float]] = {}
    for line in path.read_text().splitlines():
        generation, pause = line.split()
        by_generation.setdefault(int(generation), []).append(float(pause))
    return "; ".join(
        f"generation {g}: {len(p):,} collections, {sum(p):,.0f} ms in all, longest {max(p):.1f} ms"
        for g, p in sorted(by_generation.items())
    )


@contextmanager
def worker_process(deployed: Deployment, threads: int) -> Iterator[subprocess.Popen[bytes]]:
    """``cardfile worker --threads N`` beside a server started with ``CARDFILE_WORKERS=0``:
    the hub applied in a process (and under a GIL) of its own."""
    log = deployed.data_dir / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*_cardfile_command(), "worker", "--threads", str(threads)],
            env=deployed.env,
            cwd=_ROOT,
            stdout=out,
            stderr=out,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def baseline_server(url: str, log: Path) -> Iterator[Server]:
    """The baseline app (``bench.tracking_baseline``) under uvicorn as Cardfile is served."""
    port = free_port()
    env = {**os.environ, "BENCH_BASELINE_URL": url}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench.tracking_baseline:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with _process(command, env, port, log) as server:
        yield server


@contextmanager
def attio_simulator(log: Path) -> Iterator[str]:
    """``python -m simulators.attio`` at Attio's limits (25 writes/s); its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "simulators.attio", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=_ROOT, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Attio simulator did not start")
            try:
                httpx.get(f"{base}/_simulator/stats", timeout=2.0).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# --- watching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """The store at one moment: events stored, and events the hub is done with."""

    at: float  # time.perf_counter()
    stored: int
    applied: int


class Store:
    """Reads of the store while the server works: cheap ones (id bounds by index) during the
    run, exact counts at the end. Events are applied oldest first, so every event below the
    oldest pending one has been applied."""

    def __init__(self, url: str, workspace_id: int) -> None:
        self.engine = create_store_engine(url)
        self.sessions = session_factory(self.engine)
        self.workspace_id = workspace_id

    def point(self) -> Point:
        """Stored and applied events now (from the id bounds: the log's ids have no gaps
        when nothing is refused as a duplicate)."""
        with self.sessions() as session:
            stored = session.scalar(select(func.max(Event.id))) or 0
            oldest = session.scalar(
                select(func.min(Event.id)).where(
                    Event.workspace_id == self.workspace_id, Event.hub_status == PENDING
                )
            )
        return Point(time.perf_counter(), stored, stored if oldest is None else oldest - 1)

    def statuses(self) -> dict[str, int]:
        """Events per hub status (exact)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Event.hub_status, func.count()).group_by(Event.hub_status)
            ).all()
        return {str(status): int(count) for status, count in rows}

    def deliveries(self) -> tuple[dict[str, int], float | None]:
        """Deliveries per status, and when the last one was sent (epoch seconds)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Delivery.status, func.count()).group_by(Delivery.status)
            ).all()
            last = session.scalar(
                select(func.max(Delivery.updated_at)).where(Delivery.status == "sent")
            )
        sent_at = as_utc(last).timestamp() if last is not None else None
        return {str(status): int(count) for status, count in rows}, sent_at

    def close(self) -> None:
        """Let the engine go."""
        self.engine.dispose()


class Sampler:
    """Samples the store every ``every`` seconds in a thread of its own, until stopped."""

    def __init__(self, store: Store, every: float = 1.0) -> None:
        self.store = store
        self.every = every
        self.points: list[Point] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.points.append(self.store.point())


@dataclass
class Cpu:
    """CPU seconds spent between two moments: the server process (and each of its threads),
    this process, PostgreSQL's processes, and the machine as a whole."""

    server_pid: int
    worker_pid: int | None = None
    marks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        """Read every counter now."""
        server = psutil.Process(self.server_pid)
        times = server.cpu_times()
        postgres = 0.0
        others: dict[int, float] = {}  # other user-space processes, by pid
        mine = {os.getpid(), self.server_pid, self.worker_pid}
        for process in psutil.process_iter(["name", "cpu_times", "ppid"]):
            spent = process.info["cpu_times"]
            if spent is None or process.pid in mine:
                continue
            if process.info["name"] == "postgres":
                postgres += spent.user + spent.system
            elif process.pid != 2 and process.info["ppid"] != 2:  # not a kernel thread
                others[process.pid] = spent.user + spent.system
        machine = psutil.cpu_times()
        me = psutil.Process().cpu_times()
        worker = 0.0
        if self.worker_pid is not None:
            worker_times = psutil.Process(self.worker_pid).cpu_times()
            worker = worker_times.user + worker_times.system
        self.marks[name] = {
            "others": others,
            "worker": worker,
            "at": time.perf_counter(),
            "server": times.user + times.system,
            "threads": {t.id: t.user_time + t.system_time for t in server.threads()},
            "client": me.user + me.system,
            "postgres": postgres,
            "busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0.0),
            "all": sum(machine),
        }

    def between(self, first: str, last: str) -> dict[str, Any]:
        """Each share of one core (1.0 = one core busy) between two marks; the machine's
        busy share of all its cores; the server's threads, busiest first."""
        a, b = self.marks[first], self.marks[last]
        wall = b["at"] - a["at"]
        threads = sorted(
            (
                (tid, (b["threads"][tid] - a["threads"].get(tid, 0.0)) / wall)
                for tid in b["threads"]
            ),
            key=lambda item: -item[1],
        )
        return {
            "server": (b["server"] - a["server"]) / wall,
            "worker": (b["worker"] - a["worker"]) / wall,
            "client": (b["client"] - a["client"]) / wall,
            "postgres": (b["postgres"] - a["postgres"]) / wall,
            # Processes alive at both marks; what is left of the machine's busy time is the
            # kernel's own (loopback networking, I/O: a database's fsyncs land there).
            "others": sum(
                b["others"][pid] - a["others"][pid] for pid in b["others"] if pid in a["others"]
            )
            / wall,
            "machine": (b["busy"] - a["busy"]) / max(b["all"] - a["all"], 1e-9),
            "event_loop": dict(threads).get(self.server_pid, 0.0),
            "threads": [(tid, share) for tid, share in threads if share >= 0.02],
        }
