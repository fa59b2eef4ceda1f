"""Zoho CRM's OpenAPI descriptions (crm-oas ``v8.0``), bundled once per test session, and a
check of the simulator's answers against them with openapi-core.

The description is one file per resource (``record.json``, ``fields.json``, ``org.json``,
``related_records.json``, …) whose schemas refer to each other's across files, by
raw.githubusercontent URL in Zoho's repository (``…/crm-oas/…/v8.0/users.json#/…``) or, in
the copies kept here, as ``./users.json#/…``. :func:`bundled` resolves either form to the local
files and copies each schema referred to into the file being checked, so openapi-core sees one
self-contained document.

Three defects of the description are mended, each refusing answers Zoho really sends (its
own examples, such as crm-oas ``getFields/examples/response-200-fullexample.md``):

1. Answers are ``oneOf`` a success shape and an error shape, neither of which requires
   anything (``API_Exception``, ``Invalid_Data_Exception``, the ``{data: [...]}`` wrapper), so
   every answer matches both and fails the ``oneOf``: an error object (its ``status`` is
   ``"error"``) requires ``code``, ``message`` and ``status``, as every Zoho error has them,
   and the wrapper requires ``data``.
2. A field in ``fields.json`` requires 75 properties, while Zoho's example answers leave out
   a third of them (``sequence_number``, ``default_value``, ``blueprint_supported``, …): the
   ``required`` list is dropped.
3. Its object-valued properties (``associated_module``, ``tooltip``, ``external``,
   ``private``, ``crypt``, ``history_tracking``, …) are not nullable, while the example
   answers ``null`` for them: they accept ``null``.

Statuses the description leaves out are checked as crm-oas's examples show them: a 207 (some
records refused) and a 201 (records inserted) have the body of the 200; any other error has Zoho's error shape
(``API_Exception`` of ``record.json``, at the top level or as items of ``data``), with the
throttle's ``TOO_MANY_REQUESTS``, which that enum does not list, checked for shape alone; a 204
has no body.
"""

from __future__ import annotations

import copy
import functools
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import ResponseValidationError
from openapi_schema_validator import OAS30Validator

SPEC_DIR = Path("/work/shared/vendor-specs/zoho")
HOST = "https://zohoapis.com"
_RAW_PREFIX = "https://raw.githubusercontent.com/"


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))
    return document


def _target(ref: str, current: str) -> tuple[str, str]:
    """(file, JSON pointer) of a ``$ref`` met in ``current``."""
    where, _, pointer = ref.partition("#")
    if not where:
        return current, pointer
    if where.startswith(_RAW_PREFIX) or where.startswith("./"):
        return where.rsplit("/", 1)[-1], pointer
    raise ValueError(f"a $ref outside Zoho's description: {ref}")


