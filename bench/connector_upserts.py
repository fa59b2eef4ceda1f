"""Benchmark: a connector's upserts against its vendor's simulator at the vendor's published
limits, as a fraction of the ceiling those limits allow.

The simulator runs in its own process on a loopback port (``python -m simulators.<vendor>``)
with the vendor's limits; this process drives the connector and counts what landed.

- HubSpot: 190 requests per rolling 10 s x 100 records per batch = a ceiling of 1,900
  records/s (its burst allowance means the first 190 requests may go at once, so a run of
  19,000 records or fewer can finish faster than the ceiling: use more to see the sustained
  rate).
- Attio: 25 writes per second, one record per write = 25 records/s.

Reported: records/s and its fraction of the ceiling, 429s the simulator answered, requests
made, records lost (sent but not stored, or failed), which must be 0.

    .venv/bin/python -m bench.connector_upserts --provider hubspot --records 10000
    .venv/bin/python -m bench.connector_upserts --provider attio --records 10000
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.command_line import exit_on_sigterm
from bench.report import Line, machine, table
from cardfile.connectors.base import Connection, Outcome, Record
from cardfile.connectors.registry import connect

_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Vendor:
    """One vendor's simulator, records and ceiling."""

    provider: str
    module: str
    token: str
    entity: str
    match_key: str
    ceiling: float  # records/s the vendor's published limits allow, sustained
    batch: int  # records per request
    window: tuple[int, float]  # requests per rolling window of seconds

    def fastest(self, records: int) -> float:
        """The least time the limits allow for ``records``: a full window's requests may
        start at once, the next window's one window later, and so on."""
        requests = -(-records // self.batch)
        allowed, seconds = self.window
        return ((requests - 1) // allowed) * seconds

    def record(self, n: int) -> Record:
        """The ``n``-th generated record in the vendor's field names."""
        if self.provider == "hubspot":
            return {"cardfile_id": f"b-{n}", "name": f"Company {n}", "domain": f"b{n}.example.com"}
        return {"domains": [f"b{n}.example.com"], "name": f"Company {n}"}


VENDORS = {
    "hubspot": Vendor(
        "hubspot",
        "simulators.hubspot",
        "hubspot-test-token",
        "companies",
        "cardfile_id",
        ceiling=1900.0,
        batch=100,
        window=(190, 10.0),
    ),
    "attio": Vendor(
        "attio",
        "simulators.attio",
        "attio-test-token",
        "companies",
        "domains",
        ceiling=25.0,
        batch=1,
        window=(25, 1.0),
    ),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def simulator(vendor: Vendor) -> Iterator[str]:
    """The vendor's simulator in its own process on a loopback port; yields its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", vendor.module, "--port", str(port), "--token", vendor.token],
        cwd=_ROOT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/_simulator/stats").raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the {vendor.provider} simulator did not start") from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _prepare(vendor: Vendor, base_url: str) -> None:
    if vendor.provider == "hubspot":  # companies upsert by a custom unique property
        httpx.post(
            f"{base_url}/crm/v3/properties/companies",
            headers={"Authorization": f"Bearer {vendor.token}"},
            json={
                "name": "cardfile_id",
                "label": "Cardfile id",
                "type": "string",
                "fieldType": "text",
                "groupName": "companyinformation",
                "hasUniqueValue": True,
            },
        ).raise_for_status()


async def _upsert(vendor: Vendor, base_url: str, records: int) -> tuple[float, int, int]:
    """Upsert ``records`` records; returns seconds, failed records and requests made."""
    connection = Connection(provider=vendor.provider, token=vendor.token, base_url=base_url)
    batch = [vendor.record(n) for n in range(records)]
    async with connect(connection) as connector:
        started = time.perf_counter()
        results = await connector.upsert(vendor.entity, batch, vendor.match_key)
        seconds = time.perf_counter() - started
    failed = sum(1 for r in results if r.outcome is Outcome.FAILED)
    return seconds, failed, len(results)


def measure(vendor: Vendor, records: int) -> tuple[str, bool]:
    """Run the benchmark for one vendor; returns the table and whether nothing was lost."""
    with simulator(vendor) as base_url:
        _prepare(vendor, base_url)
        seconds, failed, answered = asyncio.run(_upsert(vendor, base_url, records))
        stats = httpx.get(f"{base_url}/_simulator/stats").json()
    stored = int(stats["records"].get(vendor.entity, 0))
    lost = records - stored + failed if answered == records else records
    rate = records / seconds
    fastest = vendor.fastest(records)
    lines = [
        Line("records/s (baseline: the sustained ceiling)", rate, vendor.ceiling, digits=1),
        Line(
            "seconds (baseline: the least the limits allow)",
            seconds,
            fastest or None,
            target="close to the baseline",
            digits=1,
        ),
        Line("429s met", float(stats.get("rate_limited", 0)), None, digits=0),
        Line("requests the simulator answered", float(stats.get("requests", 0)), None),
        Line("records lost", float(lost), None, target="0", met=lost == 0),
    ]
    title = (
        f"{vendor.provider} upserts — {records:,} {vendor.entity} against the simulator at "
        f"{vendor.window[0]} requests per {vendor.window[1]:g} s, {vendor.batch} per request"
    )
    return table(title, lines), lost == 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.connector_upserts [--provider P] [--records N]``."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--provider", choices=[*VENDORS, "all"], default="all")
    options.add_argument("--records", type=int, default=10_000)
    args = options.parse_args(argv)
    exit_on_sigterm()
    print(machine(with_postgres=False), flush=True)
    chosen = list(VENDORS.values()) if args.provider == "all" else [VENDORS[args.provider]]
    ok = True
    for vendor in chosen:
        text, fine = measure(vendor, args.records)
        ok = ok and fine
        print()
        print(text, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
