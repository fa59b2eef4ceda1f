"""HubSpot properties: the default ones of companies and contacts, custom ones created through
the API, and how a value written to each is checked and stored.

Values travel as strings. Numbers are kept as their text, booleans as ``true``/``false``,
dates as ``YYYY-MM-DD``, datetimes as ISO 8601 with milliseconds, multi-select
(``enumeration``/``checkbox``) values joined with ``;``.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from simulators.hubspot.errors import Refusal, invalid_value, whole_number

OBJECT_TYPE_IDS = {"contacts": "0-1", "companies": "0-2"}
LAST_MODIFIED = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate"}
# What a read returns when it names no properties (HubSpot's defaults per object).
DEFAULT_READ = {
    "contacts": (
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
}
MAX_UNIQUE_PROPERTIES = 10

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TYPES = {"string", "number", "bool", "enumeration", "date", "datetime", "phone_number"}
_FIELD_TYPES = {
    "string": {"text", "textarea", "html", "file", "phonenumber", "calculation_equation"},
    "number": {"number", "calculation_equation"},
    "bool": {"booleancheckbox", "calculation_equation"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox", "calculation_equation"},
    "date": {"date", "calculation_equation"},
    "datetime": {"date", "calculation_equation"},
    "phone_number": {"phonenumber"},
}
_MS_PER_DAY = 86_400_000


@dataclass(frozen=True)
class Choice:
    """One option of an enumeration property."""

    value: str
    label: str
    display_order: int = 0

    def to_json(self) -> dict[str, Any]:
        """The option as HubSpot lists it."""
        return {
            "label": self.label,
            "value": self.value,
            "hidden": False,
            "displayOrder": self.display_order,
            "description": "",
        }


@dataclass
class Property:
    """One property of an object, default or custom."""

    name: str
    label: str
    type: str
    field_type: str
    group: str
    description: str = ""
    options: tuple[Choice, ...] = ()
    unique: bool = False
    read_only: bool = False
    calculated: bool = False
    hubspot_defined: bool = True
    number_hint: str | None = None
    display_order: int = -1
    created_at: str = field(default_factory=lambda: iso(now_ms()))

    @property
    def multiple(self) -> bool:
        """Whether a value may hold several options (``;``-separated)."""
        return self.type == "enumeration" and self.field_type == "checkbox"

    def to_json(self) -> dict[str, Any]:
        """The property as ``GET /crm/v3/properties/{objectType}`` lists it."""
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group,
            "options": [choice.to_json() for choice in self.options],
            "displayOrder": self.display_order,
            "calculated": self.calculated,
            "externalOptions": False,
            "hasUniqueValue": self.unique,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only,
            },
            "formField": not self.read_only,
            "dataSensitivity": "non_sensitive",
            "archived": False,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
        }
        if self.number_hint is not None:
            body["numberDisplayHint"] = self.number_hint
        return body


def now_ms() -> int:
    """The current time in epoch milliseconds, HubSpot's unit."""
    return int(time.time() * 1000)


