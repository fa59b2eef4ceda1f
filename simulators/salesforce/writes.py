"""sObject Collections: create, update, upsert by an external id, and delete up to 200 records
in one request, answered with one result per record in the order sent.

A malformed request (too many records, an unknown object or field) is refused as a whole, as
Salesforce does while reading the JSON; a record Salesforce's save refuses gets a
``success: false`` result and the others are saved, unless ``allOrNone`` asks to roll every
record back when one fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.salesforce.errors import RecordError, Refusal, save_result
from simulators.salesforce.records import ObjectStore, StoredRecord
from simulators.salesforce.state import SalesforceSim
from simulators.salesforce.values import checked, is_id, unknown_field, unreadable_value

_ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone "
    "header",
)
_NAMED = {"Contact", "Lead"}  # whose Name is computed from FirstName and LastName


class _Undo:
    """What a request changed, to roll back when ``allOrNone`` fails it."""

    def __init__(self) -> None:
        self.steps: list[Callable[[], None]] = []

    def created(self, store: ObjectStore, record: StoredRecord) -> None:
        self.steps.append(lambda: store.delete(record))

    def updated(self, store: ObjectStore, record: StoredRecord) -> None:
        before = dict(record.values)
        self.steps.append(lambda: store.replace(record, before))

    def deleted(self, store: ObjectStore, record: StoredRecord) -> None:
        self.steps.append(lambda: store.restore(record))

    def run(self) -> None:
        for step in reversed(self.steps):
            step()


def _records(sim: SalesforceSim, body: Any) -> tuple[list[dict[str, Any]], bool]:
    """The request's records and ``allOrNone``.

    Raises:
        Refusal: The body is not a collection request, or holds more records than allowed.
    """
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise Refusal(400, "The request body must contain a records list", "JSON_PARSER_ERROR")
    records = body["records"]
    if len(records) > sim.batch_limit:
        raise Refusal(
            400,
            f"record limit reached. cannot submit more than {sim.batch_limit} records into this "
            "call",
            "EXCEEDED_ID_LIMIT",
        )
    if not all(isinstance(r, dict) for r in records):
        raise Refusal(400, "Each record must be a JSON object", "JSON_PARSER_ERROR")
    return records, bool(body.get("allOrNone", False))


def _store_of(sim: SalesforceSim, record: dict[str, Any]) -> ObjectStore:
    """The record's object, from its ``attributes`` (checking its fields while at it).

    Raises:
        Refusal: No type, an unknown type, or a field the object does not have.
    """
    kind = (record.get("attributes") or {}).get("type")
    if not kind:
        raise Refusal(
            400,
            "When using sObject collections, every record needs a type attribute",
            "INVALID_TYPE",
        )
    store = sim.objects.get(str(kind))
    if store is None:
        raise Refusal(400, f"sObject type '{kind}' is not supported.", "INVALID_TYPE")
    field = unknown_field(store.spec, record)
    if field is not None:
        raise Refusal(400, f"No such column '{field}' on sobject of type {kind}", "INVALID_FIELD")
    unreadable = unreadable_value(store.spec, record)
    if unreadable is not None:
        raise Refusal(400, unreadable, "JSON_PARSER_ERROR")
    return store


def _check_references(sim: SalesforceSim, store: ObjectStore, values: dict[str, Any]) -> None:
    for name, value in values.items():
        spec = store.spec.fields[name]
        if spec.type != "reference" or value is None:
            continue
        target = sim.owner_of(str(value))
        if target is None or target.spec.name not in spec.reference_to or target.get(value) is None:
            raise RecordError(
                "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {value}", [name]
            )


def _check_unique(store: ObjectStore, values: dict[str, Any], own_id: str | None) -> None:
    for name, value in values.items():
        if not store.spec.fields[name].unique:
            continue
        holder = store.holder(name, value)
        if holder is not None and holder != own_id:
            raise RecordError(
                "DUPLICATE_VALUE",
                f"duplicate value found: {name} duplicates value on record with id: {holder}",
                [name],
            )


def _check_member(sim: SalesforceSim, store: ObjectStore, values: dict[str, Any]) -> None:
    """A campaign member names one contact, lead or (where enabled) account, once."""
    kinds = ["ContactId", "LeadId", *(["AccountId"] if sim.accounts_as_members else [])]
    if values.get("AccountId") and not sim.accounts_as_members:
        raise RecordError(
            "FIELD_INTEGRITY_EXCEPTION",
            "Accounts as Campaign Members is not enabled in this organization",
            ["AccountId"],
        )
    named = [k for k in kinds if values.get(k)]
    if not named:
        raise RecordError(
            "REQUIRED_FIELD_MISSING", "Required fields are missing: [ContactId, LeadId]", kinds
        )
    member = named[0]
    for record in store.records.values():
        if (
            record.values.get("CampaignId") == values.get("CampaignId")
            and record.values.get(member) == values[member]
        ):
            raise RecordError("DUPLICATE_VALUE", "Already a campaign member.", [])


def _name(store: ObjectStore, values: dict[str, Any]) -> None:
    if store.spec.name in _NAMED:
        parts = [values.get("FirstName"), values.get("LastName")]
        values["Name"] = " ".join(str(p) for p in parts if p)


def _refuse_if_told(sim: SalesforceSim, values: dict[str, Any]) -> None:
    message = sim.faults.refusal(values)
    if message is not None:
        raise RecordError("FIELD_CUSTOM_VALIDATION_EXCEPTION", message, [])


def create_one(
    sim: SalesforceSim, store: ObjectStore, record: dict[str, Any], undo: _Undo
) -> StoredRecord:
    """Save one new record.

    Raises:
        RecordError: Salesforce's refusal of it.
    """
    if "Id" in record:
        raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
    _refuse_if_told(sim, record)
    values = checked(store.spec, record, creating=True)
    _check_references(sim, store, values)
    _check_unique(store, values, None)
    if store.spec.name == "CampaignMember":
        _check_member(sim, store, values)
    _name(store, values)
    saved = store.create(values)
    undo.created(store, saved)
    return saved


def update_one(
    sim: SalesforceSim,
    store: ObjectStore,
    target: StoredRecord,
    record: dict[str, Any],
    undo: _Undo,
) -> None:
    """Change one record.

    Raises:
        RecordError: Salesforce's refusal of it.
    """
    _refuse_if_told(sim, {**target.values, **record})
    values = checked(store.spec, record, creating=False, skip=("Id",))
    _check_references(sim, store, values)
    _check_unique(store, values, target.id)
    undo.updated(store, target)
    merged = {**target.values, **values}
    _name(store, merged)
    store.update(target, {k: merged[k] for k in (*values, "Name") if k in merged})


def _finish(results: list[dict[str, Any]], undo: _Undo, all_or_none: bool) -> list[dict[str, Any]]:
    if not all_or_none or all(r["success"] for r in results):
        return results
    undo.run()
    return [r if not r["success"] else {**save_result(None, _ROLLED_BACK)} for r in results]


def create(sim: SalesforceSim, body: Any) -> list[dict[str, Any]]:
    """``POST /composite/sobjects``: SaveResults in the order sent."""
    records, all_or_none = _records(sim, body)
    stores = [_store_of(sim, record) for record in records]
    undo = _Undo()
    results: list[dict[str, Any]] = []
    for store, record in zip(stores, records, strict=True):
        try:
            results.append(save_result(create_one(sim, store, record, undo).id))
        except RecordError as error:
            results.append(save_result(None, error))
    return _finish(results, undo, all_or_none)


def _target(store: ObjectStore, record: dict[str, Any]) -> StoredRecord:
    record_id = record.get("Id")
    if not record_id:
        raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", [])
    if not is_id(record_id) or not str(record_id).startswith(store.spec.prefix):
        raise RecordError(
            "MALFORMED_ID",
            f"{store.spec.label} ID: id value of incorrect type: {record_id}",
            ["Id"],
        )
    found = store.get(str(record_id))
    if found is None:
        raise RecordError("ENTITY_IS_DELETED", "entity is deleted", [])
    return found


def update(sim: SalesforceSim, body: Any) -> list[dict[str, Any]]:
    """``PATCH /composite/sobjects``: SaveResults in the order sent."""
    records, all_or_none = _records(sim, body)
    stores = [_store_of(sim, record) for record in records]
    undo = _Undo()
    results: list[dict[str, Any]] = []
    for store, record in zip(stores, records, strict=True):
        try:
            target = _target(store, record)
            update_one(sim, store, target, record, undo)
            results.append(save_result(target.id))
        except RecordError as error:
            results.append({**save_result(None, error), "id": record.get("Id")})
    return _finish(results, undo, all_or_none)


def upsert(sim: SalesforceSim, sobject: str, key: str, body: Any) -> list[dict[str, Any]]:
    """``PATCH /composite/sobjects/{SObject}/{ExternalIdField}``: UpsertResults in order.

    Raises:
        Refusal: An unknown object or field, or a field that is no external id.
    """
    store = sim.store(sobject)
    field = store.spec.fields.get(key)
    if field is None:
        raise Refusal(
            404,
            f"Provided external ID field does not exist or is not accessible: {key}",
            "NOT_FOUND",
        )
    if not field.external_id and key != "Id":
        raise Refusal(
            400,
            f"Field {key} is not an External ID or indexed field for {sobject}",
            "INVALID_FIELD",
        )
    records, all_or_none = _records(sim, body)
    for record in records:
        if _store_of(sim, record) is not store:
            raise Refusal(
                400, f"All records must be of type {sobject} in an upsert call", "INVALID_TYPE"
            )
    undo = _Undo()
    results: list[dict[str, Any]] = []
    for record in records:
        try:
            results.append(_upsert_one(sim, store, key, record, undo))
        except RecordError as error:
            results.append({**save_result(None, error), "created": False})
    return _finish(results, undo, all_or_none)


def _upsert_one(
    sim: SalesforceSim, store: ObjectStore, key: str, record: dict[str, Any], undo: _Undo
) -> dict[str, Any]:
    if key != "Id" and "Id" in record:
        raise RecordError(
            "INVALID_FIELD", "Id is not allowed in an upsert call by external id", ["Id"]
        )
    value = record.get(key)
    if value in (None, ""):
        raise RecordError("MISSING_ARGUMENT", f"{key} not specified", [key])
    holders = store.holders(key, value)
    if len(holders) > 1:
        raise RecordError(
            "DUPLICATE_EXTERNAL_ID",
            f"{key}: more than one record found for external id field: [{', '.join(holders)}]",
            [key],
        )
    if holders:
        target = store.records[holders[0]]
        update_one(sim, store, target, {k: v for k, v in record.items() if k != key}, undo)
        return {**save_result(target.id), "created": False}
    return {**save_result(create_one(sim, store, record, undo).id), "created": True}


def delete(sim: SalesforceSim, ids: list[str], all_or_none: bool) -> list[dict[str, Any]]:
    """``DELETE /composite/sobjects?ids=…``: DeleteResults in the order named.

    Raises:
        Refusal: More ids than a collection takes.
    """
    if len(ids) > sim.batch_limit:
        raise Refusal(
            400,
            f"record limit reached. cannot submit more than {sim.batch_limit} records into this "
            "call",
            "EXCEEDED_ID_LIMIT",
        )
    undo = _Undo()
    results: list[dict[str, Any]] = []
    for record_id in ids:
        store = sim.owner_of(record_id) if is_id(record_id) else None
        if store is None:
            error = RecordError("MALFORMED_ID", f"malformed id {record_id}", [])
            results.append({**save_result(None, error), "id": record_id})
            continue
        found = store.get(record_id)
        if found is None:
            error = RecordError("ENTITY_IS_DELETED", "entity is deleted", [])
            results.append({**save_result(None, error), "id": record_id})
            continue
        # A refusal asked for acts as a before-delete trigger's addError would.
        message = sim.faults.refusal(found.values)
        if message is not None:
            error = RecordError("FIELD_CUSTOM_VALIDATION_EXCEPTION", message, [])
            results.append({**save_result(None, error), "id": found.id})
            continue
        store.delete(found)
        undo.deleted(store, found)
        _delete_memberships(sim, found.id, undo)
        results.append(save_result(found.id))
    return _finish(results, undo, all_or_none)


def _delete_memberships(sim: SalesforceSim, record_id: str, undo: _Undo) -> None:
    """Salesforce deletes the campaign members of a deleted contact, lead, account or
    campaign along with it."""
    members = sim.objects.get("CampaignMember")
    if members is None:
        return
    for member in list(members.records.values()):
        named = (member.values.get(f) for f in ("CampaignId", "ContactId", "LeadId", "AccountId"))
        if any(str(value)[:15] == record_id[:15] for value in named if value):
            members.delete(member)
            undo.deleted(members, member)
