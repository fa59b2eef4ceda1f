"""The Salesforce simulator as a Starlette app: the REST API under ``/services/data``, the
OAuth token endpoint and the kit's ``/_simulator`` control API, behind fault injection."""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

from starlette.applications import Starlette
from starlette.middleware import Middleware

from simulators.kit import FaultMiddleware, control_routes
from simulators.kit.faults import ErrorBody
from simulators.salesforce.errors import fault_body
from simulators.salesforce.oauth import oauth_routes
from simulators.salesforce.routes import data_routes
from simulators.salesforce.state import SalesforceSim


def create_app(
    *,
    tokens: Collection[str] = frozenset({"salesforce-test-token"}),
    daily_limit: int = 100_000,
    batch_limit: int = 200,
    token_lifetime: float = 7200.0,
    query_page: int = 2000,
    accounts_as_members: bool = True,
) -> Starlette:
    """A simulated Salesforce org; its state is ``app.state.sim`` (a :class:`SalesforceSim`).

    Args:
        tokens: Session ids the org accepts without OAuth (as a static access token).
        daily_limit: API requests allowed in the org's day (Enterprise Edition: 100,000 plus
            1,000 per licence).
        batch_limit: Records allowed in one sObject Collections request (200).
        token_lifetime: Seconds an OAuth session lives (the org's session timeout).
        query_page: Records in one query answer (2,000 at Salesforce; tests may lower it).
        accounts_as_members: The "Accounts as Campaign Members" setting.
    """
    sim = SalesforceSim(
        tokens=tokens,
        daily_limit=daily_limit,
        batch_limit=batch_limit,
        token_lifetime=token_lifetime,
        query_page=query_page,
        accounts_as_members=accounts_as_members,
    )
    routes = [*control_routes(sim), *oauth_routes(sim), *data_routes(sim)]
    # Salesforce's error bodies are JSON arrays; the kit's ErrorBody is typed for objects
    # only, though the middleware serialises whatever it is given.
    error_body = cast(ErrorBody, fault_body)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=sim.faults, error_body=error_body)],
    )
    app.state.sim = sim
    return app