def iso(ms: int) -> str:
    """Epoch milliseconds as HubSpot writes datetimes (``2024-08-15T17:09:13.648Z``)."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def to_ms(text: str) -> int | None:
    """Epoch milliseconds from either form HubSpot accepts (digits or ISO 8601)."""
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _text(name: str, label: str, group: str, field_type: str = "text") -> Property:
    return Property(name, label, "string", field_type, group)


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label, order) for order, (value, label) in enumerate(pairs))


_LIFECYCLE = _choices(
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
)


def _system(group: str, modified: str) -> list[Property]:
    return [
        Property("hs_object_id", "Record ID", "number", "number", group, read_only=True),
        Property("createdate", "Create Date", "datetime", "date", group, read_only=True),
        Property(modified, "Last Modified Date", "datetime", "date", group, read_only=True),
    ]


def _contact_properties() -> list[Property]:
    group = "contactinformation"
    return [
        _text("email", "Email", group),
        _text("firstname", "First Name", group),
        _text("lastname", "Last Name", group),
        _text("phone", "Phone Number", group, "phonenumber"),
        _text("mobilephone", "Mobile Phone Number", group, "phonenumber"),
        _text("company", "Company Name", group),
        _text("jobtitle", "Job Title", group),
        _text("website", "Website URL", group),
        _text("address", "Street Address", group),
        _text("city", "City", group),
        _text("state", "State/Region", group),
        _text("zip", "Postal Code", group),
        _text("country", "Country/Region", group),
        Property(
            "lifecyclestage", "Lifecycle Stage", "enumeration", "radio", group, options=_LIFECYCLE
        ),
        Property(
            "hs_lead_status",
            "Lead Status",
            "enumeration",
            "radio",
            "sales_properties",
            options=_choices(
                ("NEW", "New"),
                ("OPEN", "Open"),
                ("IN_PROGRESS", "In Progress"),
                ("OPEN_DEAL", "Open Deal"),
                ("UNQUALIFIED", "Unqualified"),
                ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
                ("CONNECTED", "Connected"),
                ("BAD_TIMING", "Bad Timing"),
            ),
        ),
        Property(
            "hs_buying_role",
            "Buying Role",
            "enumeration",
            "checkbox",
            "sales_properties",
            options=_choices(
                ("BLOCKER", "Blocker"),
                ("BUDGET_HOLDER", "Budget Holder"),
                ("CHAMPION", "Champion"),
                ("DECISION_MAKER", "Decision Maker"),
                ("END_USER", "End User"),
                ("EXECUTIVE_SPONSOR", "Executive Sponsor"),
                ("INFLUENCER", "Influencer"),
                ("LEGAL_AND_COMPLIANCE", "Legal & Compliance"),
                ("OTHER", "Other"),
            ),
        ),
        Property(
            "hs_sequences_is_enrolled",
            "Currently in Sequence",
            "bool",
            "booleancheckbox",
            "sales_properties",
            options=_choices(("true", "Yes"), ("false", "No")),
            read_only=True,
            calculated=True,
        ),
        *_system(group, "lastmodifieddate"),
    ]


def _company_properties() -> list[Property]:
    group = "companyinformation"
    return [
        _text("name", "Company name", group),
        _text("domain", "Company Domain Name", group),
        _text("website", "Website URL", group),
        _text("phone", "Phone Number", group, "phonenumber"),
        _text("address", "Street Address", group),
        _text("city", "City", group),
        _text("state", "State/Region", group),
        _text("zip", "Postal Code", group),
        _text("country", "Country/Region", group),
        _text("description", "Description", group, "textarea"),
        _text("founded_year", "Year Founded", group),
        Property(
            "industry",
            "Industry",
            "enumeration",
            "select",
            group,
            options=_choices(
                ("ACCOUNTING", "Accounting"),
                ("BANKING", "Banking"),
                ("COMPUTER_SOFTWARE", "Computer Software"),
                ("CONSTRUCTION", "Construction"),
                ("EDUCATION_MANAGEMENT", "Education Management"),
                ("FINANCIAL_SERVICES", "Financial Services"),
                ("HOSPITAL_HEALTH_CARE", "Hospital & Health Care"),
                ("INFORMATION_TECHNOLOGY_AND_SERVICES", "Information Technology and Services"),
                ("RETAIL", "Retail"),
                ("TELECOMMUNICATIONS", "Telecommunications"),
            ),
        ),
        Property(
            "type",
            "Type",
            "enumeration",
            "select",
            group,
            options=_choices(
                ("PROSPECT", "Prospect"),
                ("PARTNER", "Partner"),
                ("RESELLER", "Reseller"),
                ("VENDOR", "Vendor"),
                ("OTHER", "Other"),
            ),
        ),
        Property(
            "lifecyclestage", "Lifecycle Stage", "enumeration", "radio", group, options=_LIFECYCLE
        ),
        Property("numberofemployees", "Number of Employees", "number", "number", group),
        Property(
            "annualrevenue",
            "Annual Revenue",
            "number",
            "number",
            group,
            number_hint="currency",
        ),
        Property(
            "is_public",
            "Is Public",
            "bool",
            "booleancheckbox",
            group,
            options=_choices(("true", "Yes"), ("false", "No")),
        ),
        *_system(group, "hs_lastmodifieddate"),
    ]


def default_properties(object_type: str) -> dict[str, Property]:
    """The properties HubSpot defines for ``object_type``, by name."""
    made = _contact_properties() if object_type == "contacts" else _company_properties()
    for order, prop in enumerate(made):
        prop.display_order = order
    return {prop.name: prop for prop in made}


def create_property(body: Any, existing: dict[str, Property]) -> Property:
    """A custom property from a ``PropertyCreate`` body.

    Raises:
        Refusal: The body is not a property HubSpot would create (409 if the name is taken).
    """
    if not isinstance(body, dict):
        raise Refusal(400, "Invalid input JSON: expected an object")
    missing = [
        key for key in ("name", "label", "type", "fieldType", "groupName") if not body.get(key)
    ]
    if missing:
        raise Refusal(400, f"Missing required fields: {', '.join(missing)}")
    name, kind, field_type = str(body["name"]), str(body["type"]), str(body["fieldType"])
    if name in existing:
        raise Refusal(409, f"Property named '{name}' already exists.", "OBJECT_ALREADY_EXISTS")
    if not _NAME.match(name):
        raise Refusal(400, f"Property name '{name}' must be lowercase letters, digits and _")
    if kind not in _TYPES:
        raise Refusal(400, f"Unknown property type '{kind}'")
    if field_type not in _FIELD_TYPES[kind]:
        raise Refusal(400, f"fieldType '{field_type}' is not valid for properties of type '{kind}'")
    unique = bool(body.get("hasUniqueValue", False))
    if unique and sum(p.unique for p in existing.values()) >= MAX_UNIQUE_PROPERTIES:
        raise Refusal(400, f"An object may have at most {MAX_UNIQUE_PROPERTIES} unique properties")
    options: list[Choice] = []
    for order, raw in enumerate(body.get("options") or []):
        if not isinstance(raw, dict) or not raw.get("value") or not raw.get("label"):
            raise Refusal(400, "Each option needs a label and a value")
        shown = whole_number(raw.get("displayOrder"), "displayOrder", order)
        options.append(Choice(str(raw["value"]), str(raw["label"]), shown))
    if kind == "enumeration" and not options:
        raise Refusal(400, "Enumeration properties need at least one option")
    return Property(
        name,
        str(body["label"]),
        kind,
        field_type,
        str(body["groupName"]),
        description=str(body.get("description") or ""),
        options=tuple(options),
        unique=unique,
        hubspot_defined=False,
        display_order=whole_number(body.get("displayOrder"), "displayOrder", -1),
    )


def plain(raw: Any) -> str | None:
    """A JSON value as the string HubSpot stores (None: a cleared value)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, int | float):
        return str(raw)
    text = str(raw) if not isinstance(raw, str) else raw
    return None if text == "" else text


