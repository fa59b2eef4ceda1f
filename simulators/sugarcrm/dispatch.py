"""Which handler serves a request, and the ``/bulk`` envelope that runs sub-requests one after
another through the same table.

A bulk envelope is ``{"requests": [{"url": "/v11_20/Accounts", "method": "POST", "data":
"<JSON text>"}]}``; its answer is a list of ``{"contents", "headers", "status"}`` in the same
order, a failing sub-request failing alone. Sugar documents no cap on an envelope's size;
the simulator refuses envelopes above its ``bulk_limit`` with 422 ``invalid_parameter``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from simulators.sugarcrm import handlers
from simulators.sugarcrm.errors import (
    SugarError,
    fault_body,
    invalid_parameter,
    missing_parameter,
    no_method,
)
from simulators.sugarcrm.handlers import Call, Handler
from simulators.sugarcrm.state import SugarSim

_VERSION = re.compile(r"^v(10|11)(?:_(\d+))?$")
_FIXED: dict[tuple[str, tuple[str, ...]], Handler] = {
    ("GET", ("me",)): handlers.me,
    ("GET", ("ping",)): handlers.ping,
    ("GET", ("metadata",)): handlers.metadata,
}


def check_version(sim: SugarSim, version: str) -> None:
    """Refuse a REST version the instance does not serve.

    Raises:
        SugarError: 404 ``not_found``.
    """
    found = _VERSION.match(version)
    minor = int(found.group(2) or 0) if found else None
    if found is None or minor is None or minor > sim.latest_minor:
        raise SugarError(404, "not_found", f"The requested API version is not supported: {version}")


def _route(call: Call) -> Handler:
    fixed = _FIXED.get((call.method, call.parts))
    if fixed is not None:
        return fixed
    parts, method = call.parts, call.method
    size = len(parts)
    if size == 2 and parts[0] == "lang" and method == "GET":
        return handlers.language
    if size == 1 and method == "POST":
        return handlers.create
    if size == 2 and parts[1] == "filter" and method == "POST":
        return handlers.filter_records
    if size == 2 and method == "GET":
        return handlers.read
    if size == 2 and method == "PUT":
        return handlers.update
    if size == 2 and method == "DELETE":
        return handlers.delete
    if size == 3 and parts[2] == "link" and method == "POST":
        return handlers.link_many
    if size == 4 and parts[2] == "link" and method == "GET":
        return handlers.related
    if size == 5 and parts[2] == "link" and method == "POST":
        return handlers.link_one
    if size == 5 and parts[2] == "link" and method == "DELETE":
        return handlers.unlink_one
    raise no_method(size)


def answer(sim: SugarSim, call: Call) -> tuple[int, Any]:
    """The status and payload of one (sub-)request."""
    try:
        return 200, _route(call)(sim, call)
    except SugarError as refusal:
        return refusal.status, refusal.body()


def bulk(sim: SugarSim, body: Any, user: str) -> list[dict[str, Any]]:
    """Run an envelope's sub-requests in order.

    Raises:
        SugarError: 422 for an envelope without requests or above the cap.
    """
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise missing_parameter("Missing parameter: requests")
    if len(requests) > sim.bulk_limit:
        raise invalid_parameter(
            f"Too many requests in one bulk call: {len(requests)} (at most {sim.bulk_limit})"
        )
    return [_sub(sim, request, user) for request in requests]


def _sub(sim: SugarSim, request: Any, user: str) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    try:
        call = _sub_call(sim, request, user)
    except SugarError as refusal:
        return {"contents": refusal.body(), "headers": headers, "status": refusal.status}
    path = "/" + "/".join(call.parts)
    fault = sim.sub_faults.take(call.method, path)
    if fault is not None and fault.status is not None:
        return {"contents": fault_body(fault.status), "headers": headers, "status": fault.status}
    status, contents = answer(sim, call)
    lost = sim.lost_answers.take(call.method, path)
    if lost is not None and lost.status is not None:
        status, contents = lost.status, fault_body(lost.status)
    return {"contents": contents, "headers": headers, "status": status}


def _sub_call(sim: SugarSim, request: Any, user: str) -> Call:
    if not isinstance(request, dict) or not request.get("url"):
        raise missing_parameter("Missing parameter: url")
    url = urlsplit(str(request["url"]))
    segments = [s for s in url.path.split("/") if s]
    if segments and segments[0] == "rest":
        segments = segments[1:]
    if not segments:
        raise no_method(0)
    check_version(sim, segments[0])
    data = request.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data) if data.strip() else None
        except ValueError:
            raise invalid_parameter("The sub-request's data is not JSON") from None
    return Call(
        method=str(request.get("method", "GET")).upper(),
        parts=tuple(segments[1:]),
        query=dict(parse_qsl(url.query)),
        body=data,
        user=user,
    )
