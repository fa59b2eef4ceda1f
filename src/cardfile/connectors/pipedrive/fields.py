"""Pipedrive fields as Cardfile fields, and the index that lets records name custom fields by
hash or by name.

``GET /api/v2/{person|organization|deal}Fields`` lists ``{field_code, field_name, field_type,
options, is_custom_field, required_fields}``. Standard fields keep their v1 codes there
(``email``, ``phone``) while v2 write bodies use the plural (``emails``, ``phones``): a field is
reported under the name a record writes it with. A standard field no write body takes
(``first_name``, ``update_time``) is read-only. Custom fields are named by their 40-character
hash; :class:`FieldIndex` also finds them by their label, and finds a select's option by label.

Pipedrive keeps no field unique. The connector keeps its match keys unique itself (an exact
search before every create), so those — ``emails`` of persons, ``name`` of organizations — are
reported unique, being what an upsert can match on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cardfile.connectors.base import Field
from cardfile.types import AttributeType, Option

OBJECTS = {"contacts": "persons", "companies": "organizations", "deals": "deals"}
"""Cardfile's entities → Pipedrive's objects."""

FIELDS_PATHS = {
    "persons": "/api/v2/personFields",
    "organizations": "/api/v2/organizationFields",
    "deals": "/api/v2/dealFields",
}

BODY_NAMES = {"email": "emails", "phone": "phones"}
"""Field codes whose v2 write body key differs."""

WRITABLE = {
    "persons": frozenset(
        {
            "name", "owner_id", "org_id", "add_time", "emails", "phones", "visible_to",
            "label_ids", "postal_address", "notes", "im", "birthday", "job_title",
            "marketing_status",
        }
    ),
    "organizations": frozenset(
        {
            "name", "owner_id", "add_time", "visible_to", "label_ids", "address", "website",
            "linkedin", "industry", "annual_revenue", "employee_count",
        }
    ),
    "deals": frozenset(
        {
            "title", "owner_id", "person_id", "org_id", "pipeline_id", "stage_id", "value",
            "currency", "status", "probability", "lost_reason", "visible_to", "close_time",
            "won_time", "lost_time", "expected_close_date", "label_ids",
        }
    ),
}  # fmt: skip
"""The standard keys of each object's v2 create and update bodies (the v2 description)."""

NATURAL_KEYS = {"persons": "emails", "organizations": "name"}
"""The field each object is matched on by default."""

MULTIPLE = frozenset({"emails", "phones", "im"})

TYPES: dict[str, AttributeType | None] = {
    "varchar": AttributeType.TEXT,
    "varchar_auto": AttributeType.TEXT,
    "text": AttributeType.TEXT,
    "int": AttributeType.NUMBER,
    "double": AttributeType.NUMBER,
    "boolean": AttributeType.CHECKBOX,
    "monetary": AttributeType.CURRENCY,
    "date": AttributeType.DATE,
    "enum": AttributeType.SELECT,
    "varchar_options": AttributeType.SELECT,
    "visible_to": AttributeType.SELECT,
    "set": AttributeType.MULTI_SELECT,
    "status": AttributeType.STATUS,
    "phone": AttributeType.PHONE_NUMBER,
    "address": AttributeType.LOCATION,
    "org": AttributeType.RECORD_REFERENCE,
    "people": AttributeType.RECORD_REFERENCE,
    "deal": AttributeType.RECORD_REFERENCE,
    "deals": AttributeType.RECORD_REFERENCE,
    "lead": AttributeType.RECORD_REFERENCE,
    "project": AttributeType.RECORD_REFERENCE,
    "user": AttributeType.ACTOR_REFERENCE,
    "time": None,
    "timerange": None,
    "daterange": None,
    "stage": None,
    "activity": None,
    "json": None,
    "picture": None,
    "price_list": None,
    "billing_frequency": None,
    "projects_board": None,
    "projects_phase": None,
}
"""Pipedrive's ``field_type`` values → Cardfile's types (None: no counterpart)."""

