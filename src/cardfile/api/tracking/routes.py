"""``/v1/identify|group|track|page|screen|alias|batch|import``: Segment's HTTP tracking API.

Answers as Segment answers, because the SDKs act on them:

- 200 ``{"success": true}``: every event the request carried that could be accepted is in
  the store (a batch item that was refused is dropped, logged and kept in the source's
  rejection record; the answer's ``X-Cardfile-Rejected`` header counts them);
- 400 ``{"code", "message"}``: the body is not JSON, too large, or, for a single call, the
  one message is refused — the SDKs drop a 400 without retrying, which is right for a request
  that can never succeed;
- 401 ``{"code": "invalid_write_key" | "missing_write_key", …}``: Segment answers 200 and
  drops the events, which loses them silently; a 401 makes every official library log the
  failure (and report it to its error callback);
- 429 with ``Retry-After``: the intake's queue is full; 503 with ``Retry-After``: the store is
  unreachable or the server is stopping. The SDKs retry both.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DisconnectionError, OperationalError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cardfile.api.tracking import body
from cardfile.api.tracking.auth import write_key_of
from cardfile.ingest.events.intake import IntakeClosed, Saturated, StoreUnavailable, Unstorable
from cardfile.ingest.events.messages import (
    MAX_MESSAGE_BYTES,
    TYPES,
    Envelope,
    MessageRefused,
    prepare,
)
from cardfile.store.events import NewEvent
from cardfile.store.schema import utcnow
from cardfile.store.sources import KeyOwner

if TYPE_CHECKING:
    from cardfile.api.tracking.service import Tracking

log = logging.getLogger(__name__)
SUCCESS = b'{"success":true}'
RETRY_AFTER_SECONDS = "1"
RETRY = {"Retry-After": RETRY_AFTER_SECONDS}


def _error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


def _dict_or_none(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _prepared(
    data: dict[str, Any], owner: KeyOwner, kind: str | None, size: int
) -> tuple[list[NewEvent], list[tuple[str | None, MessageRefused]], int]:
    """The events of a request body, the refused messages, and how many there were."""
    received_at = utcnow()
    if kind is not None:
        envelope = Envelope(received_at=received_at)
        return [prepare(data, owner, envelope, kind=kind, measure=False)], [], 1
    items = data.get("batch")
    if not isinstance(items, list):
        raise body.BadRequest("invalid_batch", "a batch body needs a 'batch' array")
    if len(items) > body.MAX_BATCH_EVENTS:
        raise body.BadRequest(
            "too_many_events", f"a batch must hold at most {body.MAX_BATCH_EVENTS} events"
        )
    envelope = Envelope(
        received_at=received_at,
        context=_dict_or_none(data.get("context")),
        integrations=_dict_or_none(data.get("integrations")),
        sent_at=data.get("sentAt"),
    )
    # No item can be larger than a body within one item's limit, so only a larger body is
    # measured item by item.
    measure = size > MAX_MESSAGE_BYTES
    accepted: list[NewEvent] = []
    refused: list[tuple[str | None, MessageRefused]] = []
    for item in items:
        try:
            accepted.append(prepare(item, owner, envelope, measure=measure))
        except MessageRefused as error:
            declared = item.get("type") if isinstance(item, dict) else None
            refused.append((declared if isinstance(declared, str) else None, error))
    return accepted, refused, len(items)


async def accept(tracking: Tracking, request: Request, kind: str | None) -> Response:
    """Take one tracking request in: ``kind`` is the route's type, None for a batch."""
    limit = MAX_MESSAGE_BYTES if kind is not None else body.MAX_BATCH_BYTES
    try:
        raw = await body.read(request, limit)
        data = body.parse(raw)
    except body.BadRequest as error:
        return _error(400, error.code, error.message)
    secret = write_key_of(request.headers.get("authorization", ""), data)
    if secret is None:
        return _error(
            401,
            "missing_write_key",
            "send the source's write key as the Basic auth username or as writeKey",
        )
    try:
        owner = await tracking.keys.owner(secret)
    except (OperationalError, DisconnectionError) as error:
        log.error("write keys could not be looked up: %s", error)
        return _error(503, "unavailable", "the store is unreachable", **RETRY)
    if owner is None:
        return _error(401, "invalid_write_key", "the write key is unknown or revoked")
    try:
        accepted, refused, total = _prepared(data, owner, kind, len(raw))
    except body.BadRequest as error:
        return _error(400, error.code, error.message)
    except MessageRefused as error:
        tracking.rejections.record(owner.source_id, utcnow(), [(kind, error)], 1)
        return _error(400, error.code, error.message)
    tracking.rejections.record(owner.source_id, utcnow(), refused, total)
    try:
        await tracking.intake.write(accepted)
    except Saturated as error:
        return _error(
            429,
            "rate_limited",
            f"too many events are waiting to be stored ({error}); send again shortly",
            **{"Retry-After": RETRY_AFTER_SECONDS, "X-RateLimit-Reset": RETRY_AFTER_SECONDS},
        )
    except (StoreUnavailable, IntakeClosed) as error:
        return _error(503, "unavailable", str(error), **RETRY)
    except Unstorable as error:
        return _error(400, "unstorable", f"the store refused these events: {error}")
    headers = {"X-Cardfile-Rejected": str(len(refused))} if refused else None
    return Response(SUCCESS, media_type="application/json", headers=headers)


Handler = Callable[[Request], Awaitable[Response]]


def _handler(tracking: Tracking, kind: str | None) -> Handler:
    async def handle(request: Request) -> Response:
        return await accept(tracking, request, kind)

    return handle


def tracking_routes(tracking: Tracking) -> list[Route]:
    """The ``/v1`` routes of the tracking API.

    Plain Starlette routes: a tracking request needs none of FastAPI's per-request work
    (dependencies, body models, response models), which cost as much as storing the event.
    """
    routes = [
        Route(f"/v1/{kind}", _handler(tracking, kind), methods=["POST"], name=f"tracking_{kind}")
        for kind in sorted(TYPES)
    ]
    routes += [
        Route(path, _handler(tracking, None), methods=["POST"], name=f"tracking_{path[4:]}")
        for path in ("/v1/batch", "/v1/import")
    ]
    return routes
