"""The tracking benchmark's load: Segment-shaped messages, and a lean HTTP/1.1 client that
sends them over keep-alive connections on loopback.

Why not httpx (a dev dependency) or aiohttp: on this 2-core machine the load generator and
the server share the CPU, so every microsecond the client spends on a request is taken from
the server. Measured against a do-nothing Starlette app under the same uvicorn (64
connections, 5 s, ``/v1/track``-sized bodies): httpx 0.28 ``AsyncClient`` ~800 us of client
CPU per request (~900 requests/s at most, one shared pool of 64 connections manages 115/s);
aiohttp 3.14 ~95 us (~7,200/s; not a project dependency, tried from a scratch install);
this client ~13 us (~20,000/s, a quarter of a core). Only this one leaves the server its
core at the request rates the issue's targets imply (3,000 single-event requests/s).

The client speaks just enough HTTP/1.1 for that: ``POST`` with ``Content-Length``, responses
with ``Content-Length`` (Starlette and FastAPI always send it for these answers), keep-alive,
no redirects, no TLS, no chunked bodies. It refuses anything else loudly rather than
mis-measuring.
"""

from __future__ import annotations

import asyncio
import base64
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# --- messages -----------------------------------------------------------------------------

PLANS = ("Free", "Pro", "Enterprise")
INDUSTRIES = ("Retail", "Software", "Banking", "Healthcare", "Logistics")
TRACKED = ("Signed In", "Report Created", "Invite Sent", "Plan Upgraded", "Export Downloaded")
PATHS = ("/reports", "/settings/billing", "/dashboard", "/invite", "/exports")
USERS = 200_000
GROUPS = 20_000
LIBRARY = '{"name":"analytics-python","version":"2.3.4"}'
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"
MIX = "20% identify, 10% group, 70% track"
# Event types by position in a batch of 10 (the mix above), so every batch holds the same mix.
_SLOTS = ("identify", "identify", "group", *("track",) * 7)


def _context(u: int) -> str:
    return (
        f'{{"library":{LIBRARY},"ip":"10.{u % 250}.{u % 97}.{u % 13 + 1}",'
        f'"locale":"en-GB","userAgent":"{AGENT}","timezone":"Europe/London"}}'
    )


def message(k: int, n: int, stamp: str, run: str) -> str:
    """The ``k``-th message of the run as JSON text (``n``: its request's number).

    Every text is plain ASCII with nothing to escape, so f-strings make valid JSON at ~1 us a
    message; ``check_messages`` parses a sample to prove it. Users and groups are spread by a
    multiplicative hash over 200,000 users and 20,000 groups (a user's group is fixed), so the
    hub sees both new and known people; ``logins`` changes on every identify, so a known person
    is also an update.
    """
    kind = _SLOTS[k % 10]
    u = (k * 7919 + 13) % USERS
    head = (
        f'{{"type":"{kind}","messageId":"{run}-{k}","userId":"u{u}",'
        f'"timestamp":"{stamp}","context":{_context(u)}'
    )
    if kind == "identify":
        return (
            f'{head},"traits":{{"email":"user{u}@example{u % 997}.com",'
            f'"name":"First{u} Last{u % 1000}","plan":"{PLANS[u % 3]}","seats":{u % 50 + 1},'
            f'"logins":{n},"title":"Engineer",'
            f'"createdAt":"2025-0{u % 9 + 1}-1{u % 10}T09:00:00Z"}}}}'
        )
    if kind == "group":
        g = u % GROUPS
        return (
            f'{head},"groupId":"g{g}","traits":{{"name":"Company {g}",'
            f'"website":"https://www.company{g}.com/","employees":{g % 900 + 1},'
            f'"industry":"{INDUSTRIES[g % 5]}","plan":"{PLANS[g % 3]}"}}}}'
        )
    return (
        f'{head},"event":"{TRACKED[k % 5]}","properties":{{"plan":"{PLANS[u % 3]}",'
        f'"revenue":{k % 997 / 10},"path":"{PATHS[k % 5]}/{k % 1000}",'
        f'"referrer":"https://www.google.com/"}}}}'
    )


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def batch_body(per_request: int, run: str) -> Callable[[int], tuple[bytes, int]]:
    """Request ``n``'s ``/v1/batch`` body and its number of events."""

    def make(n: int) -> tuple[bytes, int]:
        stamp = _stamp()
        start = n * per_request
        items = ",".join(message(k, n, stamp, run) for k in range(start, start + per_request))
        return f'{{"batch":[{items}],"sentAt":"{stamp}"}}'.encode(), per_request

    return make


def track_body(run: str) -> Callable[[int], tuple[bytes, int]]:
    """Request ``n``'s single ``/v1/track`` body (a track message, as ``/v1/track`` takes)."""

    def make(n: int) -> tuple[bytes, int]:
        k = n * 10 + 3  # a track slot of the mix
        return message(k, n, _stamp(), run).encode(), 1

    return make


