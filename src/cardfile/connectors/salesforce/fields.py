"""Salesforce fields (``GET /sobjects/{SObject}/describe``) as Cardfile fields: the type table,
the derived "required" flag, uniqueness, read-only and picklist options.

Salesforce has no "required" flag: a field is required when a record cannot be created
without it, that is when it is createable, not nillable and not defaulted on create.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cardfile.connectors.base import Field
from cardfile.types import AttributeType, Option

_BY_TYPE = {
    "string": AttributeType.TEXT,
    "textarea": AttributeType.TEXT,
    "combobox": AttributeType.TEXT,
    "encryptedstring": AttributeType.TEXT,
    "id": AttributeType.TEXT,
    "email": AttributeType.EMAIL,
    "phone": AttributeType.PHONE_NUMBER,
    "url": AttributeType.TEXT,
    "boolean": AttributeType.CHECKBOX,
    "int": AttributeType.NUMBER,
    "long": AttributeType.NUMBER,
    "double": AttributeType.NUMBER,
    "percent": AttributeType.NUMBER,
    "currency": AttributeType.CURRENCY,
    "date": AttributeType.DATE,
    "datetime": AttributeType.TIMESTAMP,
    "picklist": AttributeType.SELECT,
    "multipicklist": AttributeType.MULTI_SELECT,
    "reference": AttributeType.RECORD_REFERENCE,
    "address": AttributeType.LOCATION,
}
# Standard fields whose meaning their type does not tell: a company's website is its domain,
# and the compound Name of people is a personal name.
_BY_NAME = {
    ("companies", "Website"): AttributeType.DOMAIN,
    ("leads", "Website"): AttributeType.DOMAIN,
    ("contacts", "Name"): AttributeType.PERSONAL_NAME,
    ("leads", "Name"): AttributeType.PERSONAL_NAME,
}
_WITH_OPTIONS = {AttributeType.SELECT, AttributeType.MULTI_SELECT}


def attribute_type(entity: str, field: dict[str, Any]) -> AttributeType | None:
    """The Cardfile type of a described field (None: no counterpart, such as ``base64``)."""
    named = _BY_NAME.get((entity, str(field.get("name"))))
    return named or _BY_TYPE.get(str(field.get("type") or ""))


def options(raw: Iterable[Any]) -> tuple[Option, ...]:
    """The active picklist values as options (labels trimmed, repeats told apart)."""
    made: list[Option] = []
    ids: set[str] = set()
    titles: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or item.get("active") is False:
            continue
        value = str(item.get("value") or "").strip()
        label = str(item.get("label") or "").strip() or value
        if not value or value in ids:
            continue
        title = label if label not in titles else f"{label} ({value})"
        if title in titles:
            continue
        ids.add(value)
        titles.add(title)
        made.append(Option(id=value, title=title))
    return tuple(made)


def is_required(field: dict[str, Any]) -> bool:
    """Salesforce refuses a new record without this field."""
    return (
        bool(field.get("createable"))
        and not field.get("nillable")
        and not field.get("defaultedOnCreate")
    )


def field_of(entity: str, field: dict[str, Any]) -> Field:
    """One described field as a :class:`~cardfile.connectors.base.Field`."""
    name = str(field["name"])
    kind = attribute_type(entity, field)
    writable = bool(field.get("createable")) or bool(field.get("updateable"))
    return Field(
        name=name,
        label=str(field.get("label") or name),
        type=kind,
        vendor_type=str(field.get("type") or ""),
        required=is_required(field),
        unique=bool(field.get("unique")) or field.get("type") == "id",
        multiple=kind is AttributeType.MULTI_SELECT,
        read_only=not writable or bool(field.get("calculated")),
        options=options(field.get("picklistValues") or []) if kind in _WITH_OPTIONS else (),
    )


def described(body: Any) -> dict[str, dict[str, Any]]:
    """The fields of a describe answer, by name."""
    raw = body.get("fields") if isinstance(body, dict) else None
    return {
        str(item["name"]): item for item in raw or [] if isinstance(item, dict) and item.get("name")
    }
