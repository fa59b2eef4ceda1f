"""Lists and entries:

GET    /v2/lists
POST   /v2/lists                              {data: {name, api_slug, parent_object, …}}
GET    /v2/lists/{list}
POST   /v2/lists/{list}/entries               add a record (duplicates allowed)
PUT    /v2/lists/{list}/entries               assert by parent record (idempotent add)
POST   /v2/lists/{list}/entries/query         filter, sorts, limit, offset
GET    /v2/lists/{list}/entries/{entry_id}
DELETE /v2/lists/{list}/entries/{entry_id}
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.attio.errors import AttioError, bad_request, not_found
from simulators.attio.gate import guarded, read_json
from simulators.attio.lists import AttioList, Entry, entry_json, list_json
from simulators.attio.query import run
from simulators.attio.state import AttioSim
from simulators.attio.writes import apply, check_required, prepare, refuse_if_asked, values_of

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_ACCESS = {"full-access", "read-and-write", "read-only"}


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _new_list(sim: AttioSim, body: Any) -> AttioList:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise bad_request("validation_type", "Body payload validation error: data is required.")
    fields = ("name", "api_slug", "parent_object", "workspace_access", "workspace_member_access")
    missing = [name for name in fields if name not in data]
    if missing:
        raise bad_request(
            "validation_type", f"Body payload validation error: data.{missing[0]} is required."
        )
    slug = data["api_slug"]
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise bad_request("validation_type", f'"{slug}" is not a snake_case API slug.')
    parent = sim.object_slug(str(data["parent_object"]))
    if parent is None:
        raise not_found(f'Parent object with slug/ID "{data["parent_object"]}" not found.')
    access = data["workspace_access"]
    members = data["workspace_member_access"]
    if access is not None and access not in _ACCESS:
        raise bad_request("validation_type", f'"{access}" is not a workspace access level.')
    if not isinstance(members, list) or not all(
        isinstance(m, dict) and m.get("level") in _ACCESS for m in members
    ):
        raise bad_request("validation_type", "workspace_member_access must list access levels.")
    if access != "full-access" and not any(m.get("level") == "full-access" for m in members):
        raise bad_request(
            "validation_type",
            'New lists need workspace_access "full-access" or a workspace member with '
            '"full-access".',
        )
    if sim.lists.find(slug) is not None:
        raise AttioError(409, "slug_conflict", f'A list with api_slug "{slug}" already exists.')
    return sim.lists.create(
        name=str(data["name"]),
        api_slug=slug,
        parent_object=parent,
        workspace_access=access,
        workspace_member_access=members,
    )


def _entry_body(sim: AttioSim, made: AttioList, body: Any) -> tuple[str, dict[str, Any]]:
    """The parent record id and the entry values of an entry write."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise bad_request("validation_type", "Body payload validation error: data is required.")
    for name in ("parent_record_id", "parent_object", "entry_values"):
        if name not in data:
            raise bad_request(
                "validation_type", f"Body payload validation error: data.{name} is required."
            )
    record_id = data["parent_record_id"]
    parent = sim.object_slug(str(data["parent_object"]))
    if parent != made.parent_object:
        raise bad_request(
            "validation_type",
            f'List "{made.api_slug}" holds "{made.parent_object}" records, not '
            f'"{data["parent_object"]}".',
        )
    store = sim.stores[parent]
    if not isinstance(record_id, str) or record_id not in store.records:
        raise bad_request("value_not_found", f'Parent record with slug/ID "{record_id}" not found.')
    return record_id, values_of(body, "entry_values")


def list_routes(sim: AttioSim) -> list[Route]:
    """The list routes of ``sim``."""

    async def lists(request: Request) -> Response:
        if request.method == "POST":
            made = _new_list(sim, await read_json(request))
            return JSONResponse({"data": list_json(made)})
        live = [m for m in sim.lists.lists.values() if m.parent_object in sim.activated]
        return JSONResponse({"data": [list_json(m) for m in live]})

    async def one_list(request: Request) -> Response:
        return JSONResponse({"data": list_json(sim.lists.get(request.path_params["list"]))})

    async def entries(request: Request) -> Response:
        made = sim.lists.get(request.path_params["list"])
        record_id, raw = _entry_body(sim, made, await read_json(request))
        prepared = prepare(made, raw, sim.references())
        refuse_if_asked(sim.faults, raw)
        now = time.time()
        entry: Entry
        if request.method == "PUT":
            found = sim.lists.of_parent(made, record_id)
            if len(found) > 1:
                raise bad_request(
                    "multiple_match_results",
                    "Multiple entries were founds for the given parent record. Please remove "
                    "duplicates or use the update or create entry endpoints instead.",
                )
            if found:
                entry = found[0]
                apply(entry, made, prepared, now)
                return JSONResponse({"data": entry_json(made, entry)})
        check_required(made, prepared)
        entry = sim.lists.add(made, record_id, now)
        apply(entry, made, prepared, now)
        return JSONResponse({"data": entry_json(made, entry)})

    async def query(request: Request) -> Response:
        made = sim.lists.get(request.path_params["list"])
        found = run(made, list(sim.lists.entries[made.id].values()), await read_json(request))
        return JSONResponse({"data": [entry_json(made, e) for e in found]})

    async def entry(request: Request) -> Response:
        made = sim.lists.get(request.path_params["list"])
        entry_id = request.path_params["entry_id"]
        held = sim.lists.entries[made.id]
        if not _is_uuid(entry_id) or entry_id not in held:
            raise not_found(f'List entry with ID "{entry_id}" not found.')
        if request.method == "DELETE":
            del held[entry_id]
            return JSONResponse({})
        return JSONResponse({"data": entry_json(made, held[entry_id])})

    return [
        Route("/v2/lists", guarded(sim, lists), methods=["GET", "POST"]),
        Route("/v2/lists/{list}", guarded(sim, one_list), methods=["GET"]),
        Route("/v2/lists/{list}/entries/query", guarded(sim, query), methods=["POST"]),
        Route("/v2/lists/{list}/entries", guarded(sim, entries), methods=["POST", "PUT"]),
        Route(
            "/v2/lists/{list}/entries/{entry_id}", guarded(sim, entry), methods=["GET", "DELETE"]
        ),
    ]
