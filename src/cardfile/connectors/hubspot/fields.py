"""HubSpot properties as Cardfile fields: the type table, uniqueness, read-only and options.

HubSpot's ``type`` says how a value is stored and ``fieldType`` how it is edited: an
``enumeration`` edited as ``checkbox`` holds several options (``a;b``), and a ``string``
edited as ``phonenumber`` holds a phone number. HubSpot has no "required" flag on properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cardfile.connectors.base import Field
from cardfile.types import AttributeType, Option

# Properties whose values identify one record although HubSpot does not flag them unique:
# the record id, and a contact's email (HubSpot refuses a second contact with the same one).
ALWAYS_UNIQUE = {"contacts": {"hs_object_id", "email"}, "companies": {"hs_object_id"}}

_BY_TYPE = {
    "string": AttributeType.TEXT,
    "number": AttributeType.NUMBER,
    "bool": AttributeType.CHECKBOX,
    "enumeration": AttributeType.SELECT,
    "date": AttributeType.DATE,
    "datetime": AttributeType.TIMESTAMP,
    "phone_number": AttributeType.PHONE_NUMBER,
}
_BY_NAME = {"email": AttributeType.EMAIL, "domain": AttributeType.DOMAIN}
_BY_TEXT_HINT = {
    "email": AttributeType.EMAIL,
    "domain_name": AttributeType.DOMAIN,
    "phone_number": AttributeType.PHONE_NUMBER,
}


def attribute_type(prop: dict[str, Any]) -> AttributeType | None:
    """The Cardfile type of a HubSpot property (None: no counterpart).

    Args:
        prop: One property as ``GET /crm/v3/properties/{objectType}`` lists it.
    """
    kind = str(prop.get("type") or "")
    field_type = str(prop.get("fieldType") or "")
    if field_type == "booleancheckbox":
        return AttributeType.CHECKBOX
    if kind == "enumeration" and field_type == "checkbox":
        return AttributeType.MULTI_SELECT
    if kind == "string":
        named = _BY_NAME.get(str(prop.get("name")))
        hinted = _BY_TEXT_HINT.get(str(prop.get("textDisplayHint") or ""))
        if named or hinted:
            return named or hinted
        if field_type == "phonenumber":
            return AttributeType.PHONE_NUMBER
    return _BY_TYPE.get(kind)


def options(raw: Iterable[Any]) -> tuple[Option, ...]:
    """A property's options as Cardfile options, skipping ones Cardfile could never match.

    HubSpot allows labels with stray spaces and repeated labels; Cardfile's options need
    trimmed, distinct titles, so a repeated label is told apart by its value.
    """
    made: list[Option] = []
    ids: set[str] = set()
    titles: set[str] = set()
    for item in raw:
        if not isinstance(item, dict):
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


def field_of(entity: str, prop: dict[str, Any]) -> Field:
    """One HubSpot property as a :class:`~cardfile.connectors.base.Field`."""
    name = str(prop["name"])
    kind = attribute_type(prop)
    metadata = prop.get("modificationMetadata") or {}
    choices = options(prop.get("options") or []) if kind in _WITH_OPTIONS else ()
    return Field(
        name=name,
        label=str(prop.get("label") or name),
        type=kind,
        vendor_type=f"{prop.get('type')}/{prop.get('fieldType')}",
        required=False,
        unique=bool(prop.get("hasUniqueValue")) or name in ALWAYS_UNIQUE.get(entity, set()),
        multiple=kind is AttributeType.MULTI_SELECT,
        read_only=bool(metadata.get("readOnlyValue")) or bool(prop.get("calculated")),
        options=choices,
    )


_WITH_OPTIONS = {AttributeType.SELECT, AttributeType.MULTI_SELECT}


def fields_of(entity: str, body: Any) -> list[Field]:
    """Every property of a ``GET /crm/v3/properties/{entity}`` answer, as fields."""
    results = body.get("results") if isinstance(body, dict) else None
    return [
        field_of(entity, prop)
        for prop in results or []
        if isinstance(prop, dict) and prop.get("name") and not prop.get("archived")
    ]
