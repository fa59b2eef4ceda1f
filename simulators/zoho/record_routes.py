"""The record and schema routes: insert, upsert, update, read, search and delete records, the
fields of a module, and the org's details."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.zoho import reads, writes
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

    async def update(request: Request) -> Response:
        store = sim.store(str(request.path_params["module"]))
        answer = writes.update(sim, store, await read_json(request), refused=refused)
        return JSONResponse(answer.body, answer.status)

    async def list_records(request: Request) -> Response:
        store = sim.store(str(request.path_params["module"]))
        ids = reads.ids_param(request.query_params, required=False)
        chosen = list(store.records.values()) if ids is None else reads.by_ids(store, ids)
        fields = request.query_params.get("fields")
        found = [reads.shown(record, fields) for record in chosen][:PER_PAGE]
        if not found:
            return Response(status_code=204)
        info = {"per_page": PER_PAGE, "count": len(found), "page": 1, "more_records": False}
        return JSONResponse({"data": found, "info": info})

    async def search(request: Request) -> Response:
        store = sim.store(str(request.path_params["module"]))
        test = reads.search_test(store, request.query_params)
        page, per_page = reads.page_of(request.query_params)
        newest_first = reversed(list(store.records.values()))
        matched = [record for record in newest_first if test(record.to_json())]
        start = (page - 1) * per_page
        fields = request.query_params.get("fields")
        found = [reads.shown(record, fields) for record in matched[start : start + per_page]]
        if not found:
            return Response(status_code=204)
        more = len(matched) > start + per_page
        info = {"per_page": per_page, "count": len(found), "page": page, "more_records": more}
        return JSONResponse({"data": found, "info": info})

    async def delete(request: Request) -> Response:
        module = str(request.path_params["module"])
        store = sim.store(module)
        ids = reads.ids_param(request.query_params, required=True) or []

        def gone(record_id: str) -> bool:
            return sim.delete(module, record_id)

        results = [reads.delete_item(store, i, refused, gone) for i in ids]
        return JSONResponse({"data": results}, writes.status_of(results))

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
        Route("/crm/v8/{module}/search", guarded(sim, search), methods=["GET"]),
        Route("/crm/v8/{module}", guarded(sim, insert, write=True), methods=["POST"]),
        Route("/crm/v8/{module}", guarded(sim, update, write=True), methods=["PUT"]),
        Route("/crm/v8/{module}", guarded(sim, list_records), methods=["GET"]),
        Route("/crm/v8/{module}", guarded(sim, delete, write=True), methods=["DELETE"]),
    ]
