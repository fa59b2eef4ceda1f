"""Zoho's record writes: insert (``POST /crm/v8/{module}``), upsert (``…/upsert``) and update
(``PUT /crm/v8/{module}``, each record naming its ``id``).

Records are taken in order, each answered by one item of ``data`` in input order: a success
(``record added``/``record updated``, the record's id and times, and for upserts the ``action``
and the ``duplicate_field`` matched on) or Zoho's error for that record. Upsert matches on
``duplicate_check_fields`` in the order given, or, without them, on the module's system
duplicate-check field and then its unique fields. An update changes the fields a record
carries and leaves the others; a record without an ``id`` is ``MANDATORY_NOT_FOUND``, one
whose ``id`` no record of the module has is ``INVALID_DATA`` naming ``id`` (``the id given
seems to be invalid``). The HTTP status is 200 (201 for inserts) when every record succeeded,
207 when some did, and 400 when none did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulators.zoho.errors import ZohoError, error_item
from simulators.zoho.modules import USER
from simulators.zoho.reads import INVALID_ID
from simulators.zoho.records import ModuleStore, StoredRecord
from simulators.zoho.state import ZohoSim
from simulators.zoho.values import BadValue, checked, missing

RefusalCheck = Callable[[dict[str, Any]], str | None]
"""The message refusing a record with these values (the simulator's injected refusals)."""


@dataclass(frozen=True)
class Answer:
    """A write's HTTP status and body."""

    status: int
    body: dict[str, Any]


def read_data(body: Any, limit: int) -> list[Any]:
    """The ``data`` array of a write body.

    Raises:
        ZohoError: ``data`` is missing or empty, or holds more than ``limit`` records.
    """
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not data:
        raise ZohoError(
            400,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            {"param": "data"},
        )
    if len(data) > limit:
        raise ZohoError(400, "LIMIT_EXCEEDED", "Record count exceeded", {"limit": limit})
    return data


def duplicate_fields(store: ModuleStore, body: dict[str, Any]) -> list[str]:
    """The fields an upsert matches on.

    Raises:
        ZohoError: A named field is not one Zoho can check duplicates on.
    """
    named = body.get("duplicate_check_fields")
    allowed = store.module.unique_names()
    if named is None:
        return allowed
    if not isinstance(named, list) or not all(isinstance(n, str) for n in named):
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"param": "duplicate_check_fields"})
    for name in named:
        if name not in allowed:
            raise ZohoError(
                400,
                "INVALID_DATA",
                "invalid data",
                {"api_name": name, "json_path": "$.duplicate_check_fields"},
            )
    return list(named) or allowed


TRIGGERS = frozenset({"workflow", "approval", "blueprint"})
"""The automations a write may name in ``trigger`` (none named: Zoho runs workflows)."""


def check_trigger(body: dict[str, Any]) -> None:
    """Refuse a ``trigger`` that is not a list of Zoho's automations (Zoho's exact answer to
    an unknown one is not documented; ``INVALID_DATA`` naming the parameter here).

    Raises:
        ZohoError: The trigger is not a list of known automations.
    """
    trigger = body.get("trigger", [])
    if not isinstance(trigger, list) or not set(trigger) <= TRIGGERS:
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"param": "trigger"})


def write(
    sim: ZohoSim, store: ModuleStore, body: Any, *, upsert: bool, refused: RefusalCheck
) -> Answer:
    """One insert or upsert request."""
    items = read_data(body, sim.batch_limit)
    check_trigger(body)
    keys = duplicate_fields(store, body) if upsert else []
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            results.append(_one(sim, store, item, index, keys, refused))
        except BadValue as bad:
            results.append(error_item(bad.code, bad.message, bad.details))
    return Answer(status_of(results, success=200 if upsert else 201), {"data": results})


def status_of(results: list[dict[str, Any]], *, success: int = 200) -> int:
    """A multi-record answer's status: ``success`` when every item succeeded, 207 when some
    did, 400 when none did."""
    succeeded = sum(1 for r in results if r["status"] == "success")
    if succeeded == len(results):
        return success
    return 207 if succeeded else 400


