"""Attio's OpenAPI description, loaded once per test session, and a check of the simulator's
answers against it with openapi-core.

The description (``/work/shared/vendor-specs/attio/openapi.yaml``, 1.8 MB, Attio's own with a
small SDK overlay) is parsed once, by :func:`spec`. openapi-core takes it as it is except for
three narrow defects of the description itself, which would refuse answers Attio really sends:

1. Nullable properties with an ``enum`` (``config.currency.default_currency_code``,
   ``display_type``) do not list ``null`` among the enum's values, so the ``null`` that the
   ``type`` allows, and that every attribute other than a currency answers, fails: ``null``
   is added to such enums.
2. A timestamp value's ``value`` is declared ``format: date`` although the same description
   says it is a timestamp with nanosecond precision and its examples show
   ``"2023-01-01T15:00:00.000000000Z"``: the format becomes ``date-time``.
3. An error body's ``code`` enum lists one example code per operation and status (record
   writes list only ``value_not_found`` for a 400), while Attio answers the other codes the
   description uses for that status elsewhere (``validation_type``, ``missing_value``,
   ``multiple_match_results``, …): ``code`` may be any code the description lists for that
   status.

Statuses the description does not document for an operation (401, 429, 5xx, and the 409 of a
unique value held by another record) are checked against Attio's common error shape
(``{status_code, type, code, message}``, NOTES §6 and Attio's rate-limiting guide) instead.
"""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import ResponseValidationError

SPEC_PATH = Path("/work/shared/vendor-specs/attio/openapi.yaml")
HOST = "https://api.attio.com"

ERROR_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["status_code", "type", "code", "message"],
    "properties": {
        "status_code": {"type": "number"},
        "type": {"enum": ["invalid_request_error", "auth_error", "rate_limit_error", "api_error"]},
        "code": {"type": "string", "minLength": 1},
        "message": {"type": "string", "minLength": 1},
    },
}
"""Attio's error body, for statuses the description leaves out."""


def _walk(node: Any) -> Any:
    """Every dict inside ``node``, depth first."""
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from _walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk(child)


def _error_codes(description: dict[str, Any]) -> dict[str, set[str]]:
    """The error codes the description uses, by status."""
    found: dict[str, set[str]] = {}
    for operations in description["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, answer in (operation.get("responses") or {}).items():
                if str(status).startswith("2"):
                    continue
                for node in _walk(answer):
                    code = (node.get("properties") or {}).get("code")
                    if isinstance(code, dict) and isinstance(code.get("enum"), list):
                        found.setdefault(str(status), set()).update(code["enum"])
    return found


def normalized(description: dict[str, Any]) -> dict[str, Any]:
    """The description with the three defects above mended (in place; returned)."""
    for node in _walk(description):
        kinds = node.get("type")
        enum = node.get("enum")
        nullable = isinstance(kinds, list) and "null" in kinds
        if nullable and isinstance(enum, list) and None not in enum:
            enum.append(None)
        kind = ((node.get("properties") or {}).get("attribute_type") or {}).get("enum")
        value = (node.get("properties") or {}).get("value")
        if kind == ["timestamp"] and isinstance(value, dict) and value.get("format") == "date":
            value["format"] = "date-time"
    codes = _error_codes(description)
    for operations in description["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, answer in (operation.get("responses") or {}).items():
                if str(status).startswith("2"):
                    continue
                for node in _walk(answer):
                    code = (node.get("properties") or {}).get("code")
                    if isinstance(code, dict) and isinstance(code.get("enum"), list):
                        code["enum"] = sorted(codes[str(status)])
    return description


@functools.cache
def spec() -> OpenAPI:
    """Attio's description, parsed and mended once per test session."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as text:
        description = yaml.load(text, Loader=loader)
    return OpenAPI.from_dict(normalized(description), config=Config(spec_validator_cls=None))


def _details(error: BaseException) -> str:
    cause = error.__cause__ or error
    errors = getattr(cause, "schema_errors", None) or ()
    parts = [f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors]
    return "; ".join(parts) or str(error)[:500]


def check(response: httpx.Response) -> None:
    """Assert that Attio's description has the request's route and that the answer matches
    the documented response for its status (Attio's error shape where none is documented).

    Raises:
        AssertionError: With what does not match.
    """
    request = response.request
    route = f"{request.method} {request.url.path}"
    mock_request = MockRequest(
        HOST, request.method.lower(), request.url.path, args=dict(request.url.params)
    )
    content_type = response.headers.get("content-type", "application/json").split(";")[0]
    mock_response = MockResponse(
        response.content, status_code=response.status_code, content_type=content_type
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spec().validate_response(mock_request, mock_response)
        except PathError as error:
            raise AssertionError(f"{route} is not in Attio's OpenAPI description") from error
        except ResponseNotFound:
            assert response.status_code >= 400, (
                f"{route} answered {response.status_code}, which the description does not list"
            )
            body = json.loads(response.content)
            jsonschema.validate(body, ERROR_SHAPE)
            assert body["status_code"] == response.status_code, body
        except ResponseValidationError as error:
            raise AssertionError(
                f"{route} {response.status_code} does not match the description: {_details(error)}"
            ) from error
