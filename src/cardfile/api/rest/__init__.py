"""The REST dialect under ``/api/v1``, in graph8's style: ``{"data": …}`` on success,
``{"detail": …}`` on error, Bearer API keys."""

from cardfile.api.rest.router import rest_router

__all__ = ["rest_router"]