def _resolve(document: dict[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def bundled(name: str) -> dict[str, Any]:
    """The description ``name`` with every schema it uses from the other files copied in."""
    documents: dict[str, dict[str, Any]] = {}
    main = copy.deepcopy(_load(name))
    documents[name] = main
    imported: dict[tuple[str, str], str] = {}
    copied: dict[str, dict[str, Any]] = {}  # kind -> name -> schema, from the other files

    def document(file: str) -> dict[str, Any]:
        if file not in documents:
            documents[file] = _load(file)
        return documents[file]

    def rewrite(node: Any, file: str) -> Any:
        if isinstance(node, list):
            return [rewrite(child, file) for child in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            target, pointer = _target(node["$ref"], file)
            if target == name:
                return {"$ref": f"#{pointer}"}
            kind = pointer.strip("/").split("/")[1]
            local = f"{Path(target).stem}__{pointer.rsplit('/', 1)[-1]}"
            if (target, pointer) not in imported:
                imported[(target, pointer)] = local
                found = _resolve(document(target), pointer)
                copied.setdefault(kind, {})[local] = rewrite(copy.deepcopy(found), target)
            return {"$ref": f"#/components/{kind}/{local}"}
        return {key: rewrite(child, file) for key, child in node.items()}

    main["paths"] = rewrite(main["paths"], name)
    main["components"] = rewrite(main.get("components", {}), name)
    for kind, schemas in copied.items():
        main["components"].setdefault(kind, {}).update(schemas)
    return main


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside ``node``, depth first."""
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from _walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk(child)


def mended(description: dict[str, Any]) -> dict[str, Any]:
    """The description with the three defects above mended (in place; returned)."""
    for node in _walk(description):
        properties = node.get("properties")
        if not isinstance(properties, dict) or node.get("required"):
            continue
        status = properties.get("status")
        if isinstance(status, dict) and status.get("enum") == ["error"]:
            node["required"] = [k for k in ("code", "message", "status") if k in properties]
        elif set(properties) == {"data"}:
            node["required"] = ["data"]
    field = description["components"]["schemas"].get("fields")
    if field is None:
        return description
    field.pop("required", None)
    for name, schema in list(field["properties"].items()):
        if "$ref" in schema:
            field["properties"][name] = {"anyOf": [schema, {"enum": [None]}]}
        elif schema.get("type") == "object":
            schema["nullable"] = True
    return description


@functools.cache
def spec(name: str) -> OpenAPI:
    """One of Zoho's descriptions, bundled and mended once per test session."""
    return OpenAPI.from_dict(mended(bundled(name)), config=Config(spec_validator_cls=None))


@functools.cache
def _error_validators(name: str) -> tuple[OAS30Validator, OAS30Validator]:
    """Zoho's error shape as the description ``name`` lists its codes and messages (that of
    ``record.json`` where it has none), and the same without those lists."""
    if "API_Exception" not in _load(name)["components"].get("schemas", {}):
        name = "record.json"
    components = mended(bundled(name))["components"]
    strict = {
        "components": components,
        "oneOf": [
            {"$ref": "#/components/schemas/API_Exception"},
            {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/API_Exception"},
                    }
                },
            },
        ],
    }
    shape = copy.deepcopy(components["schemas"]["API_Exception"])
    for key in ("code", "message"):
        shape["properties"][key].pop("enum")
    shape["required"] = ["code", "message", "status", "details"]
    return OAS30Validator(strict), OAS30Validator({"components": components, **shape})


def description_of(path: str) -> str:
    """Which of Zoho's files describes ``path``."""
    parts = path.strip("/").split("/")
    if parts[:3] == ["crm", "v8", "org"]:
        return "org.json"
    if parts[:4] == ["crm", "v8", "settings", "fields"]:
        return "fields.json"
    if parts[:3] == ["crm", "v8", "users"]:
        return "users.json"
    if len(parts) >= 5 and parts[3] not in {"upsert", "actions"}:
        return "related_records.json"
    return "record.json"


def _details(error: BaseException) -> str:
    cause = error.__cause__ or error
    errors = getattr(cause, "schema_errors", None) or ()
    parts = [f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors]
    return "; ".join(parts) or str(error)[:500]


def check(response: httpx.Response) -> None:
    """Assert that Zoho's description has the request's route and that the answer matches
    what it documents for the status (or, for statuses it leaves out, the module's rules).

    Raises:
        AssertionError: With what does not match.
    """
    request = response.request
    route = f"{request.method} {request.url.path}"
    if response.status_code == 204:
        assert not response.content, f"{route} answered 204 with a body"
        return
    status = 200 if response.status_code in {201, 207} else response.status_code
    mock_request = MockRequest(
        HOST, request.method.lower(), request.url.path, args=dict(request.url.params)
    )
    content_type = response.headers.get("content-type", "application/json").split(";")[0]
    mock_response = MockResponse(response.content, status_code=status, content_type=content_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spec(description_of(request.url.path)).validate_response(mock_request, mock_response)
        except PathError as error:
            raise AssertionError(f"{route} is not in Zoho's OpenAPI description") from error
        except ResponseNotFound:
            assert response.status_code >= 400, (
                f"{route} answered {response.status_code}, which the description does not list"
            )
            strict, shape = _error_validators(description_of(request.url.path))
            body = json.loads(response.content)
            if body.get("code") == "TOO_MANY_REQUESTS":
                shape.validate(body)
            else:
                strict.validate(body)
        except ResponseValidationError as error:
            raise AssertionError(
                f"{route} {response.status_code} does not match the description: {_details(error)}"
            ) from error
