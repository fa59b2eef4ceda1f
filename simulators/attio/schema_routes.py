"""Objects, attributes, select options and statuses:

GET  /v2/objects                                          activated objects only
GET  /v2/objects/{object}
GET  /v2/{objects|lists}/{identifier}/attributes          ?limit&offset&show_archived
POST /v2/{objects|lists}/{identifier}/attributes          create a custom attribute
GET  /v2/{objects|lists}/{identifier}/attributes/{attribute}
GET  /v2/{objects|lists}/{identifier}/attributes/{attribute}/options   (and POST)
GET  /v2/{objects|lists}/{identifier}/attributes/{attribute}/statuses  (and POST)
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.attio.errors import AttioError, bad_request, not_found
from simulators.attio.gate import guarded, read_json
from simulators.attio.schema import (
    ATTRIBUTE_TYPES,
    MULTISELECT_TYPES,
    Attribute,
    Choice,
    Container,
    ObjectType,
    attribute_json,
    choice_json,
    object_json,
)
from simulators.attio.state import AttioSim
from simulators.attio.values import CURRENCY_CODES

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_DURATION = re.compile(
    r"^P(?:(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(?:T(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?"
    r"(\d+(?:[.,]\d+)?S)?)?)$"
)


def _flag(raw: str | None) -> bool:
    return (raw or "").lower() == "true"


def _paging(request: Request) -> tuple[int, int | None]:
    try:
        offset = int(request.query_params.get("offset") or 0)
        raw_limit = request.query_params.get("limit")
        limit = int(raw_limit) if raw_limit else None
    except ValueError:
        raise bad_request("validation_type", "limit and offset must be whole numbers.") from None
    return offset, limit


def _data(body: Any) -> dict[str, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise bad_request("validation_type", "Body payload validation error: data is required.")
    return data


def container_of(sim: AttioSim, target: str, identifier: str) -> Container:
    """The object or list a ``/v2/{target}/{identifier}`` path names.

    Raises:
        AttioError: 404 for an unknown target, object (or one not activated) or list.
    """
    if target == "objects":
        return sim.object(identifier)
    if target == "lists":
        return sim.lists.get(identifier)
    raise not_found(f'Unknown target "{target}"; expected "objects" or "lists".')


def _attribute(container: Container, ref: str) -> Attribute:
    found = container.attribute(ref)
    if found is None:
        raise not_found(f'Attribute with slug/ID "{ref}" not found.')
    return found


def _new_attribute(sim: AttioSim, container: Container, data: dict[str, Any]) -> Attribute:
    required = ("title", "api_slug", "type", "is_required", "is_unique", "is_multiselect")
    missing = [name for name in (*required, "config") if name not in data]
    if missing:
        raise bad_request(
            "validation_type", f"Body payload validation error: data.{missing[0]} is required."
        )
    slug, kind = data["api_slug"], data["type"]
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise bad_request("validation_type", f'"{slug}" is not a snake_case API slug.')
    if kind not in ATTRIBUTE_TYPES or kind == "interaction":
        raise bad_request("validation_type", f'"{kind}" is not an attribute type you can create.')
    if kind == "status" and isinstance(container, ObjectType):
        raise bad_request(
            "validation_type", 'Attributes of type "status" are not supported on objects.'
        )
    if data["is_multiselect"] and kind not in MULTISELECT_TYPES:
        raise bad_request("validation_type", f'Attributes of type "{kind}" cannot be multiselect.')
    if container.attribute(slug) is not None:
        raise AttioError(
            409,
            "slug_conflict",
            "An attribute with the same API slug already exists on this "
            f"{'object' if isinstance(container, ObjectType) else 'list'}. "
            "Please choose a different API slug.",
        )
    raw_config = data.get("config")
    config: dict[str, Any] = raw_config if isinstance(raw_config, dict) else {}
    allowed: tuple[str, ...] = ()
    if kind == "record-reference":
        refs = (config.get("record_reference") or {}).get("allowed_objects") or []
        slugs = [sim.object_slug(str(ref)) for ref in refs]
        if not refs or None in slugs:
            raise bad_request(
                "validation_type",
                "config.record_reference.allowed_objects must name one or more objects.",
            )
        allowed = tuple(s for s in slugs if s is not None)
    currency = None
    if kind == "currency":
        currency = (config.get("currency") or {}).get("default_currency_code") or "USD"
        if currency not in CURRENCY_CODES:
            raise bad_request("validation_type", f'"{currency}" is not a supported currency.')
    return container.add(
        Attribute(
            id=str(uuid.uuid4()),
            api_slug=slug,
            title=str(data["title"]),
            type=kind,
            description=data.get("description"),
            is_system=False,
            is_writable=True,
            is_required=bool(data["is_required"]),
            is_unique=bool(data["is_unique"]),
            is_multiselect=bool(data["is_multiselect"]),
            allowed_objects=allowed,
            currency_code=currency,
        )
    )


def _new_choice(attribute: Attribute, data: dict[str, Any]) -> Choice:
    kind = "status" if attribute.type == "status" else "select option"
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise bad_request("validation_type", "Body payload validation error: data.title.")
    if any(c.title.casefold() == title.strip().casefold() for c in attribute.choices):
        raise AttioError(
            409, "slug_conflict", f'There is already another {kind} with the title "{title}".'
        )
    target = data.get("target_time_in_status")
    if target is not None and (not isinstance(target, str) or not _DURATION.match(target)):
        raise bad_request("validation_type", f'"{target}" is not an ISO 8601 duration.')
    choice = Choice(
        str(uuid.uuid4()),
        title.strip(),
        celebration_enabled=bool(data.get("celebration_enabled", False)),
        target_time_in_status=target,
    )
    attribute.choices.append(choice)
    return choice


def schema_routes(sim: AttioSim) -> list[Route]:
    """The object and attribute routes of ``sim``."""

    async def list_objects(_request: Request) -> Response:
        shown = [object_json(obj) for slug, obj in sim.objects.items() if slug in sim.activated]
        return JSONResponse({"data": shown})

    async def get_object(request: Request) -> Response:
        return JSONResponse({"data": object_json(sim.object(request.path_params["object"]))})

    async def attributes(request: Request) -> Response:
        params = request.path_params
        container = container_of(sim, params["target"], params["identifier"])
        if request.method == "POST":
            made = _new_attribute(sim, container, _data(await read_json(request)))
            return JSONResponse({"data": attribute_json(container, made)})
        archived = _flag(request.query_params.get("show_archived"))
        offset, limit = _paging(request)
        shown = [
            attribute_json(container, a)
            for a in container.attributes.values()
            if archived or not a.is_archived
        ]
        end = None if limit is None else offset + limit
        return JSONResponse({"data": shown[offset:end]})

    async def attribute(request: Request) -> Response:
        params = request.path_params
        container = container_of(sim, params["target"], params["identifier"])
        found = _attribute(container, params["attribute"])
        return JSONResponse({"data": attribute_json(container, found)})

    def choices(kind: str) -> Any:
        async def endpoint(request: Request) -> Response:
            params = request.path_params
            container = container_of(sim, params["target"], params["identifier"])
            found = _attribute(container, params["attribute"])
            if request.method == "POST":
                if found.type != kind:
                    name = "status" if kind == "status" else "select"
                    raise bad_request(
                        "validation_type", f"This attribute is not a {name} attribute."
                    )
                made = _new_choice(found, _data(await read_json(request)))
                return JSONResponse({"data": choice_json(container, found, made)})
            archived = _flag(request.query_params.get("show_archived"))
            shown = [
                choice_json(container, found, c)
                for c in (found.choices if found.type == kind else [])
                if archived or not c.is_archived
            ]
            return JSONResponse({"data": shown})

        return endpoint

    base = "/v2/{target}/{identifier}/attributes"
    return [
        Route("/v2/objects", guarded(sim, list_objects), methods=["GET"]),
        Route("/v2/objects/{object}", guarded(sim, get_object), methods=["GET"]),
        Route(base, guarded(sim, attributes), methods=["GET", "POST"]),
        Route(f"{base}/{{attribute}}", guarded(sim, attribute), methods=["GET"]),
        Route(
            f"{base}/{{attribute}}/options",
            guarded(sim, choices("select")),
            methods=["GET", "POST"],
        ),
        Route(
            f"{base}/{{attribute}}/statuses",
            guarded(sim, choices("status")),
            methods=["GET", "POST"],
        ),
    ]
