"""Links as Pipedrive holds them: a person's organization is its ``org_id``, one organization
per person, so linking again replaces it.

Pipedrive has no batch update, so each link is one ``PATCH /api/v2/persons/{id}`` with
``{"org_id": <organization id>}`` (5 tokens), paced and retried like every other write. A
person that does not exist (or was deleted) is answered 404; an ``org_id`` naming no
organization is refused with a 400 saying so. Both fail that link alone as ``not_found``, in
Pipedrive's words. Ids are integers in Pipedrive: a link naming anything else fails as
``not_found`` without a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import httpx

from cardfile.connectors.base import Link, Outcome, RecordResult
from cardfile.connectors.errors import Action, Refused, RetryLater, VendorError
from cardfile.connectors.http import VendorClient

LINK_FIELDS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("contacts", "companies"): ("persons", "org_id")
}
"""The object and field holding each supported link, by (entity, target entity)."""

LINKS: Mapping[str, tuple[str, ...]] = {"contacts": ("companies",)}
"""``Capabilities.links``: what each entity can be linked to."""

NOT_FOUND = "not_found"
_MISSING_WORDS = ("does not exist", "not found")


def _not_found(message: str) -> RecordResult:
    return RecordResult.failed(VendorError(message, code=NOT_FOUND, action=Action.REFUSE))


def refusal(link: Link) -> RecordResult | None:
    """Why a link cannot be sent (a pair Pipedrive's connector does not link, an id that is no
    Pipedrive id), or None when it can."""
    if (link.entity, link.target_entity) not in LINK_FIELDS:
        pairs = ", ".join(f"{e} to {t}" for (e, t) in LINK_FIELDS)
        message = f"Pipedrive cannot link {link.entity} to {link.target_entity} (it links {pairs})"
        return RecordResult.failed(VendorError(message))
    for text, what in ((link.vendor_id, "person"), (link.target_id, "organization")):
        if not (text.strip().isascii() and text.strip().isdigit()):
            return _not_found(f"{text!r} is not the id of a Pipedrive {what}")
    return None


def _linked(response: httpx.Response, link: Link) -> RecordResult:
    try:
        body = response.json()
    except ValueError:
        body = None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or data.get("id") is None:
        return RecordResult.failed(VendorError("Pipedrive's answer carried no person"))
    return RecordResult(Outcome.UPDATED, link.vendor_id)


async def send(client: VendorClient, link: Link) -> RecordResult:
    """Make one link; its result (``not_found`` for a missing person or organization).

    Raises:
        ConnectionBroken: Pipedrive refused the token or a permission.
    """
    kind, field = LINK_FIELDS[(link.entity, link.target_entity)]
    path = f"/api/v2/{kind}/{link.vendor_id.strip()}"
    try:
        response = await client.request("PATCH", path, json={field: int(link.target_id)})
    except RetryLater as error:  # a passing fault or a rate limit outlasted the retries
        return RecordResult.failed(replace(error.error, action=Action.RETRY))
    except Refused as error:
        missing = error.status == 404 or (
            error.status == 400 and any(w in error.message.lower() for w in _MISSING_WORDS)
        )
        if missing:
            return RecordResult.failed(replace(error.error, code=NOT_FOUND))
        return RecordResult.failed(error.error)
    return _linked(response, link)
