"""The control API every simulator mounts under ``/_simulator``, so a test, a benchmark or a
person can inject faults into a simulator running in another process.

    POST /_simulator/reset                 forget records, faults, tokens' expiry, counters
    POST /_simulator/faults                {"status", "delay", "times", "path", "method", "headers"}
    POST /_simulator/refusals              {"field", "value", "message"}
    POST /_simulator/tokens/grant          {"lifetime"} -> an OAuth grant, as the code exchange
    POST /_simulator/tokens/expire         end every issued access token now
    GET  /_simulator/stats                 records per object, requests, 429s answered
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulators.kit.faults import Fault, Faults
from simulators.kit.tokens import TokenStore


@dataclass(frozen=True)
class Call:
    """One API request a simulator answered (for tests and benchmarks)."""

    method: str
    path: str
    status: int


class Simulated(Protocol):
    """What a simulator's state offers the control API."""

    faults: Faults
    tokens: TokenStore

    def reset(self) -> None:
        """Forget every record and counter."""
        ...

    def stats(self) -> dict[str, Any]:
        """Counts for tests and benchmarks."""
        ...


def control_routes(sim: Simulated) -> list[Route]:
    """The ``/_simulator`` routes for ``sim``."""

    async def reset(_request: Request) -> JSONResponse:
        sim.reset()
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> JSONResponse:
        body = await request.json()
        sim.faults.add(
            Fault(
                status=body.get("status", 500),
                delay=float(body.get("delay", 0.0)),
                times=int(body.get("times", 1)),
                path=body.get("path"),
                method=body.get("method"),
                headers=body.get("headers"),
            )
        )
        return JSONResponse({"ok": True})

    async def refusals(request: Request) -> JSONResponse:
        body = await request.json()
        sim.faults.refuse(str(body["field"]), str(body["value"]), str(body["message"]))
        return JSONResponse({"ok": True})

    async def grant(request: Request) -> JSONResponse:
        body = await request.json() if await request.body() else {}
        issued = sim.tokens.grant(lifetime=body.get("lifetime"))
        return JSONResponse(
            {
                "access_token": issued.access_token,
                "refresh_token": issued.refresh_token,
                "expires_in": max(0, int(issued.expires_at - time.time())),
            }
        )

    async def expire(_request: Request) -> JSONResponse:
        sim.tokens.expire_all()
        return JSONResponse({"ok": True})

    async def stats(_request: Request) -> JSONResponse:
        return JSONResponse(sim.stats())

    return [
        Route("/_simulator/reset", reset, methods=["POST"]),
        Route("/_simulator/faults", faults, methods=["POST"]),
        Route("/_simulator/refusals", refusals, methods=["POST"]),
        Route("/_simulator/tokens/grant", grant, methods=["POST"]),
        Route("/_simulator/tokens/expire", expire, methods=["POST"]),
        Route("/_simulator/stats", stats, methods=["GET"]),
    ]
