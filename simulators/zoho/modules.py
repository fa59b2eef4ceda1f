"""The simulated org's modules and their fields, as ``GET /crm/v8/settings/fields`` lists them.

Standard fields carry Zoho's API names (``Last_Name``, ``Account_Name``, ``Lead_Source``); a few
custom ones (``Cardfile_ID``, unique; ``Interests``, a multi-select) stand for what an admin
adds. ``system_mandatory`` is Zoho's "required"; ``unique`` is ``{}`` unless the field is
unique (``{"casesensitive": "false"}``). Each module also has its system duplicate-check field,
which upsert matches on when no ``duplicate_check_fields`` are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ORG_ID = "20099887766"
USER = {"name": "Casey Cardfile", "id": "6112000000111001", "email": "casey@example.com"}
PROFILES = [{"permission_type": "read_write", "name": "Administrator", "id": "6112000000015972"}]
_JSON_TYPES = {
    "text": "string",
    "textarea": "string",
    "email": "string",
    "phone": "string",
    "website": "string",
    "picklist": "string",
    "multiselectpicklist": "jsonarray",
    "integer": "integer",
    "bigint": "string",
    "double": "double",
    "currency": "double",
    "boolean": "boolean",
    "date": "string",
    "datetime": "string",
    "lookup": "jsonobject",
    "ownerlookup": "jsonobject",
    "autonumber": "string",
}


@dataclass(frozen=True)
class ZohoField:
    """One field of a module."""

    api_name: str
    label: str
    data_type: str
    mandatory: bool = False
    unique: bool = False
    custom: bool = False
    read_only: bool = False
    length: int = 255
    options: tuple[str, ...] = ()
    lookup: str | None = None  # the module a lookup points at
    number: int = 0  # the field's place, for its id

    def to_json(self, module_id: str) -> dict[str, Any]:
        """The field as Zoho's fields API lists it."""
        values = [
            {
                "display_value": value,
                "actual_value": value,
                "id": f"{module_id}9{self.number:03d}{index:03d}",
                "type": "used",
                "sequence_number": index + 1,
                "colour_code": None,
            }
            for index, value in enumerate(("-None-", *self.options) if self.options else ())
        ]
        lookup: dict[str, Any] = {}
        if self.lookup is not None:
            lookup = {
                "display_label": self.label,
                "api_name": None,
                "module": {"api_name": self.lookup, "id": None},
                "id": None,
                "query_details": {},
                "revalidate_filter_during_edit": False,
                "show_fields": [],
            }
        writable = not self.read_only
        return {
            "associated_module": None,
            "webhook": True,
            "operation_type": {
                "web_update": writable,
                "api_create": writable,
                "web_create": writable,
                "api_update": writable,
            },
            "colour_code_enabled_by_system": False,
            "field_label": self.label,
            "tooltip": None,
            "type": "used",
            "field_read_only": self.read_only,
            "customizable_properties": [] if self.read_only else ["mandatory", "unique"],
            "display_label": self.label,
            "read_only": self.read_only,
            "association_details": None,
            "businesscard_supported": False,
            "multi_module_lookup": {},
            "id": f"{module_id}{self.number:04d}",
            "created_time": None,
            "filterable": True,
            "visible": True,
            "profiles": PROFILES,
            "view_type": {
                "view": True,
                "edit": writable,
                "quick_create": False,
                "create": writable,
            },
            "separator": False,
            "searchable": True,
            "external": None,
            "api_name": self.api_name,
            "unique": {"casesensitive": "false"} if self.unique else {},
            "enable_colour_code": False,
            "pick_list_values": values,
            "system_mandatory": self.mandatory,
            "private": None,
            "virtual_field": False,
            "json_type": _JSON_TYPES[self.data_type],
            "crypt": None,
            "created_source": "custom" if self.custom else "default",
            "display_type": -1,
            "ui_type": 1,
            "modified_time": None,
            "email_parser": {
                "fields_update_supported": False,
                "record_operations_supported": False,
            },
            "currency": {},
            "custom_field": self.custom,
            "lookup": lookup,
            "hipaa_compliance": None,
            "convert_mapping": {"Contacts": None, "Deals": None, "Accounts": None},
            "rollup_summary": {},
            "length": self.length,
            "column_name": self.api_name.upper(),
            "display_field": self.api_name in {"Last_Name", "Account_Name", "Deal_Name"},
            "pick_list_values_sorted_lexically": False,
            "sortable": True,
            "history_tracking": None,
            "data_type": self.data_type,
            "formula": {},
            "additional_column": None,
            "hipaa_compliance_enabled": False,
            "decimal_place": 2 if self.data_type in {"currency", "double"} else None,
            "mass_update": writable,
            "multiselectlookup": {},
            "auto_number": {},
        }


@dataclass
class Module:
    """A module: its API name, id, fields, and the field upsert matches on by default."""

    api_name: str
    id: str
    duplicate_check: str
    fields: dict[str, ZohoField] = field(default_factory=dict)

    def unique_names(self) -> list[str]:
        """The fields upsert may match on: the system duplicate-check field, then unique ones."""
        found = [self.duplicate_check]
        found += [f.api_name for f in self.fields.values() if f.unique and f.api_name not in found]
        return found


