"""The record and schema routes: insert, upsert and list records, the fields of a module, and
the org's details."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.zoho import writes
from simulators.zoho.errors import ZohoError
from simulators.zoho.gate import guarded, read_json
from simulators.zoho.modules import ORG_ID, USER
from simulators.zoho.state import ZohoSim

PER_PAGE = 200


def org_details() -> dict[str, Any]:
    """The simulated org, as ``GET /crm/v8/org`` describes it."""
    return {
        "country": "United States",
        "photo_id": None,
        "city": None,
        "description": None,
        "mc_status": False,
        "gapps_enabled": False,
        "translation_enabled": False,
        "street": None,
        "domain_name": "org20099887766",
        "alias": None,
        "currency": "US Dollar - USD",
        "id": ORG_ID,
        "state": None,
        "fax": None,
        "zip": None,
        "employee_count": "10",
        "website": "example.com",
        "currency_symbol": "$",
        "mobile": None,
        "currency_locale": "en_US",
        "primary_zuid": "700111222",
        "zia_portal_id": None,
        "time_zone": "Etc/UTC",
        "zgid": "700111333",
        "country_code": "US",
        "deletable_org_account": False,
        "license_details": {
            "paid_expiry": "2030-01-01T00:00:00+00:00",
            "users_license_purchased": 5,
            "trial_type": None,
            "trial_expiry": None,
            "paid": True,
            "paid_type": "enterprise",
            "trial_action": "",
        },
        "hierarchy_preferences": {"type": "Role_Hierarchy", "strictly_reporting": False},
        "phone": "+1 555 0100",
        "company_name": "Cardfile Simulated Org",
        "privacy_settings": False,
        "primary_email": USER["email"],
        "iso_code": "USD",
        "hipaa_compliance_enabled": False,
        "lite_users_enabled": False,
        "max_per_page": PER_PAGE,
        "ezgid": "700111333",
        "call_icon": "",
        "oauth_presence": True,
        "zia_zgid": 0,
        "checkin_preferences": {"restricted_event_types": None},
        "type": "Production",
    }


def record_routes(sim: ZohoSim) -> list[Route]:
    """The record, field and org routes of ``sim``."""

    def refused(values: dict[str, Any]) -> str | None:
        return sim.faults.refusal(values)

    async def upsert(request: Request) -> Response:
        store = sim.store(str(request.path_params["module"]))
        answer = writes.write(sim, store, await read_json(request), upsert=True, refused=refused)
        return JSONResponse(answer.body, answer.status)

    async def insert(request: Request) -> Response:
        store = sim.store(str(request.path_params["module"]))
        answer = writes.write(sim, store, await read_json(request), upsert=False, refused=refused)
        return JSONResponse(answer.body, answer.status)

    async def list_records(request: Request) -> Response:
        store = sim.store(str(request.path_params["module"]))
        found = [record.to_json() for record in store.records.values()][:PER_PAGE]
        if not found:
            return Response(status_code=204)
        info = {"per_page": PER_PAGE, "count": len(found), "page": 1, "more_records": False}
        return JSONResponse({"data": found, "info": info})

    async def fields(request: Request) -> Response:
        module = request.query_params.get("module")
        if not module:
            raise ZohoError(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param_name": "module"},
            )
        try:
            store = sim.store(module)
        except ZohoError:
            raise ZohoError(
                400,
                "INVALID_MODULE",
                "The module name given seems to be invalid",
                {"api_name": "module"},
            ) from None
        found = store.module.fields.values()
        return JSONResponse({"fields": [f.to_json(store.module.id) for f in found]})

    async def org(_request: Request) -> Response:
        return JSONResponse({"org": [org_details()]})

    return [
        Route("/crm/v8/org", guarded(sim, org), methods=["GET"]),
        Route("/crm/v8/settings/fields", guarded(sim, fields), methods=["GET"]),
        Route("/crm/v8/{module}/upsert", guarded(sim, upsert, write=True), methods=["POST"]),
        Route("/crm/v8/{module}", guarded(sim, insert, write=True), methods=["POST"]),
        Route("/crm/v8/{module}", guarded(sim, list_records), methods=["GET"]),
    ]
