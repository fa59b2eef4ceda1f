"""Writing values to records and entries: create, assert (create or update by a unique
attribute), update appending multiselect values (PATCH) and update overwriting them (PUT).

Checks run in Attio's order of concern: the body's shape, unknown attribute slugs (400
``value_not_found``), read-only attributes, each value's type and shape (400
``validation_type``), references and options that must exist (400 ``value_not_found``), then
a refusal the test asked for, required attributes of a new record (400 ``missing_value``) and
unique attributes held by another record (409 ``uniqueness_conflict``). A value written again
unchanged keeps its ``active_from``; a new value is active from the write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulators.attio.errors import AttioError, bad_request, not_found
from simulators.attio.records import API_ACTOR, Holder, Record, RecordStore
from simulators.attio.schema import Container
from simulators.attio.values import Payload, Resolve, Stored, key_of, parse
from simulators.kit import Faults

Prepared = dict[str, list[Payload]]
"""Parsed values by attribute slug (an empty list clears the attribute)."""


def values_of(body: Any, key: str = "values") -> dict[str, Any]:
    """``body["data"][key]``, the values of a write.

    Raises:
        AttioError: The body is not ``{"data": {key: {…}}}``.
    """
    data = body.get("data") if isinstance(body, dict) else None
    values = data.get(key) if isinstance(data, dict) else None
    if not isinstance(values, dict):
        raise bad_request(
            "validation_type", f"Body payload validation error: data.{key} must be an object."
        )
    return values


def prepare(container: Container, raw: Mapping[str, Any], resolve: Resolve) -> Prepared:
    """Parse and check every value of a write against the container's attributes.

    Raises:
        AttioError: The first problem found, in Attio's words.
    """
    prepared: Prepared = {}
    for ref, value in raw.items():
        attribute = container.attribute(ref)
        if attribute is None or attribute.is_archived:
            raise bad_request("value_not_found", f'Cannot find attribute with slug/ID "{ref}".')
        if not attribute.is_writable:
            raise bad_request(
                "validation_type",
                f'Cannot write to attribute with slug "{attribute.api_slug}": it is read-only.',
            )
        prepared[attribute.api_slug] = parse(attribute, value, resolve)
    return prepared


def refuse_if_asked(faults: Faults, raw: Mapping[str, Any]) -> None:
    """Refuse the write when the test told the simulator to refuse such records.

    Raises:
        AttioError: 400 with the test's message.
    """
    message = faults.refusal(dict(raw))
    if message is not None:
        raise bad_request("validation_type", message)


def check_required(container: Container, prepared: Prepared) -> None:
    """A new record or entry needs a value for every required attribute.

    Raises:
        AttioError: 400 ``missing_value``.
    """
    for attribute in container.attributes.values():
        if attribute.is_required and not prepared.get(attribute.api_slug):
            raise bad_request(
                "missing_value",
                f'Required value for attribute with ID "{attribute.id}" was not provided.',
            )


def check_unique(store: RecordStore, prepared: Prepared, itself: str | None) -> None:
    """No other record may hold a value of a unique attribute.

    Raises:
        AttioError: 409 ``uniqueness_conflict``.
    """
    for slug, payloads in prepared.items():
        attribute = store.object.attributes[slug]
        if not attribute.is_unique or not payloads:
            continue
        for payload in payloads:
            key = key_of(attribute, payload)
            others = [r for r in store.holding(attribute, [key]) if r.id != itself]
            if others:
                raise AttioError(
                    409,
                    "uniqueness_conflict",
                    f'The value "{_shown(payload)}" provided for attribute with slug "{slug}" '
                    f"is already used by record {others[0].id}; it must be unique.",
                )


def _shown(payload: Payload) -> str:
    for key in ("email_address", "domain", "phone_number", "value", "target_record_id"):
        if key in payload:
            return str(payload[key])
    return str(payload)


def apply(
    holder: Holder,
    container: Container,
    prepared: Prepared,
    now: float,
    *,
    append: frozenset[str] = frozenset(),
) -> None:
    """Write prepared values: attributes in ``append`` gain the new values (prepended, as
    Attio's PATCH does); the others are set to exactly the values given."""
    for slug, payloads in prepared.items():
        attribute = container.attributes[slug]
        current = holder.stored(slug)
        kept = {key_of(attribute, s.payload): s for s in current}
        if slug in append:
            fresh = [
                Stored(p, now, dict(API_ACTOR))
                for p in payloads
                if key_of(attribute, p) not in kept
            ]
            holder.values[slug] = [*fresh, *current]
        else:
            holder.values[slug] = [
                kept.get(key_of(attribute, p)) or Stored(p, now, dict(API_ACTOR)) for p in payloads
            ]


def create(
    store: RecordStore, raw: Mapping[str, Any], resolve: Resolve, faults: Faults, now: float
) -> Record:
    """``POST /v2/objects/{object}/records``: a new record, refusing unique conflicts."""
    prepared = prepare(store.object, raw, resolve)
    refuse_if_asked(faults, raw)
    check_required(store.object, prepared)
    check_unique(store, prepared, None)
    record = store.new(now)
    apply(record, store.object, prepared, now)
    return record


def assert_record(
    store: RecordStore,
    matching: str | None,
    raw: Mapping[str, Any],
    resolve: Resolve,
    faults: Faults,
    now: float,
) -> Record:
    """``PUT /v2/objects/{object}/records?matching_attribute=…``: update the record holding
    the matching value, or create one. A multiselect matching attribute gains the values sent;
    every other multiselect attribute is set to exactly the values sent."""
    attribute = store.object.attribute(matching or "")
    if attribute is None or attribute.is_archived:
        raise bad_request(
            "value_not_found",
            f'No attribute was found for matching_attribute slug/ID "{matching or ""}".',
        )
    if not attribute.is_unique:
        raise bad_request(
            "validation_type",
            f'The matching attribute "{attribute.api_slug}" is not unique; a record can only be '
            "asserted on a unique attribute.",
        )
    prepared = prepare(store.object, raw, resolve)
    keys = [key_of(attribute, p) for p in prepared.get(attribute.api_slug, [])]
    if not keys:
        raise bad_request(
            "missing_value",
            f'A value for the matching attribute "{attribute.api_slug}" must be provided.',
        )
    refuse_if_asked(faults, raw)
    matches = store.holding(attribute, keys)
    if len(matches) > 1:
        raise bad_request(
            "multiple_match_results",
            f'Multiple records were found for the matching attribute "{attribute.api_slug}". '
            "Please remove duplicates or use the update or create record endpoints instead.",
        )
    if not matches:
        check_required(store.object, prepared)
        check_unique(store, prepared, None)
        record = store.new(now)
        apply(record, store.object, prepared, now)
        return record
    record = matches[0]
    check_unique(store, prepared, record.id)
    append = frozenset({attribute.api_slug}) if attribute.is_multiselect else frozenset()
    apply(record, store.object, prepared, now, append=append)
    return record


def update(
    store: RecordStore,
    record_id: str,
    raw: Mapping[str, Any],
    resolve: Resolve,
    faults: Faults,
    now: float,
    *,
    append: bool,
) -> Record:
    """``PATCH`` (``append``: multiselect values are added) or ``PUT`` (overwritten) of the
    record ``record_id``."""
    record = store.records.get(record_id)
    if record is None:
        raise not_found(f'Record with ID "{record_id}" not found.')
    prepared = prepare(store.object, raw, resolve)
    refuse_if_asked(faults, raw)
    check_unique(store, prepared, record.id)
    multiselect = {s for s in prepared if store.object.attributes[s].is_multiselect}
    apply(record, store.object, prepared, now, append=frozenset(multiselect if append else ()))
    return record
