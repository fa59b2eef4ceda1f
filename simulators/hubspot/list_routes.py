"""The Lists v3 routes: ``/crm/v3/lists`` and list memberships."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.hubspot.errors import Refusal, whole_number
from simulators.hubspot.gate import guarded, read_json
from simulators.hubspot.lists import HubList
from simulators.hubspot.properties import OBJECT_TYPE_IDS
from simulators.hubspot.state import HubSpotSim

_OBJECT_BY_TYPE_ID = {type_id: name for name, type_id in OBJECT_TYPE_IDS.items()}


def _ids(body: Any, key: str | None = None) -> list[str]:
    raw = body.get(key) if key is not None and isinstance(body, dict) else body
    if raw is None and key is not None:
        return []
    if not isinstance(raw, list):
        where = f"{key} " if key else "the body "
        raise Refusal(400, f"Invalid input JSON: {where}must be an array of record ids")
    return [str(item) for item in raw]


def list_routes(sim: HubSpotSim) -> list[Route]:
    """The list routes of ``sim``."""

    def exists_in(target: HubList) -> Any:
        store = sim.objects[_OBJECT_BY_TYPE_ID[target.object_type_id]]
        return lambda record_id: record_id in store.records

    async def create(request: Request) -> Response:
        made = sim.lists.create(await read_json(request))
        return JSONResponse({"list": made.to_json()})

    async def fetch(request: Request) -> Response:
        return JSONResponse({"list": sim.lists.get(str(request.path_params["listId"])).to_json()})

    async def by_name(request: Request) -> Response:
        found = sim.lists.by_name(
            str(request.path_params["objectTypeId"]), str(request.path_params["listName"])
        )
        return JSONResponse({"list": found.to_json()})

    async def change(request: Request, add: list[str], remove: list[str]) -> Response:
        list_id = str(request.path_params["listId"])
        target = sim.lists.get(list_id)
        done = sim.lists.change(list_id, add, remove, exists_in(target))
        return JSONResponse(done.to_json())

    async def add(request: Request) -> Response:
        return await change(request, _ids(await read_json(request)), [])

    async def remove(request: Request) -> Response:
        return await change(request, [], _ids(await read_json(request)))

    async def add_and_remove(request: Request) -> Response:
        body = await read_json(request)
        return await change(request, _ids(body, "recordIdsToAdd"), _ids(body, "recordIdsToRemove"))

    async def members(request: Request) -> Response:
        after = whole_number(request.query_params.get("after"), "after", 0)
        limit = whole_number(request.query_params.get("limit"), "limit", 100)
        page = sim.lists.members(str(request.path_params["listId"]), after, limit)
        return JSONResponse(page)

    base = "/crm/v3/lists"
    return [
        Route(base, guarded(sim, create), methods=["POST"]),
        Route(
            f"{base}/object-type-id/{{objectTypeId}}/name/{{listName}}",
            guarded(sim, by_name),
            methods=["GET"],
        ),
        Route(f"{base}/{{listId}}", guarded(sim, fetch), methods=["GET"]),
        Route(f"{base}/{{listId}}/memberships", guarded(sim, members), methods=["GET"]),
        Route(f"{base}/{{listId}}/memberships/add", guarded(sim, add), methods=["PUT"]),
        Route(f"{base}/{{listId}}/memberships/remove", guarded(sim, remove), methods=["PUT"]),
        Route(
            f"{base}/{{listId}}/memberships/add-and-remove",
            guarded(sim, add_and_remove),
            methods=["PUT"],
        ),
    ]
