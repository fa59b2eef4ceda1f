"""What every API request passes before its route runs: the token, then the limits.

An API token travels in the ``x-api-token`` header (or the legacy ``api_token`` query
parameter); an OAuth access token as ``Authorization: Bearer``. Either missing, unknown or
expired is answered 401 ``unauthorized access``. Then the burst, search and daily limits
(``limits.py``); every answer past them carries the ``x-ratelimit-*`` headers. A write (a
create, update or delete) told to lose its answer (``POST /_simulator/lost_answers``) is done
and then answered 502, as when a connection drops after Pipedrive did the work.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from simulators.kit import Call, bearer
from simulators.pipedrive.errors import PipedriveError, bad_request, unauthorized
from simulators.pipedrive.state import PipedriveSim

Handler = Callable[[Request], Awaitable[Response]]

WRITES = frozenset({"POST", "PATCH", "DELETE"})
"""The methods whose answer ``lost_answers`` loses (after the write was done)."""

LOST_ANSWER_MESSAGE = "Bad gateway"
"""What a proxy in front of Pipedrive answers when the API's own answer was lost."""


async def read_json(request: Request) -> Any:
    """The request's JSON body (None when empty).

    Raises:
        PipedriveError: 400, the body is not JSON.
    """
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise bad_request("Validation failed: the request body is not valid JSON") from None


def credentials(sim: PipedriveSim, request: Request) -> tuple[str, bool] | None:
    """The accepted token and whether it is an OAuth one; None when refused."""
    api_token = request.headers.get("x-api-token") or request.query_params.get("api_token")
    if api_token:
        return (api_token, False) if api_token in sim.static_tokens else None
    token = bearer(request)
    if token is None or sim.tokens.grant_of(token) is None:
        return None
    return (token, True) if sim.tokens.check(token) == "ok" else None


def guarded(sim: PipedriveSim, handler: Handler) -> Handler:
    """``handler`` behind Pipedrive's authentication and limits."""

    async def endpoint(request: Request) -> Response:
        sim.requests += 1
        response: Response
        found = credentials(sim, request)
        if found is None:
            response = unauthorized().response()
        else:
            token, oauth = found
            try:
                counters = sim.limits.admit(
                    token, oauth=oauth, method=request.method, path=request.url.path
                )
            except PipedriveError as refusal:
                sim.rate_limited += 1
                response = refusal.response()
            else:
                try:
                    response = await handler(request)
                except PipedriveError as refusal:
                    response = refusal.response()
                stored = request.method in WRITES and response.status_code == 200
                if stored and sim.lose_answer():  # the write stands; its answer never arrives
                    response = PipedriveError(502, LOST_ANSWER_MESSAGE).response()
                response.headers.update(counters.headers())
        sim.calls.append(Call(request.method, request.url.path, response.status_code))
        return response

    return endpoint
