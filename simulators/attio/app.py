"""The Attio simulator as a Starlette app: objects, attributes, records, lists, token
introspection, the OAuth token endpoint and the kit's ``/_simulator`` control API, behind
fault injection."""

from __future__ import annotations

from collections.abc import Collection

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.attio.errors import error_body, fault_body
from simulators.attio.gate import guarded
from simulators.attio.list_routes import list_routes
from simulators.attio.members import OWNER
from simulators.attio.oauth import oauth_routes
from simulators.attio.record_routes import record_routes
from simulators.attio.records import WORKSPACE_SLUG
from simulators.attio.schema import WORKSPACE_ID
from simulators.attio.schema_routes import schema_routes
from simulators.attio.state import API_KEY_CLIENT_ID, SCOPES, WORKSPACE_NAME, AttioSim
from simulators.kit import FaultMiddleware, bearer, control_routes

DEFAULT_ACTIVATED = frozenset({"people", "companies", "users", "workspaces", "deals"})


def _self_routes(sim: AttioSim) -> list[Route]:
    async def identify(request: Request) -> Response:
        token = bearer(request) or ""
        grant = sim.grant_of(token)
        client_id = sim.tokens.client_id if grant is not None else API_KEY_CLIENT_ID
        issued = sim.started if grant is None else grant.expires_at - sim.token_lifetime
        return JSONResponse(
            {
                "active": True,
                "scope": SCOPES,
                "client_id": client_id,
                "token_type": "Bearer",
                "exp": int(grant.expires_at) if grant is not None else None,
                "iat": int(issued),
                "sub": WORKSPACE_ID,
                "aud": client_id,
                "iss": "attio.com",
                "authorized_by_workspace_member_id": OWNER.id,
                "workspace_id": WORKSPACE_ID,
                "workspace_name": WORKSPACE_NAME,
                "workspace_slug": WORKSPACE_SLUG,
                "workspace_logo_url": None,
            }
        )

    return [Route("/v2/self", guarded(sim, identify, introspects=True), methods=["GET"])]


async def _no_route(request: Request, exc: Exception) -> Response:
    """Attio's JSON body for paths and methods it does not serve."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = f"Route {request.method} {request.url.path} was not found."
    code = "not_found" if status == 404 else "validation_type"
    return JSONResponse(error_body(status, "invalid_request_error", code, message), status)


def create_app(
    *,
    tokens: Collection[str] = frozenset({"attio-test-token"}),
    writes_per_second: int = 25,
    reads_per_second: int = 100,
    token_lifetime: float = 1800.0,
    activated: Collection[str] = DEFAULT_ACTIVATED,
) -> Starlette:
    """A simulated Attio workspace; its state is ``app.state.sim`` (an :class:`AttioSim`).

    Args:
        tokens: Workspace API keys the workspace accepts.
        writes_per_second: Write requests allowed in any one-second window (Attio: 25).
        reads_per_second: Read requests allowed in any one-second window (Attio: 100).
        token_lifetime: Seconds an OAuth access token lives.
        activated: The objects activated in the workspace (the others answer 404).
    """
    sim = AttioSim(
        tokens=tokens,
        writes_per_second=writes_per_second,
        reads_per_second=reads_per_second,
        token_lifetime=token_lifetime,
        activated=activated,
    )
    routes = [
        *control_routes(sim),
        *oauth_routes(sim),
        *_self_routes(sim),
        *schema_routes(sim),
        *record_routes(sim),
        *list_routes(sim),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=sim.faults, error_body=fault_body)],
        exception_handlers={404: _no_route, 405: _no_route},
    )
    app.state.sim = sim
    return app