def _numbered(fields: list[ZohoField]) -> dict[str, ZohoField]:
    return {
        f.api_name: ZohoField(**{**f.__dict__, "number": index + 1})
        for index, f in enumerate(fields)
    }


_SYSTEM = [
    ZohoField("Owner", "Owner", "ownerlookup"),
    ZohoField("Created_Time", "Created Time", "datetime", read_only=True),
    ZohoField("Modified_Time", "Modified Time", "datetime", read_only=True),
]
_LEAD_SOURCES = ("Advertisement", "Cold Call", "Employee Referral", "Partner", "Web Download")


def standard_modules() -> dict[str, Module]:
    """A fresh org's Contacts, Accounts, Leads, Deals and Campaigns."""
    contacts = [
        ZohoField("First_Name", "First Name", "text", length=40),
        ZohoField("Last_Name", "Last Name", "text", mandatory=True, length=80),
        ZohoField("Full_Name", "Full Name", "text", read_only=True),
        ZohoField("Email", "Email", "email", length=100),
        ZohoField("Phone", "Phone", "phone", length=30),
        ZohoField("Title", "Title", "text", length=100),
        ZohoField("Account_Name", "Account Name", "lookup", lookup="Accounts"),
        ZohoField("Lead_Source", "Lead Source", "picklist", options=_LEAD_SOURCES),
        ZohoField("Date_of_Birth", "Date of Birth", "date"),
        ZohoField("Email_Opt_Out", "Email Opt Out", "boolean"),
        ZohoField("Description", "Description", "textarea", length=32_000),
        ZohoField(
            "Interests",
            "Interests",
            "multiselectpicklist",
            custom=True,
            options=("Analytics", "Billing", "Support"),
        ),
        ZohoField("Cardfile_Score", "Cardfile Score", "integer", custom=True, length=9),
    ]
    accounts = [
        ZohoField("Account_Name", "Account Name", "text", mandatory=True, length=200),
        ZohoField("Website", "Website", "website", length=255),
        ZohoField("Phone", "Phone", "phone", length=30),
        ZohoField("Industry", "Industry", "picklist", options=("Consulting", "Retail", "Software")),
        ZohoField(
            "Account_Type", "Account Type", "picklist", options=("Customer", "Partner", "Prospect")
        ),
        ZohoField("Employees", "Employees", "integer", length=9),
        ZohoField("Annual_Revenue", "Annual Revenue", "currency", length=16),
        ZohoField("Billing_City", "Billing City", "text", length=30),
        ZohoField("Billing_Country", "Billing Country", "text", length=30),
        ZohoField("Cardfile_ID", "Cardfile ID", "text", unique=True, custom=True, length=100),
    ]
    leads = [
        ZohoField("First_Name", "First Name", "text", length=40),
        ZohoField("Last_Name", "Last Name", "text", mandatory=True, length=80),
        ZohoField("Email", "Email", "email", length=100),
        ZohoField("Company", "Company", "text", length=200),
        ZohoField("Lead_Status", "Lead Status", "picklist", options=("Contacted", "Not Contacted")),
        ZohoField("Lead_Source", "Lead Source", "picklist", options=_LEAD_SOURCES),
    ]
    deals = [
        ZohoField("Deal_Name", "Deal Name", "text", mandatory=True, length=120),
        ZohoField(
            "Stage",
            "Stage",
            "picklist",
            mandatory=True,
            options=("Qualification", "Negotiation/Review", "Closed Won", "Closed Lost"),
        ),
        ZohoField("Amount", "Amount", "currency", length=16),
        ZohoField("Closing_Date", "Closing Date", "date"),
        ZohoField("Account_Name", "Account Name", "lookup", lookup="Accounts"),
        ZohoField("Contact_Name", "Contact Name", "lookup", lookup="Contacts"),
    ]
    campaigns = [
        ZohoField("Campaign_Name", "Campaign Name", "text", mandatory=True, length=120),
        ZohoField("Type", "Type", "picklist", options=("Email", "Webinar", "Trade Show")),
        ZohoField("Status", "Status", "picklist", options=("Planning", "Active", "Complete")),
    ]
    made = {
        "Contacts": ("6112000000000100", "Email", contacts),
        "Accounts": ("6112000000000200", "Account_Name", accounts),
        "Leads": ("6112000000000300", "Email", leads),
        "Deals": ("6112000000000400", "Deal_Name", deals),
        "Campaigns": ("6112000000000500", "Campaign_Name", campaigns),
    }
    return {
        name: Module(name, module_id, key, _numbered([*fields, *_SYSTEM]))
        for name, (module_id, key, fields) in made.items()
    }


ENTITY_OF = {
    "Contacts": "contacts",
    "Accounts": "companies",
    "Leads": "leads",
    "Deals": "deals",
    "Campaigns": "campaigns",
}
"""Cardfile's entity names of the modules, for ``/_simulator/stats``."""
