"""The FastAPI application: health, GraphQL (and, as they land, REST and tracking)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from cardfile import __version__
from cardfile.api.graphql.schema import router as graphql_router
from cardfile.api.graphql.syncs import Services
from cardfile.api.metrics import metrics_router
from cardfile.api.rest import rest_router
from cardfile.api.tracking import Tracking
from cardfile.jobs.consumer import consuming
from cardfile.jobs.tasks import Jobs
from cardfile.settings import Settings, get_settings
from cardfile.store.db import create_store_engine, is_reachable, session_factory


class Store:
    """The app's engine and session factory, made once at start-up."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = session_factory(engine)


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the app for ``settings`` (or the environment's), on ``engine`` if given.

    The caller applies migrations (``cardfile serve`` does so before it starts serving).
    """
    settings = settings or get_settings()
    store = Store(engine or create_store_engine(settings.effective_database_url))
    jobs = Jobs(settings, store.sessions)
    tracking = Tracking(settings, store.sessions, jobs.events_arrived)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The embedded default works its own queue; at scale `cardfile worker`s do.
        with ExitStack() as stack:
            if settings.workers > 0:
                stack.enter_context(consuming(jobs.huey, settings.workers))
            async with tracking.running():  # stops before the workers: its last events queue
                # What start-up built lives as long as the process: moved out of the
                # collector's sight, full collections stop stalling every request at once
                # (bench/RESULTS.md: /v1/track's p99 fell from 116 to 47 ms).
                gc.collect()
                gc.freeze()
                yield
        if engine is None:  # only dispose of what this app created
            store.engine.dispose()

    app = FastAPI(
        title="Cardfile",
        version=__version__,
        summary="A self-hosted customer data hub that keeps your CRMs in agreement.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.jobs = jobs

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        """200 when the store answers, 503 when it does not."""
        if await run_in_threadpool(is_reachable, store.engine):
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "store": "unreachable"}, status_code=503)

    services = Services(store.sessions, settings, jobs)
    app.include_router(graphql_router(lambda: store.sessions, services), prefix="/graphql")
    app.include_router(rest_router())
    tracking.install(app)  # the /v1 tracking API, matched first
    metrics_token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    app.include_router(metrics_router(store.sessions, jobs, metrics_token))
    return app
