"""``GET /api/v2/{person|organization|deal}Fields`` and ``POST …/{field_code}/options``: the
schema, and the options (labels among them) a ``set`` or ``enum`` field offers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.pipedrive.errors import bad_request, not_found
from simulators.pipedrive.gate import guarded, read_json
from simulators.pipedrive.record_routes import decode_cursor, encode_cursor, page_limit
from simulators.pipedrive.schema import CREATABLE_TYPES
from simulators.pipedrive.state import PipedriveSim

FIELDS_PATHS = {
    "persons": "personFields",
    "organizations": "organizationFields",
    "deals": "dealFields",
}
_INCLUDABLE = frozenset({"ui_visibility", "important_fields", "required_fields"})
_WITH_OPTIONS = frozenset({"enum", "set"})


def field_routes(sim: PipedriveSim) -> list[Route]:
    """The field routes of ``sim``."""

    def routes_of(kind: str, segment: str) -> list[Route]:
        async def listing(request: Request) -> Response:
            raw = request.query_params.get("include_fields", "")
            include = {part.strip() for part in raw.split(",") if part.strip()}
            if include - _INCLUDABLE:
                unknown = sorted(include - _INCLUDABLE)[0]
                raise bad_request(f"Validation failed: include_fields: {unknown} is not allowed")
            fields = sim.schema.fields[kind]
            start = decode_cursor(request.query_params.get("cursor"))
            following = start + page_limit(request)
            data = [
                f.describe(with_required="required_fields" in include)
                for f in fields[start:following]
            ]
            cursor = encode_cursor(following) if following < len(fields) else None
            return JSONResponse(
                {"success": True, "data": data, "additional_data": {"next_cursor": cursor}}
            )

        async def add_options(request: Request) -> Response:
            code = str(request.path_params["field_code"])
            field = sim.schema.field(kind, code)
            if field is None:
                raise not_found(f"Field {code} not found")
            if field.type not in _WITH_OPTIONS:
                raise bad_request(
                    f"Validation failed: field {code} of type {field.type} has no options"
                )
            body = await read_json(request)
            if not isinstance(body, list) or not body:
                raise bad_request("Validation failed: body: at least one option is required")
            labels = []
            for item in body:
                label = item.get("label") if isinstance(item, dict) else None
                if not isinstance(label, str) or not 1 <= len(label) <= 255:
                    raise bad_request("Validation failed: label: must be 1 to 255 characters")
                labels.append(label)
            added = sim.schema.add_options(kind, code, labels)
            return JSONResponse({"success": True, "data": added, "additional_data": None})

        async def create(request: Request) -> Response:
            body = await read_json(request)
            if not isinstance(body, dict):
                raise bad_request("Validation failed: the request body must be a JSON object")
            name = body.get("field_name")
            kind_of_field = body.get("field_type")
            if not isinstance(name, str) or not 1 <= len(name) <= 255:
                raise bad_request("Validation failed: field_name: must be 1 to 255 characters")
            if kind_of_field not in CREATABLE_TYPES:
                raise bad_request(
                    f"Validation failed: field_type: {kind_of_field!r} is not allowed"
                )
            labels = [
                str(o.get("label"))
                for o in body.get("options") or []
                if isinstance(o, dict) and o.get("label")
            ]
            if kind_of_field in _WITH_OPTIONS and not labels:
                raise bad_request(
                    f"Validation failed: options: required for {kind_of_field} fields"
                )
            made = sim.schema.add_field(kind, name, str(kind_of_field), labels)
            return JSONResponse({"success": True, "data": made.describe(with_required=False)})

        base = f"/api/v2/{segment}"
        return [
            Route(base, guarded(sim, listing), methods=["GET"]),
            Route(base, guarded(sim, create), methods=["POST"]),
            Route(f"{base}/{{field_code}}/options", guarded(sim, add_options), methods=["POST"]),
        ]

    return [route for kind, segment in FIELDS_PATHS.items() for route in routes_of(kind, segment)]