def check_messages(make: Callable[[int], tuple[bytes, int]]) -> float:
    """Parse a few bodies (they must be valid JSON); their mean size per event, bytes."""
    import json

    sizes = []
    for n in (0, 1, 7, 12345):
        body, count = make(n)
        json.loads(body)
        sizes.append(len(body) / count)
    return sum(sizes) / len(sizes)


# --- the client ---------------------------------------------------------------------------


def basic_auth(write_key: str) -> str:
    """``Authorization`` as analytics-python sends it: the key as username, no password."""
    return "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()


class ProtocolError(RuntimeError):
    """The server answered something this client does not read."""


@dataclass
class Tally:
    """What one load run saw. Latencies are kept only for requests that started inside the
    measured window; warm-up requests count nowhere."""

    requests: int = 0
    events_ok: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, answered 200
    finished: list[float] = field(default_factory=list)  # their answers, s into the window
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    client_cpu: float = 0.0
    started_at: float = 0.0  # time.time() when the measured window began

    @property
    def events_per_second(self) -> float:
        """Events in requests answered 200, per second of the window."""
        return self.events_ok / self.seconds if self.seconds else 0.0

    @property
    def requests_per_second(self) -> float:
        """Requests answered (any status), per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the 200s' latency, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(share * len(ordered)))
        return ordered[rank - 1] * 1000


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lowered = head.lower()
    at = lowered.find(b"\r\ncontent-length:")
    if at < 0:
        raise ProtocolError(f"an answer without Content-Length: {head[:200]!r}")
    end = lowered.index(b"\r\n", at + 2)
    length = int(lowered[at + 17 : end])
    body = await reader.readexactly(length) if length else b""
    if b"\r\nconnection: close" in lowered:
        raise ProtocolError("the server closed the connection")
    return status, body


def _request(path: str, host: str, authorization: str | None, body: bytes) -> bytes:
    auth = f"Authorization: {authorization}\r\n" if authorization else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"{auth}Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def post(
    port: int, path: str, body: bytes, authorization: str | None = None
) -> tuple[int, bytes]:
    """One request on a connection of its own (set-up and checks, not load)."""
    reader, writer = await _connect(port)
    try:
        return await _exchange(
            reader, writer, _request(path, f"127.0.0.1:{port}", authorization, body)
        )
    finally:
        writer.close()


async def load(
    port: int,
    path: str,
    make: Callable[[int], tuple[bytes, int]],
    *,
    authorization: str | None,
    connections: int,
    seconds: float,
    warm_up: float,
    on_window: Callable[[], None] | None = None,
) -> Tally:
    """``connections`` clients, each sending its next request as soon as the last is answered,
    for ``warm_up`` s unmeasured and then ``seconds`` s measured. A 429 or 503 is counted and
    the client waits its ``Retry-After`` (1 s) as the SDKs do, without resending (only 200s
    count as accepted). ``on_window`` is called when the measured window starts."""
    tally = Tally()
    host = f"127.0.0.1:{port}"
    counter = iter(range(1 << 62))
    loop_start = time.perf_counter()
    window_start = loop_start + warm_up
    window_end = window_start + seconds
    opened = [await _connect(port) for _ in range(connections)]
    started = asyncio.Event()

    async def announce() -> None:
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        tally.started_at = time.time()
        tally.client_cpu = -time.process_time()
        if on_window is not None:
            on_window()
        started.set()

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            began = time.perf_counter()
            if began >= window_end:
                break
            body, count = make(next(counter))
            try:
                status, _answer = await _exchange(
                    reader, writer, _request(path, host, authorization, body)
                )
            except (OSError, asyncio.IncompleteReadError, ProtocolError) as error:
                if began >= window_start:
                    tally.errors[type(error).__name__] += 1
                writer.close()
                await asyncio.sleep(0.1)
                reader, writer = await _connect(port)
                continue
            finished = time.perf_counter()
            if began < window_start:
                if status in (429, 503):
                    await asyncio.sleep(1.0)
                continue
            tally.requests += 1
            tally.statuses[status] += 1
            if status == 200:
                tally.events_ok += count
                tally.latencies.append(finished - began)
                tally.finished.append(finished - window_start)
            elif status in (429, 503):
                await asyncio.sleep(1.0)
        writer.close()

    herald = asyncio.create_task(announce())
    await asyncio.gather(*(client(r, w) for r, w in opened))
    await herald
    tally.seconds = time.perf_counter() - window_start
    tally.client_cpu += time.process_time()
    return tally


def run_load(*args: object, **kwargs: object) -> Tally:
    """:func:`load` on a fresh uvloop event loop (uvicorn's own, a Cardfile dependency)."""
    import uvloop

    return uvloop.run(load(*args, **kwargs))  # type: ignore[arg-type]
