"""The REST API's routes as plain functions of a parsed request, so that the ``/bulk``
endpoint can run its sub-requests through the very same code as top-level requests.

Each handler returns the JSON payload of a 200 answer (Sugar answers creates with 200 and
the record) or raises :class:`~simulators.sugarcrm.errors.SugarError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.sugarcrm.errors import SugarError, invalid_parameter, missing_parameter
from simulators.sugarcrm.relations import resolved
from simulators.sugarcrm.schema import APP_LIST_STRINGS, LINKABLE, mod_strings
from simulators.sugarcrm.state import INSTANCE_NAME, SugarSim

DEFAULT_MAX_NUM = 20
LARGEST_MAX_NUM = 1000


@dataclass(frozen=True)
class Call:
    """One API request, parsed: method, path segments after the version, query, JSON body."""

    method: str
    parts: tuple[str, ...]
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    user: str = ""


Handler = Callable[[SugarSim, Call], Any]


def _body(call: Call) -> dict[str, Any]:
    if call.body is None:
        return {}
    if not isinstance(call.body, dict):
        raise invalid_parameter("The request body must be a JSON object")
    return call.body


def me(_sim: SugarSim, call: Call) -> Any:
    """``GET /me``: the current user."""
    return {
        "current_user": {
            "type": "user",
            "id": f"user-{call.user}",
            "user_name": call.user,
            "full_name": call.user.title(),
            "is_manager": False,
            "type_of_user": "admin" if call.user == "admin" else "user",
            "instance_name": INSTANCE_NAME,
        }
    }


def ping(_sim: SugarSim, _call: Call) -> Any:
    """``GET /ping``."""
    return "pong"


def metadata(sim: SugarSim, call: Call) -> Any:
    """``GET /metadata?type_filter=modules&module_filter=A,B``: the modules' vardefs."""
    types = {t for t in call.query.get("type_filter", "modules").split(",") if t}
    wanted = [m for m in call.query.get("module_filter", "").split(",") if m] or list(sim.modules)
    answer: dict[str, Any] = {"_hash": "sim-metadata-1"}
    if "modules" in types:
        answer["modules"] = {
            name: {"fields": sim.module(name).fields} for name in wanted if name in sim.modules
        }
    return answer


def language(sim: SugarSim, call: Call) -> Any:
    """``GET /lang/{language}``: labels (``mod_strings``) and dropdown lists."""
    if call.parts[1] != "en_us":
        raise SugarError(404, "not_found", f"Language not found: {call.parts[1]}")
    return {
        "app_list_strings": APP_LIST_STRINGS,
        "app_strings": {"LBL_SUGAR_COPYRIGHT": INSTANCE_NAME},
        "mod_strings": {name: mod_strings(name) for name in sim.modules},
        "_hash": "sim-lang-1",
    }


def _refuse_chosen(sim: SugarSim, values: dict[str, Any]) -> None:
    refusal = sim.faults.refusal(values)
    if refusal is not None:
        raise invalid_parameter(refusal)


def create(sim: SugarSim, call: Call) -> Any:
    """``POST /{module}``: a new record; the answer is the record."""
    store = sim.module(call.parts[0])
    body = _body(call)
    _refuse_chosen(sim, body)
    accounts = sim.module("Accounts").records
    return store.view(store.create(resolved(accounts, call.parts[0], body)))


def read(sim: SugarSim, call: Call) -> Any:
    """``GET /{module}/{id}``."""
    store = sim.module(call.parts[0])
    return store.view(store.get(call.parts[1]))


def update(sim: SugarSim, call: Call) -> Any:
    """``PUT /{module}/{id}``: changed values; the answer is the whole record (a contact's
    ``account_id`` relates it to that account instead of the one it had; see
    ``relations.py``)."""
    store = sim.module(call.parts[0])
    body = _body(call)
    record = store.get(call.parts[1])
    _refuse_chosen(sim, {**record, **body})
    accounts = sim.module("Accounts").records
    return store.view(store.update(call.parts[1], resolved(accounts, call.parts[0], body)))


def delete(sim: SugarSim, call: Call) -> Any:
    """``DELETE /{module}/{id}``: Sugar answers 200 with the deleted record's id alone; an id
    it does not have (or deleted already) is 404 ``not_found``."""
    sim.delete(call.parts[0], call.parts[1])
    return {"id": call.parts[1]}


