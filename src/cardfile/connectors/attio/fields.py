"""Attio attributes as Cardfile fields: the type table, flags and choices.

Cardfile's attribute types are named after Attio's, so the table is nearly one to one: a
select attribute that is multiselect becomes a multi-select, and ``interaction`` (email and
calendar activity Attio computes) has no counterpart. Options come from the attribute's
``/options`` (select) or ``/statuses`` (status); archived ones are left out, since Attio
refuses to write them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cardfile.connectors.base import Field
from cardfile.types import AttributeType, Option

TYPES: dict[str, AttributeType | None] = {
    "text": AttributeType.TEXT,
    "number": AttributeType.NUMBER,
    "checkbox": AttributeType.CHECKBOX,
    "currency": AttributeType.CURRENCY,
    "date": AttributeType.DATE,
    "timestamp": AttributeType.TIMESTAMP,
    "rating": AttributeType.RATING,
    "status": AttributeType.STATUS,
    "select": AttributeType.SELECT,
    "record-reference": AttributeType.RECORD_REFERENCE,
    "actor-reference": AttributeType.ACTOR_REFERENCE,
    "location": AttributeType.LOCATION,
    "domain": AttributeType.DOMAIN,
    "email-address": AttributeType.EMAIL,
    "phone-number": AttributeType.PHONE_NUMBER,
    "personal-name": AttributeType.PERSONAL_NAME,
    "interaction": None,
}
"""Attio's attribute type slugs → Cardfile's types (None: no counterpart)."""

WITH_CHOICES = {"select": "options", "status": "statuses"}
"""The attribute types whose choices are listed, and the path segment they are listed under."""


def attribute_type(attribute: dict[str, Any]) -> AttributeType | None:
    """The Cardfile type of an Attio attribute (None: no counterpart)."""
    kind = TYPES.get(str(attribute.get("type")))
    if kind is AttributeType.SELECT and attribute.get("is_multiselect"):
        return AttributeType.MULTI_SELECT
    return kind


def options(raw: Iterable[Any]) -> tuple[Option, ...]:
    """Select options or statuses as Cardfile options, skipping archived ones and any Cardfile
    could never tell apart (an empty title, a repeated one)."""
    made: list[Option] = []
    titles: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or item.get("is_archived"):
            continue
        title = str(item.get("title") or "").strip()
        ids = item.get("id")
        named = ids.get("option_id") or ids.get("status_id") if isinstance(ids, dict) else None
        key = str(named or title).strip()
        if not title or title.casefold() in titles:
            continue
        titles.add(title.casefold())
        made.append(Option(id=key, title=title))
    return tuple(made)


def field_of(attribute: dict[str, Any], choices: Iterable[Any] = ()) -> Field:
    """One attribute (as ``GET /v2/objects/{object}/attributes`` lists it) as a field."""
    slug = str(attribute["api_slug"])
    return Field(
        name=slug,
        label=str(attribute.get("title") or slug),
        type=attribute_type(attribute),
        vendor_type=str(attribute.get("type")),
        required=bool(attribute.get("is_required")),
        unique=bool(attribute.get("is_unique")),
        multiple=bool(attribute.get("is_multiselect")),
        read_only=not attribute.get("is_writable", True),
        options=options(choices),
    )


def listed(body: Any) -> list[dict[str, Any]]:
    """The items of a ``{"data": [...]}`` answer."""
    data = body.get("data") if isinstance(body, dict) else None
    return [item for item in data or [] if isinstance(item, dict)]


def live_attributes(body: Any) -> list[dict[str, Any]]:
    """The attributes of a ``GET …/attributes`` answer that are not archived."""
    return [a for a in listed(body) if a.get("api_slug") and not a.get("is_archived")]
