"""The Pipedrive simulator as a Starlette app: persons and organizations (v2), their search,
the person, organization and deal fields with their options, the current user (v1), the OAuth
token endpoint and the kit's ``/_simulator`` control API, behind fault injection."""

from __future__ import annotations

from collections.abc import Collection

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.kit import FaultMiddleware, control_routes
from simulators.pipedrive.errors import error_body, fault_body
from simulators.pipedrive.field_routes import field_routes
from simulators.pipedrive.limits import WINDOW_SECONDS
from simulators.pipedrive.oauth import oauth_routes
from simulators.pipedrive.record_routes import record_routes
from simulators.pipedrive.state import PipedriveSim
from simulators.pipedrive.user_routes import user_routes

DEFAULT_TOKEN = "pipedrive-test-token"
DAILY_TOKENS = 30_000  # the base budget of one seat on the lowest plan multiplier


def _lost_answers_route(sim: PipedriveSim) -> Route:
    """``POST /_simulator/lost_answers {"times": n}``: the next ``n`` writes are stored and
    answered 502, so a test can see that a client retrying a create does not duplicate."""

    async def lose(request: Request) -> Response:
        body = await request.json() if await request.body() else {}
        sim.lost_answers = int(body.get("times", 1))
        return JSONResponse({"ok": True})

    return Route("/_simulator/lost_answers", lose, methods=["POST"])


async def _no_route(_request: Request, exc: Exception) -> Response:
    """Pipedrive's answer for a path or method it does not serve."""
    status = int(getattr(exc, "status_code", 404))
    return JSONResponse(error_body(status, "Unknown method ."), status)


def create_app(
    *,
    tokens: Collection[str] = frozenset({DEFAULT_TOKEN}),
    token_lifetime: float = 3599.0,
    api_token_burst: int = 20,
    oauth_burst: int = 80,
    search_burst: int = 10,
    daily_tokens: int = DAILY_TOKENS,
    window: float = WINDOW_SECONDS,
) -> Starlette:
    """A simulated Pipedrive company; its state is ``app.state.sim`` (a :class:`PipedriveSim`).

    Args:
        tokens: API tokens the company accepts.
        token_lifetime: Seconds an OAuth access token lives (Pipedrive: an hour).
        api_token_burst: Requests per window for an API token (Essential plan: 20).
        oauth_burst: Requests per window for an OAuth access token (Essential plan: 80).
        search_burst: Search requests per window (every plan: 10).
        daily_tokens: The daily token budget.
        window: The burst window in seconds (Pipedrive: 2; tests shorten it).
    """
    sim = PipedriveSim(
        tokens=tokens,
        token_lifetime=token_lifetime,
        api_token_burst=api_token_burst,
        oauth_burst=oauth_burst,
        search_burst=search_burst,
        daily_tokens=daily_tokens,
        window=window,
    )
    routes = [
        *control_routes(sim),
        _lost_answers_route(sim),
        *oauth_routes(sim),
        *user_routes(sim),
        *field_routes(sim),
        *record_routes(sim),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=sim.faults, error_body=fault_body)],
        exception_handlers={404: _no_route, 405: _no_route},
    )
    app.state.sim = sim
    return app
