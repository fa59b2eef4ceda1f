"""The v4 association routes:

POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default
GET  /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}?limit&after

A batch answers ``BatchResponsePublicDefaultAssociation``: the pairs associated in ``results``
(``{associationSpec: {associationCategory, associationTypeId}, from: {id}, to: {id}}``); inputs
naming a record that does not exist (or was archived) are left out of them and reported in
``errors``, one ``StandardError`` per end with the missing ids in ``context`` (``fromObjectIds``
or ``toObjectIds``), and the answer is a 207. HubSpot's description lists the batch's answer and
its ``errors`` but not the wording of these errors; the simulator's are modelled on its batch
read's ``OBJECT_NOT_FOUND``. Reading pages by 500 at most, as HubSpot's description says.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.hubspot.associations import KINDS
from simulators.hubspot.errors import Refusal, standard_error, whole_number
from simulators.hubspot.gate import guarded, read_json
from simulators.hubspot.properties import iso, now_ms
from simulators.hubspot.records import ObjectStore
from simulators.hubspot.state import HubSpotSim
from simulators.hubspot.writes import read_inputs

MAX_PAGE = 500


def _end(item: dict[str, Any], name: str) -> str:
    end = item.get(name)
    record_id = end.get("id") if isinstance(end, dict) else None
    if record_id is None or str(record_id) == "":
        raise Refusal(400, f"Invalid input JSON: each input needs {name}.id")
    return str(record_id)


def _kind_name(store: ObjectStore) -> str:
    return "CONTACT" if store.object_type == "contacts" else "COMPANY"


def _missing(store: ObjectStore, ids: list[str], end: str) -> dict[str, Any]:
    listed = ", ".join(ids)
    return standard_error(
        f"Could not find {_kind_name(store)} objects with ids [{listed}]; they may be deleted "
        "or not exist.",
        "OBJECT_NOT_FOUND",
        context={f"{end}ObjectIds": ids},
    )


def association_routes(sim: HubSpotSim) -> list[Route]:
    """The association routes of ``sim``."""

    def stores(from_type: str, to_type: str) -> tuple[ObjectStore, ObjectStore]:
        ends = sim.store(from_type), sim.store(to_type)
        if (ends[0].object_type, ends[1].object_type) not in KINDS:
            raise Refusal(
                400,
                f"There is no default association from {from_type} to {to_type}",
                context={"fromObjectType": [from_type], "toObjectType": [to_type]},
            )
        return ends

    async def associate_default(request: Request) -> Response:
        origin, target = stores(
            str(request.path_params["fromObjectType"]), str(request.path_params["toObjectType"])
        )
        kind = KINDS[(origin.object_type, target.object_type)]
        started = iso(now_ms())
        inputs = read_inputs(await read_json(request), sim.association_batch_limit)
        pairs = [(_end(item, "from"), _end(item, "to")) for item in inputs]
        missing_from = list(dict.fromkeys(f for f, _ in pairs if f not in origin.records))
        missing_to = list(dict.fromkeys(t for _, t in pairs if t not in target.records))
        results: list[dict[str, Any]] = []
        for from_id, to_id in pairs:
            if from_id in missing_from or to_id in missing_to:
                continue
            sim.associations.add(origin.object_type, from_id, target.object_type, to_id)
            results.append(
                {
                    "associationSpec": {
                        "associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": kind.type_id,
                    },
                    "from": {"id": from_id},
                    "to": {"id": to_id},
                }
            )
        errors = [_missing(origin, missing_from, "from")] if missing_from else []
        errors += [_missing(target, missing_to, "to")] if missing_to else []
        body: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso(now_ms()),
        }
        if not errors:
            return JSONResponse(body)
        return JSONResponse({**body, "numErrors": len(errors), "errors": errors}, 207)

    async def read(request: Request) -> Response:
        origin, target = stores(
            str(request.path_params["objectType"]), str(request.path_params["toObjectType"])
        )
        kind = KINDS[(origin.object_type, target.object_type)]
        limit = min(whole_number(request.query_params.get("limit"), "limit", MAX_PAGE), MAX_PAGE)
        after = whole_number(request.query_params.get("after"), "after", 0)
        ids = sim.associations.of(origin.object_type, str(request.path_params["objectId"]))
        page = ids[after : after + max(limit, 1)]
        answer: dict[str, Any] = {
            "results": [
                {
                    "toObjectId": record_id,
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": kind.type_id, "label": None}
                    ],
                }
                for record_id in page
            ]
        }
        following = after + len(page)
        if following < len(ids):
            link = f"{request.url.path}?after={following}&limit={limit}"
            answer["paging"] = {"next": {"after": str(following), "link": link}}
        return JSONResponse(answer)

    batch = "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default"
    reads = "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}"
    return [
        Route(batch, guarded(sim, associate_default), methods=["POST"]),
        Route(reads, guarded(sim, read), methods=["GET"]),
    ]


def v3_associations(sim: HubSpotSim, store: ObjectStore, record_id: str, names: list[str]) -> Any:
    """The ``associations`` block of a v3 object read asked for ``names`` (``?associations=
    companies``): per object type, the associated records and the association's v3 name; None
    when the record has none (HubSpot then leaves the block out)."""
    block: dict[str, Any] = {}
    for name in names:
        target = sim.store(name)
        kind = KINDS.get((store.object_type, target.object_type))
        ids = sim.associations.of(store.object_type, record_id) if kind else []
        if kind is not None and ids:
            block[name] = {"results": [{"id": i, "type": kind.name} for i in ids]}
    return block or None