SEARCHABLE_CUSTOM = frozenset(
    {"address", "varchar", "text", "varchar_auto", "double", "monetary", "phone"}
)
"""Custom field types Pipedrive's search looks into (and so the connector can match on)."""

_HASH = re.compile(r"^[0-9a-f]{40}$")


def is_hash(key: str) -> bool:
    """Whether ``key`` looks like a custom field's 40-character key."""
    return bool(_HASH.match(key))


def body_name(code: str) -> str:
    """The write body's key of a field code."""
    return BODY_NAMES.get(code, code)


def options(raw: Any) -> tuple[Option, ...]:
    """A field's options as Cardfile options (ones with an empty or repeated label skipped)."""
    made: list[Option] = []
    seen: set[str] = set()
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        title = str(item.get("label") or "").strip()
        key = str(item.get("id") if item.get("id") is not None else "").strip()
        if not title or not key or title.casefold() in seen:
            continue
        seen.add(title.casefold())
        made.append(Option(id=key, title=title))
    return tuple(made)


def field_of(kind: str, raw: dict[str, Any]) -> Field:
    """One field (as the fields endpoint lists it) as a Cardfile field."""
    code = str(raw["field_code"])
    custom = bool(raw.get("is_custom_field"))
    name = code if custom else body_name(code)
    vendor_type = str(raw.get("field_type"))
    kind_type = TYPES.get(vendor_type)
    if name == "emails":
        kind_type = AttributeType.EMAIL
    required = raw.get("required_fields")
    return Field(
        name=name,
        label=str(raw.get("field_name") or code),
        type=kind_type,
        vendor_type=vendor_type,
        required=bool(isinstance(required, dict) and required.get("enabled")),
        unique=not custom and NATURAL_KEYS.get(kind) == name,
        multiple=vendor_type == "set" or name in MULTIPLE,
        read_only=not custom and name not in WRITABLE.get(kind, frozenset()),
        options=options(raw.get("options")),
    )


@dataclass
class FieldIndex:
    """One object's fields as listed, looked up the ways records name them."""

    kind: str
    raw: list[dict[str, Any]]
    _custom: dict[str, dict[str, Any]] = field(default_factory=dict)
    _by_label: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item in self.raw:
            if item.get("is_custom_field"):
                self._custom[str(item["field_code"])] = item
                label = str(item.get("field_name") or "").strip().casefold()
                self._by_label.setdefault(label, item)

    def fields(self) -> list[Field]:
        """Every field, as Cardfile fields."""
        return [field_of(self.kind, item) for item in self.raw]

    def custom(self, key: str) -> dict[str, Any] | None:
        """A custom field by its hash or its label (ignoring case)."""
        found = self._custom.get(key)
        if found is None:
            found = self._by_label.get(key.strip().casefold())
        return found

    def option_id(self, field_def: dict[str, Any], value: Any) -> Any:
        """The option id a select value means: an id as it is, a label as its option's id
        (ignoring case); anything else unchanged, for Pipedrive to refuse in its words."""
        listed = field_def.get("options") if isinstance(field_def.get("options"), list) else []
        ids = {o.get("id") for o in listed or [] if isinstance(o, dict)}
        if value in ids:
            return value
        text = str(value).strip()
        for option in listed or []:
            if isinstance(option, dict) and str(option.get("id")) == text:
                return option.get("id")
        for option in listed or []:
            if (
                isinstance(option, dict)
                and str(option.get("label", "")).casefold() == text.casefold()
            ):
                return option.get("id")
        return value


def select_values(index: FieldIndex, field_def: dict[str, Any], value: Any) -> Any:
    """A custom field's value with option labels turned into ids (``enum``: one; ``set``: a
    list)."""
    kind = field_def.get("field_type")
    if kind == "enum" and value is not None:
        return index.option_id(field_def, value)
    if kind == "set" and value is not None:
        items: Iterable[Any] = value if isinstance(value, list | tuple | set) else [value]
        return [index.option_id(field_def, item) for item in items]
    return value
