"""The fields of a simulated Pipedrive company: persons, organizations and deals.

``GET /api/v2/personFields`` (and ``organizationFields``, ``dealFields``) lists each field as
``{field_name, field_code, field_type, options, subfields, is_custom_field,
is_optional_response_field}``. Standard fields keep Pipedrive's v1-era codes there (``email``,
``phone``) while the v2 write bodies name them in the plural (``emails``, ``phones``): each
field here says which body key, if any, writes it. Custom fields are keyed by a 40-character
hash, written under ``custom_fields``. Options of custom fields have integer ids; those of
built-in fields such as ``marketing_status`` have string ids, as the v2 description says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

KINDS = ("persons", "organizations", "deals")
"""The objects whose fields the simulator serves."""

SEARCHABLE_CUSTOM = frozenset(
    {"address", "varchar", "text", "varchar_auto", "double", "monetary", "phone"}
)
"""Custom field types the search endpoints look into (the v2 description's list)."""

CREATABLE_TYPES = frozenset(
    {
        "varchar", "text", "double", "phone", "date", "daterange", "time", "timerange", "set",
        "enum", "varchar_auto", "address", "monetary", "org", "people", "user",
    }
)  # fmt: skip
"""The custom field types ``POST /api/v2/{kind}Fields`` creates (the v2 description)."""


@dataclass
class FieldDef:
    """One field of an object.

    Attributes:
        code: ``field_code``: a standard field's name, or a custom field's 40-character hash.
        name: ``field_name``, the label people see.
        type: ``field_type``.
        body_key: The write body's key for it (None: Pipedrive computes it).
        custom: A user-created field, written under ``custom_fields``.
        required: ``required_fields.enabled``.
        options: The choices of an ``enum``, ``set``, ``status`` or ``visible_to`` field.
    """

    code: str
    name: str
    type: str
    body_key: str | None = None
    custom: bool = False
    required: bool = False
    options: list[dict[str, Any]] | None = None

    def option_ids(self) -> set[Any]:
        """The ids of the field's options."""
        return {option["id"] for option in self.options or []}

    def describe(self, *, with_required: bool) -> dict[str, Any]:
        """The field as ``GET /api/v2/{kind}Fields`` lists it."""
        described: dict[str, Any] = {
            "field_name": self.name,
            "field_code": self.code,
            "field_type": self.type,
            "options": [dict(o) for o in self.options] if self.options is not None else None,
            "subfields": _SUBFIELDS.get(self.type),
            "is_custom_field": self.custom,
            "is_optional_response_field": False,
        }
        if with_required:
            described["required_fields"] = {"enabled": self.required}
        return described


_SUBFIELDS: dict[str, list[dict[str, str]]] = {
    "monetary": [
        {"field_code": "value", "field_name": "Value", "field_type": "double"},
        {"field_code": "currency", "field_name": "Currency", "field_type": "varchar"},
    ],
    "address": [
        {"field_code": "value", "field_name": "Full address", "field_type": "varchar"},
        {"field_code": "locality", "field_name": "City", "field_type": "varchar"},
        {"field_code": "country", "field_name": "Country", "field_type": "varchar"},
        {"field_code": "postal_code", "field_name": "ZIP/Postal code", "field_type": "varchar"},
    ],
}


def field_hash(kind: str, name: str) -> str:
    """A custom field's 40-character key, stable across resets (Pipedrive's are random)."""
    return hashlib.sha1(f"{kind}:{name}".encode()).hexdigest()


@dataclass
class Schema:
    """Every object's fields, and the next custom option id."""

    fields: dict[str, list[FieldDef]]
    next_option: int = 100
    _by_code: dict[str, dict[str, FieldDef]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_code = {kind: {f.code: f for f in fs} for kind, fs in self.fields.items()}

    def field(self, kind: str, code: str) -> FieldDef | None:
        """A field of ``kind`` by its code."""
        return self._by_code[kind].get(code)

    def by_body_key(self, kind: str) -> dict[str, FieldDef]:
        """The writable standard fields of ``kind`` by their body key."""
        return {f.body_key: f for f in self.fields[kind] if f.body_key and not f.custom}

    def custom(self, kind: str) -> dict[str, FieldDef]:
        """The custom fields of ``kind`` by hash."""
        return {f.code: f for f in self.fields[kind] if f.custom}

    def add_field(self, kind: str, name: str, field_type: str, labels: list[str]) -> FieldDef:
        """Add a custom field (with options for an ``enum`` or ``set``)."""
        made = FieldDef(
            field_hash(kind, f"{name}#{len(self.fields[kind])}"), name, field_type, custom=True
        )
        self.fields[kind].append(made)
        self._by_code[kind][made.code] = made
        if labels:
            made.options = []
            self.add_options(kind, made.code, labels)
        return made

    def add_options(self, kind: str, code: str, labels: list[str]) -> list[dict[str, Any]]:
        """Add options to an ``enum`` or ``set`` field; the new options."""
        target = self._by_code[kind][code]
        added = []
        for label in labels:
            option = {"id": self.next_option, "label": label}
            self.next_option += 1
            added.append(option)
        target.options = [*(target.options or []), *added]
        return added


def _options(*labels: str, start: int) -> list[dict[str, Any]]:
    return [{"id": start + i, "label": label} for i, label in enumerate(labels)]


_VISIBLE_TO = [{"id": 1, "label": "Owner & followers"}, {"id": 3, "label": "Entire company"}]


def _persons() -> list[FieldDef]:
    return [
        FieldDef("name", "Name", "varchar", "name", required=True),
        FieldDef("first_name", "First name", "varchar"),
        FieldDef("last_name", "Last name", "varchar"),
        FieldDef("email", "Email", "varchar", "emails"),
        FieldDef("phone", "Phone", "phone", "phones"),
        FieldDef("org_id", "Organization", "org", "org_id"),
        FieldDef("owner_id", "Owner", "user", "owner_id"),
        FieldDef(
            "label_ids",
            "Labels",
            "set",
            "label_ids",
            options=_options("Customer", "Hot lead", "Warm lead", "Cold lead", start=1),
        ),
        FieldDef("visible_to", "Visible to", "visible_to", "visible_to", options=_VISIBLE_TO),
        FieldDef(
            "marketing_status",
            "Marketing status",
            "enum",
            "marketing_status",
            options=[
                {"id": "no_consent", "label": "No consent"},
                {"id": "unsubscribed", "label": "Unsubscribed"},
                {"id": "subscribed", "label": "Subscribed"},
                {"id": "archived", "label": "Archived"},
            ],
        ),
        FieldDef("job_title", "Job title", "varchar", "job_title"),
        FieldDef("birthday", "Birthday", "date", "birthday"),
        FieldDef("postal_address", "Postal address", "address", "postal_address"),
        FieldDef("notes", "Notes", "text", "notes"),
        FieldDef("add_time", "Person created", "date", "add_time"),
        FieldDef("update_time", "Update time", "date"),
        FieldDef(
            field_hash("persons", "Lead source"),
            "Lead source",
            "enum",
            custom=True,
            options=_options("Inbound", "Outbound", "Referral", start=11),
        ),
        FieldDef(
            field_hash("persons", "Interests"),
            "Interests",
            "set",
            custom=True,
            options=_options("Pricing", "Integrations", "Security", start=21),
        ),
        FieldDef(field_hash("persons", "Score"), "Score", "double", custom=True),
        FieldDef(field_hash("persons", "Cardfile id"), "Cardfile id", "varchar", custom=True),
        FieldDef(field_hash("persons", "First contact"), "First contact", "date", custom=True),
    ]


def _organizations() -> list[FieldDef]:
    return [
        FieldDef("name", "Name", "varchar", "name", required=True),
        FieldDef("owner_id", "Owner", "user", "owner_id"),
        FieldDef(
            "label_ids",
            "Labels",
            "set",
            "label_ids",
            options=_options("Customer", "Hot lead", "Warm lead", "Cold lead", start=5),
        ),
        FieldDef("visible_to", "Visible to", "visible_to", "visible_to", options=_VISIBLE_TO),
        FieldDef("address", "Address", "address", "address"),
        FieldDef("website", "Website", "varchar", "website"),
        FieldDef("linkedin", "LinkedIn profile", "varchar", "linkedin"),
        FieldDef(
            "industry",
            "Industry",
            "enum",
            "industry",
            options=_options("Software", "Manufacturing", "Retail", "Finance", start=31),
        ),
        FieldDef("annual_revenue", "Annual revenue", "int", "annual_revenue"),
        FieldDef("employee_count", "Number of employees", "int", "employee_count"),
        FieldDef("add_time", "Organization created", "date", "add_time"),
        FieldDef("update_time", "Update time", "date"),
        FieldDef(
            field_hash("organizations", "Tier"),
            "Tier",
            "enum",
            custom=True,
            options=_options("Gold", "Silver", "Bronze", start=41),
        ),
        FieldDef(field_hash("organizations", "Cardfile id"), "Cardfile id", "varchar", custom=True),
        FieldDef(field_hash("organizations", "Seats"), "Seats", "double", custom=True),
        FieldDef(
            field_hash("organizations", "Contract value"), "Contract value", "monetary", custom=True
        ),
    ]


def _deals() -> list[FieldDef]:
    return [
        FieldDef("title", "Title", "varchar", "title", required=True),
        FieldDef("value", "Value", "monetary", "value"),
        FieldDef("person_id", "Contact person", "people", "person_id"),
        FieldDef("org_id", "Organization", "org", "org_id"),
        FieldDef("stage_id", "Stage", "stage", "stage_id"),
        FieldDef(
            "status",
            "Status",
            "status",
            "status",
            options=[
                {"id": "open", "label": "Open"},
                {"id": "won", "label": "Won"},
                {"id": "lost", "label": "Lost"},
            ],
        ),
        FieldDef("expected_close_date", "Expected close date", "date", "expected_close_date"),
        FieldDef("probability", "Probability", "double", "probability"),
        FieldDef("owner_id", "Owner", "user", "owner_id"),
        FieldDef("add_time", "Deal created", "date"),
        FieldDef(
            field_hash("deals", "Deal source"),
            "Deal source",
            "enum",
            custom=True,
            options=_options("Web", "Event", "Partner", start=51),
        ),
    ]


def standard_schema() -> Schema:
    """A fresh company's fields, with a few custom ones of each kind."""
    return Schema({"persons": _persons(), "organizations": _organizations(), "deals": _deals()})
