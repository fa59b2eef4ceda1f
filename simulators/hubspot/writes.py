"""HubSpot's batch writes: ``batch/create``, ``batch/update`` and ``batch/upsert``.

Every input is checked before anything is written. When the inputs carry
``objectWriteTraceId`` HubSpot answers multi-status: the valid inputs are written and the
refused ones come back in ``errors`` (207), each with its trace id in ``context``. Without
trace ids the first refused input fails the whole request and nothing is written. Results come
back in no promised order; the simulator answers in reverse input order so that a client
relying on order is caught.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.hubspot.errors import (
    Refusal,
    details,
    invalid_value,
    invalid_values_message,
    standard_error,
)
from simulators.hubspot.properties import DEFAULT_READ, OBJECT_TYPE_IDS, check_value, iso, now_ms
from simulators.hubspot.records import ObjectStore, StoredRecord

RefusalCheck = Callable[[dict[str, Any]], str | None]
"""The message refusing a record with these values (the simulator's injected refusals)."""


@dataclass
class _Failure:
    status: int
    message: str
    category: str
    context: dict[str, list[str]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Planned:
    index: int
    trace: str | None
    target: StoredRecord | None
    values: dict[str, str | None]
    failure: _Failure | None = None
    record: StoredRecord | None = None


@dataclass
class Answer:
    """A batch's HTTP status and body."""

    status: int
    body: dict[str, Any]


def read_inputs(body: Any, limit: int) -> list[dict[str, Any]]:
    """The ``inputs`` of a batch body.

    Raises:
        Refusal: The body is malformed or holds more than ``limit`` inputs.
    """
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise Refusal(400, "Invalid input JSON: the body must be an object with an inputs array")
    inputs: list[dict[str, Any]] = body["inputs"]
    if len(inputs) > limit:
        raise Refusal(
            400,
            f"The maximum number of inputs supported in a batch request is {limit}. "
            f"Please reduce the number of items and try again",
        )
    if not all(isinstance(item, dict) for item in inputs):
        raise Refusal(400, "Invalid input JSON: each input must be an object")
    return inputs


def _properties(item: dict[str, Any]) -> dict[str, Any]:
    props = item.get("properties", {})
    if not isinstance(props, dict):
        raise Refusal(400, "Invalid input JSON: properties must be an object")
    return props


def _trace(item: dict[str, Any]) -> str | None:
    trace = item.get("objectWriteTraceId")
    return None if trace is None else str(trace)


def _check(
    store: ObjectStore, props: dict[str, Any]
) -> tuple[dict[str, str | None], _Failure | None]:
    values: dict[str, str | None] = {}
    items: list[dict[str, Any]] = []
    for name, raw in props.items():
        prop = store.properties.get(name)
        if prop is None:
            items.append(
                invalid_value(name, f'Property "{name}" does not exist', "PROPERTY_DOESNT_EXIST")
            )
            continue
        value, item = check_value(store.object_type, prop, raw)
        if item is not None:
            items.append(item)
        else:
            values[name] = value
    if items:
        return values, _Failure(
            400, invalid_values_message(items), "VALIDATION_ERROR", errors=details(items)
        )
    return values, None


def _conflict(store: ObjectStore, name: str, value: str, owner: str) -> _Failure:
    if store.object_type == "contacts" and name == "email":
        message = f"Contact already exists. Existing ID: {owner}"
    else:
        message = f"A record already has the value {value} for {name}. Existing ID: {owner}"
    return _Failure(409, message, "CONFLICT", context={"id": [owner]})


def _unique_idproperty(store: ObjectStore, name: str, *, record_id: bool = True) -> None:
    if name == "hs_object_id" and record_id:
        return
    if name not in store.properties:
        raise Refusal(400, f'Property "{name}" does not exist', context={"propertyName": [name]})
    if name not in store.unique_names() or name == "hs_object_id":
        raise Refusal(
            400,
            f"Unable to perform update/upsert by non-unique "
            f"{OBJECT_TYPE_IDS[store.object_type]} property: {name}",
            context={"propertyName": [name]},
        )


def _no_duplicates(keys: list[str]) -> None:
    seen: set[str] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    if repeated:
        raise Refusal(
            400,
            f"Duplicate IDs found in batch input: [{', '.join(repeated)}]. IDs must be unique",
            context={"ids": repeated},
        )


def create(store: ObjectStore, body: Any, limit: int, refused: RefusalCheck) -> Answer:
    """``POST /crm/v3/objects/{type}/batch/create``."""
    plans: list[_Planned] = []
    for index, item in enumerate(read_inputs(body, limit)):
        props = _properties(item)
        values, failure = _check(store, props)
        plan = _Planned(index, _trace(item), None, values, failure)
        if plan.failure is None and (message := refused(props)) is not None:
            plan.failure = _Failure(400, message, "VALIDATION_ERROR")
        plans.append(plan)
    return _finish(store, plans, success=201, upsert=False)


def update(store: ObjectStore, body: Any, limit: int, refused: RefusalCheck) -> Answer:
    """``POST /crm/v3/objects/{type}/batch/update`` (by record id, or by a unique property)."""
    inputs = read_inputs(body, limit)
    keys: list[str] = []
    plans: list[_Planned] = []
    for index, item in enumerate(inputs):
        id_property = str(item.get("idProperty") or "hs_object_id")
        _unique_idproperty(store, id_property)
        record_id = str(item.get("id", ""))
        keys.append(store.key(id_property, record_id))
        props = _properties(item)
        target = store.find(id_property, record_id)
        values, failure = _check(store, props)
        plan = _Planned(index, _trace(item), target, values, failure)
        if target is None:
            plan.failure = _Failure(
                404,
                f"Could not find a record with {id_property} {record_id}",
                "OBJECT_NOT_FOUND",
                context={"ids": [record_id]},
            )
        elif plan.failure is None and (message := refused({**props, id_property: record_id})):
            plan.failure = _Failure(400, message, "VALIDATION_ERROR")
        plans.append(plan)
    _no_duplicates(keys)
    return _finish(store, plans, success=200, upsert=False)


def upsert(store: ObjectStore, body: Any, limit: int, refused: RefusalCheck) -> Answer:
    """``POST /crm/v3/objects/{type}/batch/upsert`` (by a unique ``idProperty`` per input)."""
    inputs = read_inputs(body, limit)
    keys: list[str] = []
    plans: list[_Planned] = []
    for index, item in enumerate(inputs):
        id_property = item.get("idProperty")
        if not id_property:
            raise Refusal(400, "idProperty is required to upsert")
        id_property = str(id_property)
        _unique_idproperty(store, id_property, record_id=False)
        record_id = str(item.get("id", ""))
        keys.append(store.key(id_property, record_id))
        props = _properties(item)
        values, failure = _check(store, {**props, id_property: record_id})
        key_value = values.get(id_property)
        target = store.find(id_property, key_value) if key_value else None
        plan = _Planned(index, _trace(item), target, values, failure)
        if plan.failure is None and not key_value:
            plan.failure = _Failure(
                400, f"id must hold a value of {id_property}", "VALIDATION_ERROR"
            )
        if plan.failure is None and (message := refused({**props, id_property: record_id})):
            plan.failure = _Failure(400, message, "VALIDATION_ERROR")
        plans.append(plan)
    _no_duplicates(keys)
    return _finish(store, plans, success=200, upsert=True)


def _claim(store: ObjectStore, plans: list[_Planned]) -> None:
    """Refuse inputs whose unique values another record, or an earlier input, holds."""
    claimed: dict[tuple[str, str], int] = {}
    unique = store.unique_names()
    for plan in plans:
        if plan.failure is not None:
            continue
        exclude = plan.target.id if plan.target else None
        held = store.holder(plan.values, exclude)
        if held is not None:
            plan.failure = _conflict(store, *held)
            continue
        for name in unique:
            value = plan.values.get(name)
            if value is None:
                continue
            key = (name, store.key(name, value))
            if key in claimed:
                plan.failure = _conflict(store, name, value, f"input {claimed[key]}")
                break
            claimed[key] = plan.index


def _finish(store: ObjectStore, plans: list[_Planned], *, success: int, upsert: bool) -> Answer:
    _claim(store, plans)
    multi = any(plan.trace is not None for plan in plans)
    started = iso(now_ms())
    if not multi:
        for plan in plans:
            if plan.failure is not None:
                failure = plan.failure
                raise Refusal(
                    failure.status,
                    failure.message,
                    failure.category,
                    context=failure.context or None,
                    errors=failure.errors or None,
                )
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for plan in plans:
        if plan.failure is not None:
            failure = plan.failure
            errors.append(
                standard_error(
                    failure.message,
                    failure.category,
                    trace=plan.trace,
                    context=failure.context,
                    errors=failure.errors,
                )
            )
            continue
        new = plan.target is None
        if plan.target is None:
            record = store.create(plan.values)
        else:
            record = store.update(plan.target, plan.values)
        names = list(dict.fromkeys([*DEFAULT_READ[store.object_type], *plan.values]))
        result = record.to_json(names, store.object_type)
        if upsert:
            result["new"] = new
        if plan.trace is not None:
            result["objectWriteTraceId"] = plan.trace
        results.append(result)
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": list(reversed(results)),
        "startedAt": started,
        "completedAt": iso(now_ms()),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return Answer(207, body)
    return Answer(success, body)
