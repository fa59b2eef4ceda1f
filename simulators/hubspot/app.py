"""The HubSpot simulator as a Starlette app: objects, associations, properties, lists, account
details, the OAuth token endpoint and the kit's ``/_simulator`` control API, behind fault
injection."""

from __future__ import annotations

from collections.abc import Collection

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.hubspot.association_routes import association_routes
from simulators.hubspot.errors import fault_body
from simulators.hubspot.gate import guarded
from simulators.hubspot.list_routes import list_routes
from simulators.hubspot.oauth import oauth_routes
from simulators.hubspot.object_routes import object_routes
from simulators.hubspot.property_routes import property_routes
from simulators.hubspot.state import HubSpotSim
from simulators.kit import FaultMiddleware, control_routes


def _account_routes(sim: HubSpotSim) -> list[Route]:
    async def details(_request: Request) -> Response:
        return JSONResponse(
            {
                "portalId": sim.portal_id,
                "accountType": "STANDARD",
                "timeZone": "Etc/UTC",
                "companyCurrency": "USD",
                "additionalCurrencies": [],
                "utcOffset": "+00:00",
                "utcOffsetMilliseconds": 0,
                "uiDomain": "app.hubspot.com",
                "dataHostingLocation": "na1",
            }
        )

    return [Route("/account-info/v3/details", guarded(sim, details), methods=["GET"])]


def create_app(
    *,
    tokens: Collection[str] = frozenset({"hubspot-test-token"}),
    ten_second_limit: int = 190,
    daily_limit: int = 1_000_000,
    batch_limit: int = 100,
    token_lifetime: float = 1800.0,
    interval_seconds: float = 10.0,
    association_batch_limit: int = 2_000,
) -> Starlette:
    """A simulated HubSpot portal; its state is ``app.state.sim`` (a :class:`HubSpotSim`).

    Args:
        tokens: Private-app tokens the portal accepts.
        ten_second_limit: Requests allowed in any burst window (190 for Professional).
        daily_limit: Requests allowed a day.
        batch_limit: Inputs allowed in one batch request.
        token_lifetime: Seconds an OAuth access token lives (HubSpot: 30 minutes).
        interval_seconds: The burst window's length (HubSpot: 10 s; tests may shorten it).
        association_batch_limit: Inputs allowed in one association batch request.
    """
    sim = HubSpotSim(
        tokens=tokens,
        ten_second_limit=ten_second_limit,
        daily_limit=daily_limit,
        batch_limit=batch_limit,
        token_lifetime=token_lifetime,
        interval_seconds=interval_seconds,
        association_batch_limit=association_batch_limit,
    )
    routes = [
        *control_routes(sim),
        *oauth_routes(sim),
        *object_routes(sim),
        *association_routes(sim),
        *property_routes(sim),
        *list_routes(sim),
        *_account_routes(sim),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=sim.faults, error_body=fault_body)],
    )
    app.state.sim = sim
    return app
