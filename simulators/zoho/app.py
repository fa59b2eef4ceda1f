"""The Zoho CRM simulator as a Starlette app: records, fields, campaign members, the org, the
OAuth token endpoint and the kit's ``/_simulator`` control API, behind fault injection."""

from __future__ import annotations

from collections.abc import Collection

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.kit import FaultMiddleware, control_routes
from simulators.zoho.errors import error_item, fault_body, invalid_url
from simulators.zoho.limits import DAY_SECONDS
from simulators.zoho.oauth import oauth_routes
from simulators.zoho.record_routes import record_routes
from simulators.zoho.related_routes import related_routes
from simulators.zoho.state import ZohoSim


async def _no_route(request: Request, exc: Exception) -> Response:
    """Zoho's JSON bodies for paths and methods it does not serve."""
    del request
    if getattr(exc, "status_code", 404) == 405:
        message = "The http request method type is not a valid one"
        return JSONResponse(error_item("INVALID_REQUEST_METHOD", message), 405)
    return invalid_url().response()


def create_app(
    *,
    tokens: Collection[str] = frozenset({"zoho-test-token"}),
    credits: int = 50_000,
    concurrency: int = 20,
    token_lifetime: float = 3600.0,
    batch_limit: int = 100,
    latency: float = 0.0,
    credit_window: float = DAY_SECONDS,
) -> Starlette:
    """A simulated Zoho CRM org; its state is ``app.state.sim`` (a :class:`ZohoSim`).

    Args:
        tokens: Access tokens the org accepts that never expire.
        credits: API credits allowed in any credit window (Enterprise: 50,000 plus 1,000 per
            user license).
        concurrency: Requests allowed in flight at once (Free 5 … Ultimate 25).
        token_lifetime: Seconds an OAuth access token lives (Zoho: one hour).
        batch_limit: Records allowed in one write request (Zoho: 100).
        latency: Seconds each API request takes, so that concurrency can be exceeded.
        credit_window: The credit window in seconds (Zoho: a rolling 24 hours).
    """
    sim = ZohoSim(
        tokens=tokens,
        credits=credits,
        concurrency=concurrency,
        token_lifetime=token_lifetime,
        batch_limit=batch_limit,
        latency=latency,
        credit_window=credit_window,
    )
    routes = [
        *control_routes(sim),
        *oauth_routes(sim),
        *record_routes(sim),
        *related_routes(sim),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=sim.faults, error_body=fault_body)],
        exception_handlers={404: _no_route, 405: _no_route},
    )
    app.state.sim = sim
    return app
