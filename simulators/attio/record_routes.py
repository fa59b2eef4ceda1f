"""Records:

POST   /v2/objects/{object}/records                              create
PUT    /v2/objects/{object}/records?matching_attribute=<slug>    assert (create or update)
POST   /v2/objects/{object}/records/query                        filter, sorts, limit, offset
GET    /v2/objects/{object}/records/{record_id}
PATCH  /v2/objects/{object}/records/{record_id}                  update, appending multiselects
PUT    /v2/objects/{object}/records/{record_id}                  update, overwriting them
DELETE /v2/objects/{object}/records/{record_id}                  delete (200 ``{}``; 404 if none)
GET    /v2/objects/{object}/records/{record_id}/entries          the record's list entries

A deleted record leaves its object's records, its list entries go with it and references to it
are cleared (``stats`` counts deletions per object). Attio's description documents only 200
and 404 for a delete; a record matching a refusal the test asked for (``/_simulator/
refusals``) is refused as writes are, 400 ``validation_type`` with the test's message, so a
client's handling of a record Attio will not delete can be tested.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.attio.errors import bad_request, not_found
from simulators.attio.gate import guarded, read_json
from simulators.attio.query import run
from simulators.attio.records import Record, RecordStore, plain_values, record_json
from simulators.attio.state import AttioSim
from simulators.attio.timestamps import stamp
from simulators.attio.writes import assert_record, create, refuse_if_asked, update, values_of

_DEFAULT_ENTRIES = 100
_MAX_ENTRIES = 1000


def _found(store: RecordStore, record_id: str) -> Record:
    record = store.records.get(record_id)
    if record is None:
        raise not_found(f'Record with ID "{record_id}" not found.')
    return record


def record_routes(sim: AttioSim) -> list[Route]:
    """The record routes of ``sim``."""

    def answer(store: RecordStore, record: Record) -> Response:
        return JSONResponse({"data": record_json(store.object, record)})

    async def records(request: Request) -> Response:
        store = sim.store(request.path_params["object"])
        raw = values_of(await read_json(request))
        if request.method == "POST":
            made = create(store, raw, sim.references(), sim.faults, time.time())
            return answer(store, made)
        matching = request.query_params.get("matching_attribute")
        if not matching:
            raise bad_request(
                "value_not_found", "The matching_attribute query parameter is required."
            )
        asserted = assert_record(store, matching, raw, sim.references(), sim.faults, time.time())
        return answer(store, asserted)

    async def query(request: Request) -> Response:
        store = sim.store(request.path_params["object"])
        found = run(store.object, list(store.records.values()), await read_json(request))
        return JSONResponse({"data": [record_json(store.object, r) for r in found]})

    async def record(request: Request) -> Response:
        store = sim.store(request.path_params["object"])
        record_id = request.path_params["record_id"]
        if request.method == "GET":
            return answer(store, _found(store, record_id))
        if request.method == "DELETE":
            gone = _found(store, record_id)
            refuse_if_asked(sim.faults, plain_values(store.object, gone))
            sim.delete(store, gone)
            return JSONResponse({})
        raw = values_of(await read_json(request))
        updated = update(
            store,
            record_id,
            raw,
            sim.references(),
            sim.faults,
            time.time(),
            append=request.method == "PATCH",
        )
        return answer(store, updated)

    async def entries(request: Request) -> Response:
        store = sim.store(request.path_params["object"])
        record_id = request.path_params["record_id"]
        _found(store, record_id)
        try:
            limit = int(request.query_params.get("limit") or _DEFAULT_ENTRIES)
            offset = int(request.query_params.get("offset") or 0)
        except ValueError:
            message = "limit and offset must be whole numbers."
            raise bad_request("validation_type", message) from None
        shown = [
            {
                "list_id": made.id,
                "list_api_slug": made.api_slug,
                "entry_id": entry.id,
                "created_at": stamp(entry.created_at),
            }
            for made in sim.lists.lists.values()
            for entry in sim.lists.of_parent(made, record_id)
        ]
        limit = max(0, min(limit, _MAX_ENTRIES))
        return JSONResponse({"data": shown[offset : offset + limit]})

    base = "/v2/objects/{object}/records"
    return [
        Route(f"{base}/query", guarded(sim, query), methods=["POST"]),
        Route(base, guarded(sim, records), methods=["POST", "PUT"]),
        Route(f"{base}/{{record_id}}/entries", guarded(sim, entries), methods=["GET"]),
        Route(
            f"{base}/{{record_id}}",
            guarded(sim, record),
            methods=["GET", "PATCH", "PUT", "DELETE"],
        ),
    ]
