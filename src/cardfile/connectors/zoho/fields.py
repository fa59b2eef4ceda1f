"""Zoho CRM fields as Cardfile fields: the type table, flags and picklist options.

Zoho's ``data_type`` says what a field holds. ``system_mandatory`` is its "required" (a
layout may require more, which only the layouts API says); ``unique`` is ``{}`` unless the
field is unique. Each module also has a system duplicate-check field that upsert matches on
although Zoho does not flag it unique (a contact's ``Email``, an account's ``Account_Name``):
those are reported unique here, since they are what records are matched by.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cardfile.connectors.base import Field
from cardfile.types import AttributeType, Option

DUPLICATE_CHECK = {
    "Contacts": "Email",
    "Accounts": "Account_Name",
    "Leads": "Email",
    "Deals": "Deal_Name",
    "Campaigns": "Campaign_Name",
}
"""Each module's system-defined duplicate-check field (Zoho's upsert documentation)."""

TYPES: dict[str, AttributeType | None] = {
    "text": AttributeType.TEXT,
    "textarea": AttributeType.TEXT,
    "autonumber": AttributeType.TEXT,
    "email": AttributeType.EMAIL,
    "phone": AttributeType.PHONE_NUMBER,
    "website": AttributeType.DOMAIN,
    "picklist": AttributeType.SELECT,
    "multiselectpicklist": AttributeType.MULTI_SELECT,
    "integer": AttributeType.NUMBER,
    "bigint": AttributeType.NUMBER,
    "double": AttributeType.NUMBER,
    "decimal": AttributeType.NUMBER,
    "percent": AttributeType.NUMBER,
    "currency": AttributeType.CURRENCY,
    "boolean": AttributeType.CHECKBOX,
    "date": AttributeType.DATE,
    "datetime": AttributeType.TIMESTAMP,
    "lookup": AttributeType.RECORD_REFERENCE,
    "ownerlookup": AttributeType.ACTOR_REFERENCE,
    "userlookup": AttributeType.ACTOR_REFERENCE,
}
"""Zoho's data types → Cardfile's (a type not listed — formula, subform, fileupload,
multiselectlookup, profileimage, … — has no counterpart)."""

_MULTIPLE = {"multiselectpicklist", "multiselectlookup", "multiuserlookup", "subform"}
_COMPUTED = {"autonumber", "formula", "rollup_summary"}
_NONE = "-None-"  # Zoho's empty choice, listed first in every picklist


def options(raw: Iterable[Any]) -> tuple[Option, ...]:
    """A picklist's used values as Cardfile options (Zoho's ``-None-`` and unused values
    left out, repeated titles kept once)."""
    made: list[Option] = []
    titles: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or item.get("type") == "unused":
            continue
        value = str(item.get("actual_value") or "").strip()
        title = str(item.get("display_value") or value).strip()
        if not value or value == _NONE or title.casefold() in titles:
            continue
        titles.add(title.casefold())
        made.append(Option(id=value, title=title))
    return tuple(made)


def field_of(module: str, raw: dict[str, Any]) -> Field:
    """One field, as ``GET /crm/v8/settings/fields?module=…`` lists it."""
    name = str(raw["api_name"])
    kind = str(raw.get("data_type") or "")
    operations = raw.get("operation_type")
    writable_by_api = not isinstance(operations, dict) or bool(
        operations.get("api_create") or operations.get("api_update")
    )
    return Field(
        name=name,
        label=str(raw.get("display_label") or raw.get("field_label") or name),
        type=TYPES.get(kind),
        vendor_type=kind,
        required=bool(raw.get("system_mandatory")),
        unique=bool(raw.get("unique")) or DUPLICATE_CHECK.get(module) == name,
        multiple=kind in _MULTIPLE,
        read_only=bool(raw.get("read_only")) or kind in _COMPUTED or not writable_by_api,
        options=options(raw.get("pick_list_values") or []),
    )


def fields_of(module: str, body: Any) -> list[Field]:
    """Every field of a fields answer (empty for Zoho's 204, a module without fields)."""
    found = body.get("fields") if isinstance(body, dict) else None
    return [
        field_of(module, raw)
        for raw in found or []
        if isinstance(raw, dict) and raw.get("api_name") and raw.get("visible", True)
    ]
