"""Links as Salesforce holds them: a contact's account is its ``AccountId`` lookup, one
account per contact, so linking again replaces it.

A link is an update of that field through the same sObject Collections call upserts use
(``PATCH /composite/sobjects`` with ``allOrNone: false``, 200 records a request), answered by
one ``SaveResult`` per record in the order sent. Salesforce refuses a link record by record;
the codes below say that the contact or the account named does not exist, which Cardfile
calls ``not_found``:

* ``ENTITY_IS_DELETED``: the contact is deleted (or in the recycle bin);
* ``INVALID_CROSS_REFERENCE_KEY``: ``AccountId`` names no account the org has (or one the user
  cannot see);
* ``MALFORMED_ID`` / ``INVALID_ID_FIELD``: an id that is not an id of a contact (``Id``) or of
  an account (``AccountId``) at all, which names no such record either.

Every other refusal (a validation rule, a locked row) keeps Salesforce's own code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from cardfile.connectors.base import Link, Outcome, RecordResult
from cardfile.connectors.errors import Action, VendorError

LINK_FIELDS: Mapping[tuple[str, str], str] = {("contacts", "companies"): "AccountId"}
"""The lookup field that holds each supported link, by (entity, target entity)."""

LINKS: Mapping[str, tuple[str, ...]] = {"contacts": ("companies",)}
"""``Capabilities.links``: what each entity can be linked to."""

NOT_FOUND = "not_found"
MISSING_CODES = frozenset(
    {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID", "INVALID_ID_FIELD"}
)


def unsupported(link: Link) -> RecordResult:
    """A link between entities Salesforce's connector cannot link."""
    pairs = ", ".join(f"{e} to {t}" for (e, t) in LINK_FIELDS)
    message = f"Salesforce cannot link {link.entity} to {link.target_entity} (it links {pairs})"
    return RecordResult.failed(VendorError(message, action=Action.REFUSE))


def unnamed(link: Link) -> RecordResult | None:
    """A link that names no record or no target (a blank ``AccountId`` would unlink the
    contact instead), refused without a request; None when both are named."""
    if not link.vendor_id.strip():
        return RecordResult.failed(VendorError("the link names no record", code=NOT_FOUND))
    if not link.target_id.strip():
        return RecordResult.failed(VendorError("the link names no target", code=NOT_FOUND))
    return None


def link_result(result: RecordResult, link: Link) -> RecordResult:
    """A link's result from its record's update: ``updated`` with the linked record's id as
    given, or failed, ``not_found`` where Salesforce says a record does not exist."""
    if result.outcome is not Outcome.FAILED:
        return RecordResult(Outcome.UPDATED, link.vendor_id)
    error = result.error
    if error is not None and error.code in MISSING_CODES:
        return RecordResult.failed(replace(error, code=NOT_FOUND, action=Action.REFUSE))
    return result


def record_key(vendor_id: str) -> str:
    """What identifies a record in its id: the first 15 characters (the 18-character form
    adds a checksum)."""
    return vendor_id.strip()[:15]
