"""The CRM object routes: ``/crm/v3/objects/{objectType}/…`` for companies and contacts.

Reading one record with ``?associations=companies`` (or ``contacts``) adds the v3
``associations`` block; archiving a record ends its associations.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.hubspot import search as searching
from simulators.hubspot import writes
from simulators.hubspot.association_routes import v3_associations
from simulators.hubspot.errors import Refusal, whole_number
from simulators.hubspot.gate import guarded, read_json
from simulators.hubspot.properties import iso, now_ms
from simulators.hubspot.records import ObjectStore
from simulators.hubspot.state import HubSpotSim

_BASE = "/crm/v3/objects/{objectType}"
MAX_PAGE = 100


def _store(sim: HubSpotSim, request: Request) -> ObjectStore:
    return sim.store(str(request.path_params["objectType"]))


def _listed(request: Request, parameter: str) -> list[str]:
    """A query parameter's values, comma-separated or repeated."""
    raw = request.query_params.getlist(parameter)
    return [name.strip() for value in raw for name in value.split(",") if name.strip()]


def _names(request: Request) -> list[str] | None:
    """``properties`` query values (None: the defaults)."""
    return _listed(request, "properties") or None


def object_routes(sim: HubSpotSim) -> list[Route]:
    """The object routes of ``sim``."""

    def refused(values: dict[str, Any]) -> str | None:
        return sim.faults.refusal(values)

    async def batch_create(request: Request) -> Response:
        answer = writes.create(
            _store(sim, request), await read_json(request), sim.batch_limit, refused
        )
        return JSONResponse(answer.body, answer.status)

    async def batch_update(request: Request) -> Response:
        answer = writes.update(
            _store(sim, request), await read_json(request), sim.batch_limit, refused
        )
        return JSONResponse(answer.body, answer.status)

    async def batch_upsert(request: Request) -> Response:
        answer = writes.upsert(
            _store(sim, request), await read_json(request), sim.batch_limit, refused
        )
        return JSONResponse(answer.body, answer.status)

    async def batch_archive(request: Request) -> Response:
        # HubSpot answers 204 whether or not each id existed.
        store = _store(sim, request)
        for item in writes.read_inputs(await read_json(request), sim.batch_limit):
            if store.archive(str(item.get("id", ""))):
                sim.associations.forget(store.object_type, str(item["id"]))
        return Response(status_code=204)

    async def batch_read(request: Request) -> Response:
        store = _store(sim, request)
        body = await read_json(request)
        inputs = writes.read_inputs(body, sim.batch_limit)
        id_property = str(body.get("idProperty") or "hs_object_id")
        if id_property != "hs_object_id" and id_property not in store.unique_names():
            raise Refusal(400, f"{id_property} is not a unique property")
        names = body.get("properties") or None
        started = iso(now_ms())
        results: list[dict[str, Any]] = []
        missing: list[str] = []
        for item in inputs:
            wanted = str(item.get("id", ""))
            record = store.find(id_property, wanted)
            if record is None:
                missing.append(wanted)
            else:
                results.append(record.to_json(names, store.object_type))
        answer: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso(now_ms()),
        }
        if not missing:
            return JSONResponse(answer)
        kind = store.object_type.rstrip("s").upper().replace("COMPANIE", "COMPANY")
        answer["numErrors"] = 1
        answer["errors"] = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": f"Could not get some {kind} objects, they may be deleted or not "
                "exist. Check that ids are valid.",
                "context": {"ids": missing},
                "errors": [],
                "links": {},
            }
        ]
        return JSONResponse(answer, 207)

    async def list_objects(request: Request) -> Response:
        store = _store(sim, request)
        limit = min(whole_number(request.query_params.get("limit"), "limit", 10), MAX_PAGE)
        after = whole_number(request.query_params.get("after"), "after", 0)
        ordered = sorted(store.records.values(), key=lambda r: int(r.id))
        if after:
            ordered = [r for r in ordered if int(r.id) >= after]
        page = ordered[:limit]
        names = _names(request)
        answer: dict[str, Any] = {"results": [r.to_json(names, store.object_type) for r in page]}
        if len(ordered) > limit:
            following = ordered[limit].id
            link = f"{request.url.path}?after={following}&limit={limit}"
            answer["paging"] = {"next": {"after": following, "link": link}}
        return JSONResponse(answer)

    async def get_object(request: Request) -> Response:
        store = _store(sim, request)
        id_property = request.query_params.get("idProperty") or "hs_object_id"
        record = store.find(id_property, str(request.path_params["objectId"]))
        if record is None:
            raise Refusal(404, "resource not found", "OBJECT_NOT_FOUND")
        answer = record.to_json(_names(request), store.object_type)
        wanted = _listed(request, "associations")
        associated = v3_associations(sim, store, record.id, wanted) if wanted else None
        if associated is not None:
            answer["associations"] = associated
        return JSONResponse(answer)

    async def create_object(request: Request) -> Response:
        body = await read_json(request)
        props = body.get("properties") if isinstance(body, dict) else None
        answer = writes.create(
            _store(sim, request), {"inputs": [{"properties": props or {}}]}, 1, refused
        )
        return JSONResponse(answer.body["results"][0], 201)

    async def search(request: Request) -> Response:
        return JSONResponse(searching.search(_store(sim, request), await read_json(request)))

    def route(path: str, handler: Any, method: str, *, is_search: bool = False) -> Route:
        return Route(f"{_BASE}{path}", guarded(sim, handler, search=is_search), methods=[method])

    return [
        route("/batch/create", batch_create, "POST"),
        route("/batch/update", batch_update, "POST"),
        route("/batch/upsert", batch_upsert, "POST"),
        route("/batch/read", batch_read, "POST"),
        route("/batch/archive", batch_archive, "POST"),
        route("/search", search, "POST", is_search=True),
        route("", list_objects, "GET"),
        route("", create_object, "POST"),
        route("/{objectId}", get_object, "GET"),
    ]