def _number(raw: Any, name: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        return int(str(raw))
    except ValueError:
        raise invalid_parameter(f"{name} must be a number") from None


def filter_records(sim: SugarSim, call: Call) -> Any:
    """``POST /{module}/filter``: a page of the records matching every clause."""
    store = sim.module(call.parts[0])
    body = _body(call)
    clauses = body.get("filter", [])
    if not isinstance(clauses, list):
        raise invalid_parameter("Filter must be an array")
    offset = _number(body.get("offset"), "offset", 0)
    limit = min(_number(body.get("max_num"), "max_num", DEFAULT_MAX_NUM), LARGEST_MAX_NUM)
    raw_fields = body.get("fields")
    fields = [f for f in str(raw_fields).split(",") if f] if raw_fields else None
    order = str(body.get("order_by") or "date_modified:DESC")
    matched = [r for r in store.records.values() if all(store.matches(r, c) for c in clauses)]
    name, _, direction = order.partition(":")
    if name not in store.fields:
        raise invalid_parameter(f"Unknown field: {name}")
    matched.sort(key=lambda r: str(r.get(name) or ""), reverse=direction.upper() != "ASC")
    page = matched[offset : offset + limit]
    following = offset + len(page) if offset + len(page) < len(matched) else -1
    return {"next_offset": following, "records": [store.view(r, fields) for r in page]}


def _linked(sim: SugarSim, call: Call, link: str, remote: str) -> dict[str, Any]:
    members = sim.members(call.parts[1], link)
    related = sim.module(LINKABLE[link]).get(remote)
    if remote not in members:
        members.append(remote)
    return related


def link_many(sim: SugarSim, call: Call) -> Any:
    """``POST /{module}/{id}/link``: relate several records through one link."""
    body = _body(call)
    link = body.get("link_name")
    ids = body.get("ids")
    if not link:
        raise missing_parameter("Missing parameter: link_name")
    if not isinstance(ids, list) or not ids:
        raise missing_parameter("Missing parameter: ids")
    remotes = [str(i["id"]) if isinstance(i, dict) else str(i) for i in ids]
    sim.members(call.parts[1], str(link))  # the list and the link exist
    store = sim.module(LINKABLE[str(link)])
    for remote in remotes:  # all or nothing: check every id first
        store.get(remote)
    related = [_linked(sim, call, str(link), remote) for remote in remotes]
    record = sim.module(call.parts[0]).get(call.parts[1])
    return {
        "record": sim.module(call.parts[0]).view(record),
        "related_records": [store.view(r) for r in related],
    }


def link_one(sim: SugarSim, call: Call) -> Any:
    """``POST /{module}/{id}/link/{link}/{remote}``."""
    link, remote = call.parts[3], call.parts[4]
    related = _linked(sim, call, link, remote)
    record = sim.module(call.parts[0]).get(call.parts[1])
    return {
        "record": sim.module(call.parts[0]).view(record),
        "related_record": sim.module(LINKABLE[link]).view(related),
    }


def unlink_one(sim: SugarSim, call: Call) -> Any:
    """``DELETE /{module}/{id}/link/{link}/{remote}``: a record that was not related stays
    unrelated, without an error."""
    link, remote = call.parts[3], call.parts[4]
    members = sim.members(call.parts[1], link)
    related = sim.module(LINKABLE[link]).get(remote)
    if remote in members:
        members.remove(remote)
    record = sim.module(call.parts[0]).get(call.parts[1])
    return {
        "record": sim.module(call.parts[0]).view(record),
        "related_record": sim.module(LINKABLE[link]).view(related),
    }


def related(sim: SugarSim, call: Call) -> Any:
    """``GET /{module}/{id}/link/{link}``: the related records, one page."""
    link = call.parts[3]
    members = sim.members(call.parts[1], link)
    store = sim.module(LINKABLE[link])
    offset = _number(call.query.get("offset"), "offset", 0)
    limit = min(_number(call.query.get("max_num"), "max_num", DEFAULT_MAX_NUM), LARGEST_MAX_NUM)
    page = members[offset : offset + limit]
    following = offset + len(page) if offset + len(page) < len(members) else -1
    return {"next_offset": following, "records": [store.view(store.get(i)) for i in page]}
