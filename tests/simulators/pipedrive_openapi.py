"""Pipedrive's OpenAPI descriptions (v2 for persons, organizations, search and fields; v1 for
``/users/me`` and the OAuth token endpoint), loaded once per test session, and a check of the
simulator's answers against them with openapi-core.

The descriptions (``/work/shared/vendor-specs/pipedrive/v2.yaml`` and ``v1.yaml``, Pipedrive's
own as vendored in juhokoskela/pipedrive-go) are taken as they are but for one narrow defect:
the search endpoints' and the person and organization lists' ``additional_data.next_cursor``
is declared a plain string although the same descriptions say it "will be ``null`` if you have
reached the end of the dataset" (the fields endpoints declare it ``nullable``): every
``next_cursor`` is made nullable.

The v2 description documents success answers only. Error answers are checked against
Pipedrive's common error body (``{success: false, error, error_info, data, additional_data}``,
NOTES §3 and pipedrive.readme.io "responses"); the token endpoint's refusals against OAuth
2.0's ``{error, error_description}``.
"""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]
import yaml  # type: ignore[import-untyped]
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import ResponseValidationError

SPECS = Path("/work/shared/vendor-specs/pipedrive")
API_HOST = "https://api.pipedrive.com"
OAUTH_HOST = "https://oauth.pipedrive.com"

ERROR_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["success", "error", "error_info", "data", "additional_data"],
    "properties": {
        "success": {"const": False},
        "error": {"type": "string", "minLength": 1},
        "error_info": {"type": "string"},
        "data": {"type": "null"},
        "additional_data": {"type": "null"},
        "errorCode": {"type": "integer"},
        "code": {"type": "string"},
    },
}
"""Pipedrive's error body, for the statuses the descriptions leave out."""

OAUTH_ERROR_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["error", "error_description"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from _walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk(child)


def normalized(description: dict[str, Any]) -> dict[str, Any]:
    """The description with every ``next_cursor`` nullable (in place; returned)."""
    for node in _walk(description):
        cursor = (node.get("properties") or {}).get("next_cursor")
        if isinstance(cursor, dict) and cursor.get("type") == "string":
            cursor["nullable"] = True
    return description


def _load(name: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPECS / name).open(encoding="utf-8") as text:
        loaded: dict[str, Any] = yaml.load(text, Loader=loader)
    return loaded


@functools.cache
def description(version: str) -> dict[str, Any]:
    """The raw description of ``v1`` or ``v2`` (mended), parsed once."""
    return normalized(_load(f"{version}.yaml"))


@functools.cache
def spec(version: str) -> OpenAPI:
    """The ``v1`` or ``v2`` description for openapi-core, parsed once per session."""
    return OpenAPI.from_dict(description(version), config=Config(spec_validator_cls=None))


def _where(path: str) -> tuple[str, str, str]:
    """(version, host, path as the description's server sees it) of a simulator path."""
    if path.startswith("/oauth/"):
        return "v1", OAUTH_HOST, path
    if path.startswith("/api/v1/"):
        return "v1", API_HOST, path.removeprefix("/api")
    if path.startswith("/v1/"):
        return "v1", API_HOST, path
    return "v2", API_HOST, path


def _details(error: BaseException) -> str:
    cause = error.__cause__ or error
    errors = getattr(cause, "schema_errors", None) or ()
    parts = [f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors]
    return "; ".join(parts) or str(error)[:500]


def check(response: httpx.Response) -> None:
    """Assert that the description has the request's route and that the answer matches the
    documented response for its status (Pipedrive's error shape where none is documented).

    Raises:
        AssertionError: With what does not match.
    """
    request = response.request
    route = f"{request.method} {request.url.path}"
    version, host, path = _where(request.url.path)
    mock_request = MockRequest(host, request.method.lower(), path, args=dict(request.url.params))
    content_type = response.headers.get("content-type", "application/json").split(";")[0]
    mock_response = MockResponse(
        response.content, status_code=response.status_code, content_type=content_type
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spec(version).validate_response(mock_request, mock_response)
        except PathError as error:
            raise AssertionError(f"{route} is not in Pipedrive's {version} description") from error
        except ResponseNotFound:
            assert response.status_code >= 400, (
                f"{route} answered {response.status_code}, which the description does not list"
            )
            shape = OAUTH_ERROR_SHAPE if path.startswith("/oauth/") else ERROR_SHAPE
            jsonschema.validate(json.loads(response.content), shape)
        except ResponseValidationError as error:
            raise AssertionError(
                f"{route} {response.status_code} does not match the description: {_details(error)}"
            ) from error


def token_costs() -> dict[tuple[str, str], int]:
    """``x-token-cost`` of every operation, by (method, path as the simulator serves it)."""
    costs: dict[tuple[str, str], int] = {}
    for version, prefix in (("v2", "/api/v2"), ("v1", "/v1")):
        for path, operations in description(version)["paths"].items():
            for method, operation in operations.items():
                if isinstance(operation, dict) and "x-token-cost" in operation:
                    costs[(method.upper(), f"{prefix}{path}")] = int(operation["x-token-cost"])
    return costs