def check_value(
    object_type: str, prop: Property, raw: Any
) -> tuple[str | None, dict[str, Any] | None]:
    """The value to store for ``raw``, or the item that refuses it.

    Returns:
        ``(value, None)`` when accepted (``value`` None clears the property), else
        ``(None, item)`` with HubSpot's refusal item for this property.
    """
    name = prop.name
    if prop.read_only:
        return None, invalid_value(
            name, f'"{name}" is a read only property; its value cannot be set.', "READ_ONLY_VALUE"
        )
    text = plain(raw)
    if text is None:
        return None, None
    if object_type == "contacts" and name == "email":
        if not _EMAIL.match(text.strip()):
            return None, invalid_value(name, f"Email address {text} is invalid", "INVALID_EMAIL")
        return text.strip().lower(), None
    match prop.type:
        case "number":
            return _number(name, text)
        case "bool":
            return _boolean(name, text)
        case "enumeration":
            return _enumeration(prop, text)
        case "date":
            return _date(name, text)
        case "datetime":
            ms = to_ms(text)
            if ms is None:
                return None, invalid_value(
                    name, f"{text} is not a valid datetime", "INVALID_DATETIME"
                )
            return iso(ms), None
    return text, None


def _number(name: str, text: str) -> tuple[str | None, dict[str, Any] | None]:
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return None, invalid_value(name, f"{text} was not a valid number.", "INVALID_INTEGER")
    return text.strip(), None


def _boolean(name: str, text: str) -> tuple[str | None, dict[str, Any] | None]:
    lowered = text.strip().lower()
    if lowered not in {"true", "false"}:
        return None, invalid_value(name, f"{text} was not a valid boolean.", "INVALID_BOOLEAN")
    return lowered, None


def _enumeration(prop: Property, text: str) -> tuple[str | None, dict[str, Any] | None]:
    allowed = [choice.value for choice in prop.options]
    chosen = [part for part in text.split(";") if part] if prop.multiple else [text]
    for value in chosen:
        if value not in allowed:
            message = f"{value} was not one of the allowed options: [{', '.join(allowed)}]"
            return None, invalid_value(prop.name, message, "INVALID_OPTION")
    return ";".join(chosen), None


def _date(name: str, text: str) -> tuple[str | None, dict[str, Any] | None]:
    stripped = text.strip()
    try:
        return date.fromisoformat(stripped).isoformat(), None
    except ValueError:
        pass
    ms = to_ms(stripped)
    if ms is None:
        return None, invalid_value(name, f"{text} is not a valid date", "INVALID_DATE")
    if ms % _MS_PER_DAY:
        message = f"{text} is not a valid date; date values must be midnight UTC"
        return None, invalid_value(name, message, "INVALID_DATE")
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat(), None