def update(sim: ZohoSim, store: ModuleStore, body: Any, *, refused: RefusalCheck) -> Answer:
    """One update request (``PUT /crm/v8/{module}``)."""
    items = read_data(body, sim.batch_limit)
    check_trigger(body)
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            results.append(_update_one(sim, store, item, index, refused))
        except BadValue as bad:
            results.append(error_item(bad.code, bad.message, bad.details))
    return Answer(status_of(results), {"data": results})


def _values(
    sim: ZohoSim, store: ModuleStore, item: Any, where: str, refused: RefusalCheck
) -> dict[str, Any]:
    """The values of one written record as stored, after Zoho's checks.

    Raises:
        BadValue: The record, or one of its values, is refused.
    """
    if not isinstance(item, dict):
        raise BadValue("INVALID_DATA", "invalid data", {"json_path": where})
    if (message := refused(item)) is not None:
        raise BadValue("INVALID_DATA", message, {"json_path": where})
    values: dict[str, Any] = {}
    for name, raw in item.items():
        zoho_field = store.module.fields.get(name)
        if zoho_field is None or zoho_field.read_only:
            continue  # Zoho ignores fields the module does not have or that it computes
        values[name] = checked(zoho_field, raw, f"{where}.{name}", sim.lookup)
    return values


def _check_kept(
    store: ModuleStore, values: dict[str, Any], target: StoredRecord | None, where: str
) -> None:
    """Refuse a record leaving a mandatory field empty, or taking a unique value another
    record holds.

    Raises:
        BadValue: ``MANDATORY_NOT_FOUND`` or ``DUPLICATE_DATA``.
    """
    module = store.module
    for zoho_field in module.fields.values():
        if not zoho_field.mandatory:
            continue
        value = values.get(zoho_field.api_name)
        if value in (None, "") and (target is None or zoho_field.api_name in values):
            raise missing(zoho_field.api_name, f"{where}.{zoho_field.api_name}")
    held = store.holder(values, target.id if target is not None else None)
    if held is not None:
        name, owner = held
        raise BadValue(
            "DUPLICATE_DATA",
            "duplicate data",
            {
                "api_name": name,
                "json_path": f"{where}.{name}",
                "duplicate_record": {
                    "id": owner,
                    "module": {"api_name": module.api_name, "id": module.id},
                    "Owner": dict(USER),
                },
            },
        )


def _success(record: StoredRecord, created: bool) -> dict[str, Any]:
    return {
        "code": "SUCCESS",
        "details": {
            "Modified_Time": record.values["Modified_Time"],
            "Modified_By": record.values["Modified_By"],
            "Created_Time": record.values["Created_Time"],
            "id": record.id,
            "Created_By": record.values["Created_By"],
        },
        "message": "record added" if created else "record updated",
        "status": "success",
    }


def _update_one(
    sim: ZohoSim, store: ModuleStore, item: Any, index: int, refused: RefusalCheck
) -> dict[str, Any]:
    where = f"$.data[{index}]"
    if not isinstance(item, dict):
        raise BadValue("INVALID_DATA", "invalid data", {"json_path": where})
    record_id = item.get("id")
    if record_id in (None, ""):
        raise missing("id", f"{where}.id")
    target = store.records.get(str(record_id))
    if target is None:
        raise BadValue("INVALID_DATA", INVALID_ID, {"api_name": "id", "json_path": f"{where}.id"})
    values = _values(sim, store, item, where, refused)
    _check_kept(store, values, target, where)
    return _success(store.update(target, values), created=False)


def _one(
    sim: ZohoSim,
    store: ModuleStore,
    item: Any,
    index: int,
    keys: list[str],
    refused: RefusalCheck,
) -> dict[str, Any]:
    where = f"$.data[{index}]"
    values = _values(sim, store, item, where, refused)
    target = None
    matched_on = keys[0] if keys else None
    for key in keys:
        target = store.find(key, values.get(key))
        if target is not None:
            matched_on = key
            break
    _check_kept(store, values, target, where)
    created = target is None
    record = store.create(values) if target is None else store.update(target, values)
    answer = _success(record, created)
    if matched_on is not None:
        answer["action"] = "insert" if created else "update"
        answer["duplicate_field"] = matched_on
    return answer
