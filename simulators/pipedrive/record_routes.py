"""``/api/v2/persons`` and ``/api/v2/organizations``: list (all, or ``ids`` up to 100), create,
read, patch, delete and search, one record per request (v2 has no batch endpoint for either).

``DELETE /api/v2/{persons|organizations}/{id}`` answers 200 ``{success, data: {id}}``, and 404
``Person not found`` (``Organization not found``) for a record that does not exist or was
deleted already; a refusal chosen through the control API answers 400 with its message."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.pipedrive.errors import bad_request
from simulators.pipedrive.gate import guarded, read_json
from simulators.pipedrive.records import SEARCH_FIELDS, Stored, search_item, shown
from simulators.pipedrive.state import PipedriveSim
from simulators.pipedrive.values import checked

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_IDS = 100  # the list endpoints' ``ids``: "up to 100 entity ids"


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the item at ``offset``."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for (0 for none).

    Raises:
        PipedriveError: 400, the cursor is not one this API issued.
    """
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "offset":
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_request("Validation failed: cursor: invalid cursor") from None


def page_limit(request: Request) -> int:
    """The ``limit`` parameter (100 unless given; at most 500)."""
    raw = request.query_params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"Validation failed: limit: must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def _page(items: list[Any], request: Request) -> tuple[list[Any], dict[str, Any]]:
    start = decode_cursor(request.query_params.get("cursor"))
    limit = page_limit(request)
    following = start + limit
    cursor = encode_cursor(following) if following < len(items) else None
    return items[start:following], {"next_cursor": cursor}


def listed_ids(request: Request) -> frozenset[int] | None:
    """The list endpoints' ``ids`` parameter: comma-separated record ids, at most 100 (None
    when not given: every record is listed).

    Raises:
        PipedriveError: 400, an id is not an integer or there are more than 100.
    """
    raw = request.query_params.get("ids")
    if raw is None:
        return None
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise bad_request("Validation failed: ids: must be a comma separated list of integers")
    if len(parts) > MAX_IDS:
        raise bad_request(f"Validation failed: ids: must contain at most {MAX_IDS} ids")
    return frozenset(int(part) for part in parts)


def _record_id(request: Request) -> int:
    return int(request.path_params["id"])


def _flat(body: dict[str, Any], sim: PipedriveSim, kind: str) -> dict[str, Any]:
    """A body's values by body key, custom hash and custom field name (for refusals)."""
    flat = {k: v for k, v in body.items() if k != "custom_fields"}
    custom = body.get("custom_fields")
    if isinstance(custom, dict):
        names = {code: f.name for code, f in sim.schema.custom(kind).items()}
        for code, value in custom.items():
            flat[str(code)] = value
            if code in names:
                flat[names[code]] = value
    return flat


def record_routes(sim: PipedriveSim) -> list[Route]:
    """The record routes of ``sim``."""

    def answer(kind: str, record: Stored) -> JSONResponse:
        return JSONResponse({"success": True, "data": shown(kind, record, sim.schema)})

    def refuse_chosen(kind: str, body: Any) -> None:
        if isinstance(body, dict):
            message = sim.faults.refusal(_flat(body, sim, kind))
            if message is not None:
                raise bad_request(message)

    def routes_of(kind: str) -> list[Route]:
        async def listing(request: Request) -> Response:
            wanted = listed_ids(request)
            records = sorted(
                (r for r in sim.stores[kind].records.values() if wanted is None or r.id in wanted),
                key=lambda r: r.id,
            )
            page, more = _page(records, request)
            data = [shown(kind, record, sim.schema) for record in page]
            return JSONResponse({"success": True, "data": data, "additional_data": more})

        async def create(request: Request) -> Response:
            body = await read_json(request)
            values, custom = checked(kind, body, sim.schema, creating=True, exists=sim.exists)
            refuse_chosen(kind, body)
            return answer(kind, sim.stores[kind].create(values, custom))

        async def read(request: Request) -> Response:
            return answer(kind, sim.stores[kind].get(_record_id(request)))

        async def patch(request: Request) -> Response:
            record_id = _record_id(request)
            sim.stores[kind].get(record_id)
            body = await read_json(request)
            values, custom = checked(kind, body, sim.schema, creating=False, exists=sim.exists)
            refuse_chosen(kind, body)
            return answer(kind, sim.stores[kind].patch(record_id, values, custom))

        async def delete(request: Request) -> Response:
            record_id = _record_id(request)
            stored = sim.stores[kind].get(record_id)
            # The control API's refusals hold for deletes too, so a test can have one refused.
            refuse_chosen(kind, {**stored.values, "custom_fields": dict(stored.custom)})
            sim.stores[kind].delete(record_id)
            return JSONResponse({"success": True, "data": {"id": record_id}})

        async def search(request: Request) -> Response:
            params = request.query_params
            term = params.get("term")
            exact = params.get("exact_match", "false").lower() == "true"
            if term is None:
                raise bad_request("Validation failed: term: parameter is required")
            if len(term) < (1 if exact else 2):
                raise bad_request(
                    "Validation failed: term: the search term must be at least "
                    f"{1 if exact else 2} character{'' if exact else 's'} long"
                )
            allowed = SEARCH_FIELDS[kind]
            asked = frozenset(f.strip() for f in params.get("fields", "").split(",") if f.strip())
            unknown = sorted(asked - allowed)
            if unknown:
                raise bad_request(
                    f"Validation failed: fields: {unknown[0]} is not one of "
                    f"{', '.join(sorted(allowed))}"
                )
            found = sim.stores[kind].search(sim.schema, term, asked or allowed, exact)
            page, more = _page(found, request)
            organizations = sim.stores["organizations"].records
            items = [
                search_item(kind, r, exact, organizations.get(r.values.get("org_id") or 0))
                for r in page
            ]
            return JSONResponse(
                {"success": True, "data": {"items": items}, "additional_data": more}
            )

        base = f"/api/v2/{kind}"
        return [
            Route(base, guarded(sim, listing), methods=["GET"]),
            Route(base, guarded(sim, create), methods=["POST"]),
            Route(f"{base}/search", guarded(sim, search), methods=["GET"]),
            Route(f"{base}/{{id:int}}", guarded(sim, read), methods=["GET"]),
            Route(f"{base}/{{id:int}}", guarded(sim, patch), methods=["PATCH"]),
            Route(f"{base}/{{id:int}}", guarded(sim, delete), methods=["DELETE"]),
        ]

    return [*routes_of("persons"), *routes_of("organizations")]
