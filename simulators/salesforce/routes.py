"""The REST routes under ``/services/data/{version}``: versions, limits, describe, single
create, SOQL queries (with ``nextRecordsUrl`` paging) and sObject Collections."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.salesforce import soql, writes
from simulators.salesforce.errors import NOT_FOUND_MESSAGE, Refusal
from simulators.salesforce.gate import guarded, read_json
from simulators.salesforce.state import HIGHEST_VERSION, LOWEST_VERSION, SalesforceSim

_BASE = "/services/data/{version}"


def _versions() -> list[dict[str, str]]:
    first, last = int(LOWEST_VERSION), int(HIGHEST_VERSION)
    return [
        {"label": f"v{n}.0", "url": f"/services/data/v{n}.0", "version": f"{n}.0"}
        for n in range(first, last + 1)
    ]


def data_routes(sim: SalesforceSim) -> list[Route]:
    """The REST routes of ``sim``."""

    async def versions(_request: Request) -> Response:
        return JSONResponse(_versions())

    async def limits(_request: Request) -> Response:
        daily = sim.daily
        return JSONResponse(
            {
                "DailyApiRequests": {"Max": daily.limit, "Remaining": daily.limit - daily.used},
                "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
                "DataStorageMB": {"Max": 1024, "Remaining": 1024},
            }
        )

    async def describe(request: Request) -> Response:
        spec = sim.store(str(request.path_params["sobject"])).spec
        return JSONResponse(spec.describe(str(request.path_params["version"])))

    async def create_one(request: Request) -> Response:
        store = sim.store(str(request.path_params["sobject"]))
        body = await read_json(request)
        if not isinstance(body, dict):
            raise Refusal(400, "The request body must be a JSON object", "JSON_PARSER_ERROR")
        record = {**body, "attributes": {"type": store.spec.name}}
        results = writes.create(sim, {"records": [record]})
        result = results[0]
        if result["success"]:
            return JSONResponse(result, 201)
        return JSONResponse(
            [
                {"message": e["message"], "errorCode": e["statusCode"], "fields": e["fields"]}
                for e in result["errors"]
            ],
            400,
        )

    async def query(request: Request) -> Response:
        text = request.query_params.get("q")
        if not text:
            raise Refusal(400, "A query string has to be specified", "MALFORMED_QUERY")
        parsed = soql.parse(text)
        store = sim.objects.get(parsed.sobject)
        if store is None:
            raise Refusal(
                400,
                f"sObject type '{parsed.sobject}' is not supported. If you are attempting to use "
                "a custom object, be sure to append the '__c' after the entity name.",
                "INVALID_TYPE",
            )
        soql.check_names(parsed, store.spec)
        version = str(request.path_params["version"])
        ordered = sorted(store.records.values(), key=lambda r: r.created)
        found = soql.run(parsed, store.spec, [r.values for r in ordered])
        rows = [store.to_json(store.records[row["Id"]], parsed.fields, version) for row in found]
        return JSONResponse(_page(rows, len(rows), version))

    async def more(request: Request) -> Response:
        locator, _, _ = str(request.path_params["locator"]).partition("-")
        kept = sim.cursors.pop(locator, None)
        if kept is None:
            raise Refusal(400, "invalid query locator", "INVALID_QUERY_LOCATOR")
        total, rows = kept
        return JSONResponse(_page(rows, total, str(request.path_params["version"])))

    def _page(rows: list[dict[str, Any]], total: int, version: str) -> dict[str, Any]:
        page = rows[: sim.query_page]
        answer: dict[str, Any] = {"totalSize": total, "done": True, "records": page}
        rest = rows[sim.query_page :]
        if rest:
            locator = sim.cursor(total, rest)
            answer["done"] = False
            answer["nextRecordsUrl"] = (
                f"/services/data/{version}/query/{locator}-{total - len(rest)}"
            )
        return answer

    async def collection_create(request: Request) -> Response:
        return JSONResponse(writes.create(sim, await read_json(request)))

    async def collection_update(request: Request) -> Response:
        return JSONResponse(writes.update(sim, await read_json(request)))

    async def collection_delete(request: Request) -> Response:
        raw = request.query_params.get("ids", "")
        ids = [i.strip() for i in raw.split(",") if i.strip()]
        if not ids:
            raise Refusal(400, "ids parameter is required", "MISSING_ARGUMENT")
        all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
        return JSONResponse(writes.delete(sim, ids, all_or_none))

    async def collection_upsert(request: Request) -> Response:
        sobject = str(request.path_params["sobject"])
        key = str(request.path_params["field"])
        return JSONResponse(writes.upsert(sim, sobject, key, await read_json(request)))

    async def missing(_request: Request) -> Response:
        raise Refusal(404, NOT_FOUND_MESSAGE, "NOT_FOUND")

    def route(path: str, handler: Any, methods: list[str]) -> Route:
        return Route(f"{_BASE}{path}", guarded(sim, handler), methods=methods)

    return [
        Route("/services/data", versions, methods=["GET"]),
        Route("/services/data/", versions, methods=["GET"]),
        route("/limits", limits, ["GET"]),
        route("/sobjects/{sobject}/describe", describe, ["GET"]),
        route("/sobjects/{sobject}", create_one, ["POST"]),
        route("/query", query, ["GET"]),
        route("/query/{locator}", more, ["GET"]),
        route("/composite/sobjects", collection_create, ["POST"]),
        route("/composite/sobjects", collection_update, ["PATCH"]),
        route("/composite/sobjects", collection_delete, ["DELETE"]),
        route("/composite/sobjects/{sobject}/{field}", collection_upsert, ["PATCH"]),
        route("/{rest:path}", missing, ["GET", "POST", "PATCH", "DELETE"]),
    ]
