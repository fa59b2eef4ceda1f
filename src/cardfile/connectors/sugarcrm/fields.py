"""Sugar vardefs as Cardfile fields: the type table, flags, labels and dropdown choices.

A vardef names its label by key (``vname``) and its choices by dropdown list name
(``options``); the words come from the language strings (``mod_strings`` of the module and
``app_list_strings``). Fields Sugar computes or keeps elsewhere (``source: non-db``, other
than the ``email`` and ``email1`` fields it writes through, ``readonly``, ``calculated``) are
read-only to Cardfile. Sugar has no unique flag: ``id`` is unique, and so is each match key
the connector offers, since an upsert matches the oldest record holding the value.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cardfile.connectors.base import Field
from cardfile.types import AttributeType, Option

TYPES: dict[str, AttributeType | None] = {
    "varchar": AttributeType.TEXT,
    "name": AttributeType.TEXT,
    "text": AttributeType.TEXT,
    "textarea": AttributeType.TEXT,
    "char": AttributeType.TEXT,
    "fullname": AttributeType.PERSONAL_NAME,
    "url": AttributeType.DOMAIN,
    "email": AttributeType.EMAIL,
    "phone": AttributeType.PHONE_NUMBER,
    "int": AttributeType.NUMBER,
    "decimal": AttributeType.NUMBER,
    "float": AttributeType.NUMBER,
    "currency": AttributeType.CURRENCY,
    "bool": AttributeType.CHECKBOX,
    "enum": AttributeType.SELECT,
    "radioenum": AttributeType.SELECT,
    "multienum": AttributeType.MULTI_SELECT,
    "date": AttributeType.DATE,
    "datetime": AttributeType.TIMESTAMP,
    "datetimecombo": AttributeType.TIMESTAMP,
    "relate": AttributeType.RECORD_REFERENCE,
    "id": None,
    "link": None,
    "image": None,
}
"""Sugar's vardef types → Cardfile's (None: no counterpart)."""

_WRITTEN_THROUGH = {"email", "email1"}  # non-db fields Sugar stores when they are sent
_ALWAYS_READ_ONLY = {"id", "date_entered", "date_modified", "deleted", "created_by"}
_WITH_OPTIONS = {AttributeType.SELECT, AttributeType.MULTI_SELECT}


def attribute_type(vardef: Mapping[str, Any]) -> AttributeType | None:
    """The Cardfile type of a vardef (an ``email1`` text field holds an email address)."""
    if vardef.get("name") == "email1":
        return AttributeType.EMAIL
    return TYPES.get(str(vardef.get("type")))


def options(dropdown: Any) -> tuple[Option, ...]:
    """A dropdown list as Cardfile options, leaving out the blank choice and any Cardfile
    could not tell apart (an empty or repeated label)."""
    made: list[Option] = []
    titles: set[str] = set()
    for key, label in dropdown.items() if isinstance(dropdown, dict) else ():
        value = str(key).strip()
        title = str(label or "").strip() or value
        if not value or value != str(key) or title.casefold() in titles:
            continue
        titles.add(title.casefold())
        made.append(Option(id=value, title=title))
    return tuple(made)


def field_of(
    vardef: Mapping[str, Any],
    labels: Mapping[str, Any],
    dropdowns: Mapping[str, Any],
    unique: Collection[str],
) -> Field:
    """One vardef as a :class:`~cardfile.connectors.base.Field`."""
    name = str(vardef["name"])
    kind = attribute_type(vardef)
    vname = str(vardef.get("vname") or "")
    label = str(labels.get(vname) or "").strip().rstrip(":") or name
    computed = vardef.get("source") == "non-db" and name not in _WRITTEN_THROUGH
    read_only = (
        computed
        or bool(vardef.get("readonly"))
        or bool(vardef.get("calculated"))
        or name in _ALWAYS_READ_ONLY
    )
    choices = options(dropdowns.get(str(vardef.get("options")))) if kind in _WITH_OPTIONS else ()
    return Field(
        name=name,
        label=label,
        type=kind,
        vendor_type=str(vardef.get("type")),
        required=bool(vardef.get("required")),
        unique=name == "id" or name in unique,
        multiple=kind is AttributeType.MULTI_SELECT or name == "email",
        read_only=read_only,
        options=choices,
    )


def fields_of(module: str, metadata: Any, language: Any, unique: Collection[str]) -> list[Field]:
    """Every field of ``module`` from a ``GET /metadata`` and a ``GET /lang/{language}`` answer."""
    modules = metadata.get("modules") if isinstance(metadata, dict) else None
    described = (modules or {}).get(module) or {}
    vardefs = described.get("fields") or {}
    strings = language if isinstance(language, dict) else {}
    labels = (strings.get("mod_strings") or {}).get(module) or {}
    dropdowns = strings.get("app_list_strings") or {}
    return [
        field_of(vardef, labels, dropdowns, unique)
        for vardef in vardefs.values()
        if isinstance(vardef, dict) and vardef.get("name") and vardef.get("type") != "link"
    ]
