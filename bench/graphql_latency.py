"""Benchmark: latency of the seed's ``getProductBySlug`` query over HTTP on loopback.

Set-up: a store with one workspace, an API key and 100 company attribute definitions (25
each of text, number, checkbox, and single select with 5 options). The app
(``cardfile.api.app.create_app``) is served by uvicorn, one worker, in its own process on
127.0.0.1 and a free port. One ``httpx.Client`` (keep-alive) sends N sequential requests and
times each with ``time.perf_counter``, after 20 unmeasured warm-up requests.

Cardfile: ``POST /graphql`` with the query of the seed's "Get all existing attributes"
example (``/work/shared/seeds/000_757e8b58b18eba9d.txt``), ``{"slug": ...}`` as variables.
Baseline: ``GET /healthz`` (one ``SELECT 1``) against the same server in the same run — the
floor of a request through this stack. The issue sets no target for this one.

    .venv/bin/python -m bench.graphql_latency --rows 1000 --backend postgres
"""

from __future__ import annotations

import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.command_line import exit_on_sigterm, parser
from bench.databases import Backend, fresh_database
from bench.report import Line, machine, table
from bench.store_setup import SLUG, prepare
from cardfile.store import api_keys, attributes
from cardfile.store.db import session_factory, transaction
from cardfile.types import AttributeType

FULL_REQUESTS = 1_000
QUICK_REQUESTS = 200
WARM_UP = 20
DEFINITIONS_PER_TYPE = 25
SELECT_OPTIONS = 5
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0

# The seed's "Get all existing attributes" query, as the seed-snippet tests keep it (they
# check it against the seed's text).
QUERY = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "seeds"
    / "snippets"
    / "workspace_by_slug.graphql"
).read_text(encoding="utf-8")

_TYPES = (AttributeType.TEXT, AttributeType.NUMBER, AttributeType.CHECKBOX, AttributeType.SELECT)


def _seed_store(url: str) -> str:
    """Workspace, API key and the 100 definitions; returns the Bearer key."""
    engine, workspace = prepare(url)
    with transaction(session_factory(engine)) as session:
        secret = api_keys.create(session, workspace_id=workspace, name="bench").secret
        for kind in _TYPES:
            for number in range(1, DEFINITIONS_PER_TYPE + 1):
                attributes.create_definition(
                    session,
                    workspace_id=workspace,
                    entity=attributes.COMPANY,
                    name=f"{kind.value} {number}",
                    type=kind,
                    options=(
                        [f"Option {n}" for n in range(1, SELECT_OPTIONS + 1)]
                        if kind is AttributeType.SELECT
                        else []
                    ),
                )
    engine.dispose()
    return secret


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(url: str, data_dir: Path) -> Iterator[str]:
    """Run the app under uvicorn in its own process; yields its base URL, stops it after."""
    port = _free_port()
    env = {
        **os.environ,
        "CARDFILE_DATABASE_URL": url,
        "CARDFILE_DATA_DIR": str(data_dir),
        "CARDFILE_SECRET_KEY": secrets.token_urlsafe(32),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "cardfile.api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, server)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def _wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode} before answering")
        try:
            if httpx.get(f"{base}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer GET /healthz within {START_TIMEOUT:.0f} s")


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values (``share`` in 0..1)."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def time_requests(send: Callable[[], httpx.Response], count: int) -> tuple[list[float], float]:
    """Per-request latencies in ms (sorted) and the elapsed seconds of ``count`` requests."""
    for _ in range(WARM_UP):
        send().raise_for_status()
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(count):
        before = time.perf_counter()
        response = send()
        latencies.append((time.perf_counter() - before) * 1000)
        response.raise_for_status()
    elapsed = time.perf_counter() - started
    return sorted(latencies), elapsed


def _check_answer(response: httpx.Response) -> None:
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"the query failed: {body['errors']}")
    connection = body["data"]["getProductBySlug"]["companyAttributeDefinitions"]
    expected = DEFINITIONS_PER_TYPE * len(_TYPES)
    if len(connection["edges"]) != expected:
        raise RuntimeError(f"expected {expected} definitions, got {len(connection['edges'])}")


def measure(requests: int, backend: Backend) -> str:
    """Seed a store, serve it, time both endpoints; returns the printed report."""
    with (
        tempfile.TemporaryDirectory(prefix="cardfile-bench-") as tmp,
        fresh_database(backend, Path(tmp), "latency") as database,
    ):
        secret = _seed_store(database.url)
        with (
            serve(database.url, Path(tmp) / "data") as base,
            httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as client,
        ):
            headers = {"Authorization": f"Bearer {secret}"}
            body = {"query": QUERY, "variables": {"slug": SLUG}}

            def graphql() -> httpx.Response:
                return client.post("/graphql", json=body, headers=headers)

            def healthz() -> httpx.Response:
                return client.get("/healthz")

            _check_answer(graphql())
            floor, floor_seconds = time_requests(healthz, requests)
            query, query_seconds = time_requests(graphql, requests)
            _check_answer(graphql())
    lines = [
        Line(
            f"p{int(share * 100)} latency, ms",
            percentile(query, share),
            percentile(floor, share),
            digits=2,
        )
        for share in (0.5, 0.9, 0.99)
    ]
    lines.append(Line("max latency, ms", query[-1], floor[-1], digits=2))
    lines.append(
        Line(
            "requests/s (sequential)", requests / query_seconds, requests / floor_seconds, digits=0
        )
    )
    title = (
        f"getProductBySlug over HTTP — {backend}, {requests:,} sequential requests, "
        f"{DEFINITIONS_PER_TYPE * len(_TYPES)} definitions (baseline: GET /healthz, same server)"
    )
    return table(title, lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.graphql_latency [--rows N] [--backend ...]``."""
    args = parser(
        "getProductBySlug latency benchmark",
        default_rows=QUICK_REQUESTS,
        rows_help=f"requests to time (per endpoint); full size is {FULL_REQUESTS:,}",
    ).parse_args(argv)
    exit_on_sigterm()
    print(machine(with_postgres=args.backend == "postgres"), flush=True)
    text = measure(args.rows, args.backend)
    print()
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
