"""Links as Zoho CRM holds them: a contact's account is its ``Account_Name`` lookup, one
account per contact, so linking again replaces it.

Links are record updates, ``PUT /crm/v8/Contacts`` with ``{"data": [{"id": <contact>,
"Account_Name": {"id": <account>}}]}``, 100 records a request (Zoho's cap), answered by one
item of ``data`` per record in input order (200 when all succeed, 207 when some do, 400 when
none do). Zoho refuses a record that does not exist with ``INVALID_DATA`` naming ``id`` in its
details (``the id given seems to be invalid``), and a lookup naming no account with
``INVALID_DATA`` naming ``Account_Name``: both fail that link as ``not_found``, in Zoho's
words. Zoho's ids are numbers; a link naming anything else fails as ``not_found`` without a
request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cardfile.connectors.base import Link, Outcome, RecordResult
from cardfile.connectors.errors import Action, VendorError
from cardfile.connectors.zoho.errors import message_of
from cardfile.connectors.zoho.search import record_id

LINK_FIELDS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("contacts", "companies"): ("Contacts", "Account_Name")
}
"""The module and lookup field holding each supported link, by (entity, target entity)."""

LINKS: Mapping[str, tuple[str, ...]] = {"contacts": ("companies",)}
"""``Capabilities.links``: what each entity can be linked to."""

NOT_FOUND = "not_found"


def refusal(link: Link) -> RecordResult | None:
    """Why a link cannot be sent (a pair the connector does not link, an id that is no Zoho
    id), or None when it can."""
    if (link.entity, link.target_entity) not in LINK_FIELDS:
        pairs = ", ".join(f"{e} to {t}" for (e, t) in LINK_FIELDS)
        message = f"Zoho CRM cannot link {link.entity} to {link.target_entity} (it links {pairs})"
        return RecordResult.failed(VendorError(message))
    for text, what in ((link.vendor_id, link.entity), (link.target_id, link.target_entity)):
        if not record_id(text.strip()):
            message = f"{text!r} is not the id of a Zoho CRM record of {what}"
            return RecordResult.failed(VendorError(message, code=NOT_FOUND))
    return None


def item_of(link: Link) -> dict[str, Any]:
    """The link as one record of an update's ``data``."""
    _, field = LINK_FIELDS[(link.entity, link.target_entity)]
    return {"id": link.vendor_id.strip(), field: {"id": link.target_id.strip()}}


def link_result(item: Any, link: Link, status: int) -> RecordResult:
    """One link's result from its item of the update's ``data``."""
    if not isinstance(item, dict):
        message = "Zoho's answer did not mention this record"
        return RecordResult.failed(VendorError(message, status))
    if item.get("status") == "success":
        return RecordResult(Outcome.UPDATED, link.vendor_id)
    code = str(item["code"]) if item.get("code") else None
    details = item.get("details")
    named = details.get("api_name") if isinstance(details, dict) else None
    _, field = LINK_FIELDS[(link.entity, link.target_entity)]
    if code == "INVALID_DATA" and named in ("id", field):
        code = NOT_FOUND  # the contact, or the account its lookup names, does not exist
    return RecordResult.failed(VendorError(message_of(item), status, code, Action.REFUSE))
