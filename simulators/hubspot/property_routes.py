"""The properties routes: read an object's properties, create custom ones."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.hubspot.errors import Refusal
from simulators.hubspot.gate import guarded, read_json
from simulators.hubspot.properties import create_property
from simulators.hubspot.state import HubSpotSim


def property_routes(sim: HubSpotSim) -> list[Route]:
    """The property routes of ``sim``."""

    async def read_all(request: Request) -> Response:
        store = sim.store(str(request.path_params["objectType"]))
        return JSONResponse({"results": [p.to_json() for p in store.properties.values()]})

    async def read_one(request: Request) -> Response:
        store = sim.store(str(request.path_params["objectType"]))
        prop = store.properties.get(str(request.path_params["propertyName"]))
        if prop is None:
            raise Refusal(404, "resource not found", "OBJECT_NOT_FOUND")
        return JSONResponse(prop.to_json())

    async def create(request: Request) -> Response:
        store = sim.store(str(request.path_params["objectType"]))
        prop = create_property(await read_json(request), store.properties)
        store.add_property(prop)
        return JSONResponse(prop.to_json(), status_code=201)

    base = "/crm/v3/properties/{objectType}"
    return [
        Route(base, guarded(sim, read_all), methods=["GET"]),
        Route(base, guarded(sim, create), methods=["POST"]),
        Route(f"{base}/{{propertyName}}", guarded(sim, read_one), methods=["GET"]),
    ]
