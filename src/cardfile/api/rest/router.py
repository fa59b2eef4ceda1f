"""Everything under ``/api/v1``, with graph8's error shape."""

from __future__ import annotations

from fastapi import APIRouter

from cardfile.api.rest import connections, crm_syncs, destinations, job_routes, sources, syncs


def rest_router() -> APIRouter:
    """The ``/api/v1`` router."""
    made = APIRouter(prefix="/api/v1")
    made.include_router(crm_syncs.router)
    made.include_router(connections.router)
    made.include_router(job_routes.router)
    made.include_router(syncs.router)
    made.include_router(sources.router)
    made.include_router(destinations.router)
    return made
