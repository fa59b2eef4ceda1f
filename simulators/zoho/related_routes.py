"""Related lists: a campaign's contacts and leads, Zoho's lists of people.

    PUT    /crm/v8/Campaigns/{id}/Contacts             {"data": [{"id", "Member_Status"?}]}
    PUT    /crm/v8/Campaigns/{id}/Contacts/{contact}   {"data": [{"Member_Status"?}]}
    DELETE /crm/v8/Campaigns/{id}/Contacts?ids=a,b
    DELETE /crm/v8/Campaigns/{id}/Contacts/{contact}
    GET    /crm/v8/Campaigns/{id}/Contacts             (204 when there are none)

Linking a record twice keeps one link; delinking one that is not linked succeeds. Each id is
answered by one item of ``data`` (``relation added``/``relation removed``, or Zoho's error for
an id it has no record of), with 200, 207 or 400 as for record writes. At most 100 ids go in
one request.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.zoho.errors import ZohoError, error_item
from simulators.zoho.gate import guarded, read_json
from simulators.zoho.state import MemberKey, ZohoSim
from simulators.zoho.writes import read_data, status_of

RELATED = {("Campaigns", "Contacts"): "Contacts", ("Campaigns", "Leads"): "Leads"}
"""The related lists served: (parent module, related list) → the related records' module."""
MAX_IDS = 100


def _key(sim: ZohoSim, request: Request) -> tuple[MemberKey, str]:
    """The related list a path names, and the module of its records."""
    parent = sim.store(str(request.path_params["module"])).module.api_name
    related = str(request.path_params["related"])
    module = RELATED.get((parent, related))
    if module is None:
        raise ZohoError(
            400,
            "INVALID_DATA",
            "The relation name given seems to be invalid",
            {"resource_path_index": 2},
        )
    return (parent, str(request.path_params["record_id"]), related), module


def _answer(results: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"data": results}, status_of(results))


def _unknown(related_id: str) -> dict[str, Any]:
    return error_item(
        "INVALID_DATA", "the related id given seems to be invalid", {"id": related_id}
    )


def _done(related_id: str, message: str) -> dict[str, Any]:
    return {
        "code": "SUCCESS",
        "details": {"id": related_id},
        "message": message,
        "status": "success",
    }


def related_routes(sim: ZohoSim) -> list[Route]:
    """The related-list routes of ``sim``."""

    def link(key: MemberKey, module: str, item: Any) -> dict[str, Any]:
        related_id = str(item.get("id")) if isinstance(item, dict) else ""
        if related_id not in sim.store(module).records:
            return _unknown(related_id)
        extra = {k: v for k, v in item.items() if k != "id"}
        sim.member_list(key, create=True).setdefault(related_id, {}).update(extra)
        return _done(related_id, "relation added")

    def delink(key: MemberKey, module: str, related_id: str) -> dict[str, Any]:
        if related_id not in sim.store(module).records:
            return _unknown(related_id)
        sim.member_list(key).pop(related_id, None)
        return _done(related_id, "relation removed")

    async def add_many(request: Request) -> Response:
        key, module = _key(sim, request)
        sim.member_list(key)
        items = read_data(await read_json(request), MAX_IDS)
        return _answer([link(key, module, item) for item in items])

    async def add_one(request: Request) -> Response:
        key, module = _key(sim, request)
        sim.member_list(key)
        body = await read_json(request)
        data = body.get("data") if isinstance(body, dict) else None
        extra = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        related_id = str(request.path_params["related_id"])
        return _answer([link(key, module, {**extra, "id": related_id})])

    async def remove_many(request: Request) -> Response:
        key, module = _key(sim, request)
        sim.member_list(key)
        ids = [i for i in request.query_params.get("ids", "").split(",") if i.strip()]
        if not ids:
            raise ZohoError(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param": "ids"},
            )
        if len(ids) > MAX_IDS:
            raise ZohoError(400, "LIMIT_EXCEEDED", "Record count exceeded", {"limit": MAX_IDS})
        return _answer([delink(key, module, i.strip()) for i in ids])

    async def remove_one(request: Request) -> Response:
        key, module = _key(sim, request)
        sim.member_list(key)
        return _answer([delink(key, module, str(request.path_params["related_id"]))])

    async def read(request: Request) -> Response:
        key, module = _key(sim, request)
        linked = sim.member_list(key)
        records = sim.store(module).records
        found = [{**records[i].to_json(), **extra} for i, extra in linked.items() if i in records]
        if not found:
            return Response(status_code=204)
        info = {"per_page": 200, "count": len(found), "page": 1, "more_records": False}
        return JSONResponse({"data": found, "info": info})

    base = "/crm/v8/{module}/{record_id}/{related}"
    return [
        Route(base, guarded(sim, add_many), methods=["PUT"]),
        Route(base, guarded(sim, remove_many), methods=["DELETE"]),
        Route(base, guarded(sim, read), methods=["GET"]),
        Route(f"{base}/{{related_id}}", guarded(sim, add_one), methods=["PUT"]),
        Route(f"{base}/{{related_id}}", guarded(sim, remove_one), methods=["DELETE"]),
    ]
