"""Links: a record-reference attribute of one record pointed at another record.

Attio has no batch call, so each link is one
``PATCH /v2/objects/{object}/records/{record_id}`` with
``{"data": {"values": {<attribute>: [{"target_object", "target_record_id"}]}}}``. PATCH sets a
single-valued attribute to the target (replacing the record it named) and prepends the target
to a multiselect one, keeping the records already there (PUT would overwrite them).

Attio's description does not say whether a PATCH of a value a multiselect already holds adds
it a second time, so a multiselect link reads the record first (``GET``, from the read budget)
and writes nothing when the target is there: linking twice stays harmless however Attio
treats the repeat. Attio answers a target that does not exist with 400 ``value_not_found`` and
a record that does not exist with 404 ``not_found``; both fail the link as ``not_found``.
"""

from __future__ import annotations

from dataclasses import replace

from cardfile.connectors.attio.errors import for_records
from cardfile.connectors.attio.records import json_of, record_of, write_body
from cardfile.connectors.base import Link, Outcome, RecordResult
from cardfile.connectors.errors import Refused, RetryLater, VendorError
from cardfile.connectors.http import VendorClient

ATTRIBUTES: dict[tuple[str, str], tuple[str, bool]] = {
    ("people", "companies"): ("company", False),
    ("workspaces", "users"): ("users", True),
    ("workspaces", "companies"): ("company", False),
    ("users", "people"): ("person", False),
}
"""(entity, target entity) → the entity's record-reference attribute, and whether it holds
many targets."""

LINKS: dict[str, tuple[str, ...]] = {
    entity: tuple(target for (source, target) in ATTRIBUTES if source == entity)
    for entity, _ in ATTRIBUTES
}
"""The pairs as ``Capabilities.links`` lists them."""

NOT_FOUND = "not_found"
_MISSING_CODES = frozenset({"not_found", "value_not_found"})


def unsupported(link: Link) -> RecordResult | None:
    """The result of a link that cannot be sent (a pair Attio's standard objects do not link,
    a blank id), or None when it can."""
    if (link.entity, link.target_entity) not in ATTRIBUTES:
        pairs = ", ".join(f"{e} → {t}" for e, t in ATTRIBUTES)
        message = (
            f"Attio links {pairs}; not {link.entity} → {link.target_entity}"
            " (the connector knows no record-reference attribute for that pair)"
        )
        return RecordResult.failed(VendorError(message, code="unsupported_link"))
    if not link.vendor_id.strip() or not link.target_id.strip():
        message = f"the link {link.entity} {link.vendor_id!r} → {link.target_id!r} names no record"
        return RecordResult.failed(VendorError(message, code=NOT_FOUND))
    return None


def _held(body: object, attribute: str) -> set[str]:
    """The record ids an answered record's ``attribute`` references."""
    values = record_of(body).get("values")
    held = values.get(attribute) if isinstance(values, dict) else None
    items = held if isinstance(held, list) else []
    return {str(v.get("target_record_id")) for v in items if isinstance(v, dict)}


def _as_missing(error: VendorError) -> VendorError:
    """Attio's refusal, coded ``not_found`` where it says the record or target is missing."""
    return replace(error, code=NOT_FOUND) if error.code in _MISSING_CODES else error


async def make_link(client: VendorClient, link: Link) -> RecordResult:
    """Make one link (see the module): ``updated`` with the record's id, or ``failed``.

    Raises:
        ConnectorError: The connection is broken (a refused token, an object Attio lost).
    """
    attribute, many = ATTRIBUTES[(link.entity, link.target_entity)]
    path = f"/v2/objects/{link.entity}/records/{link.vendor_id}"
    target = {"target_object": link.target_entity, "target_record_id": link.target_id}
    try:
        if many and link.target_id in _held(json_of(await client.request("GET", path)), attribute):
            return RecordResult(Outcome.UPDATED, link.vendor_id)
        await client.request("PATCH", path, json=write_body({attribute: [target]}))
    except Refused as error:
        return RecordResult.failed(_as_missing(error.error))
    except RetryLater as error:
        return RecordResult.failed(for_records(error))
    return RecordResult(Outcome.UPDATED, link.vendor_id)
