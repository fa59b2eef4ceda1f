"""The tracking API as the app holds it: the durable intake, the write keys, the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Route

from cardfile.api.tracking.auth import WriteKeys
from cardfile.api.tracking.rejections import Rejections
from cardfile.api.tracking.routes import tracking_routes
from cardfile.ingest.events.intake import Intake
from cardfile.settings import Settings


class Tracking:
    """Everything the ``/v1`` routes share, made once per app.

    Args:
        settings: The intake's limits and the write-key cache's lifetime.
        sessions: The store.
        events_arrived: Called with each workspace whose events were just committed, so their
            processing starts (``Jobs.events_arrived``).
    """

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        events_arrived: Callable[[int], None],
    ) -> None:
        self._events_arrived = events_arrived
        self.intake = Intake(
            sessions,
            on_commit=self._notify,
            capacity=settings.tracking_queue_events,
            commit_size=settings.tracking_commit_events,
        )
        self.keys = WriteKeys(sessions, settings.tracking_key_cache_seconds)
        self.rejections = Rejections()
        self.routes: list[Route] = tracking_routes(self)

    def install(self, app: FastAPI) -> None:
        """Put the ``/v1`` routes in ``app``, first: they are matched before any other."""
        app.router.routes[:0] = self.routes
        app.state.tracking = self

    def _notify(self, workspaces: set[int]) -> None:
        for workspace_id in sorted(workspaces):
            self._events_arrived(workspace_id)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The intake running for the app's lifetime; on the way out, what is queued is
        committed before the app stops."""
        await self.intake.start()
        try:
            yield
        finally:
            await self.intake.stop()
