"""The modules' vardefs (field definitions) as Sugar's metadata API serves them, and the
language strings that give their labels and dropdown choices.

A vardef names its label by key (``vname``) and its dropdown by list name (``options``); the
words themselves live in ``mod_strings`` and ``app_list_strings`` of ``GET /lang/{language}``.
Custom fields end in ``_c``, as Studio names them. ``required`` is what the UI enforces:
Sugar's REST API stores a record without a required field.
"""

from __future__ import annotations

from typing import Any

Vardef = dict[str, Any]

ENTITIES = {
    "Accounts": "companies",
    "Contacts": "contacts",
    "Leads": "leads",
    "Opportunities": "deals",
}
"""The record modules the simulator keeps, by Cardfile's name for each."""

LINKABLE = {"accounts": "Accounts", "contacts": "Contacts", "leads": "Leads"}
"""A Target List's link names and the modules they relate."""


def _field(name: str, kind: str, vname: str, **more: Any) -> Vardef:
    return {"name": name, "vname": vname, "type": kind, **more}


_COMMON = [
    _field("id", "id", "LBL_ID", readonly=True),
    _field("date_entered", "datetime", "LBL_DATE_ENTERED", readonly=True),
    _field("date_modified", "datetime", "LBL_DATE_MODIFIED", readonly=True),
    _field("description", "text", "LBL_DESCRIPTION"),
    _field("assigned_user_id", "id", "LBL_ASSIGNED_TO_ID"),
]

_PERSON = [
    _field("salutation", "enum", "LBL_SALUTATION", options="salutation_dom", len=255),
    _field("first_name", "varchar", "LBL_FIRST_NAME", len=100),
    _field("last_name", "varchar", "LBL_LAST_NAME", len=100, required=True),
    _field("full_name", "fullname", "LBL_NAME", source="non-db", readonly=True),
    _field("title", "varchar", "LBL_TITLE", len=100),
    _field("email", "email", "LBL_EMAIL_ADDRESS", source="non-db"),
    _field("email1", "varchar", "LBL_EMAIL_ADDRESS", source="non-db"),
    _field("phone_work", "phone", "LBL_OFFICE_PHONE", len=100),
    _field("phone_mobile", "phone", "LBL_MOBILE_PHONE", len=100),
    _field("do_not_call", "bool", "LBL_DO_NOT_CALL", default=False),
    _field("birthdate", "date", "LBL_BIRTHDATE"),
    _field("lead_source", "enum", "LBL_LEAD_SOURCE", options="lead_source_dom", len=255),
    _field("primary_address_country", "varchar", "LBL_PRIMARY_ADDRESS_COUNTRY", len=255),
]

VARDEFS: dict[str, list[Vardef]] = {
    "Accounts": [
        *_COMMON,
        _field("name", "name", "LBL_NAME", len=150, required=True),
        _field("website", "url", "LBL_WEBSITE", len=255),
        _field("account_type", "enum", "LBL_TYPE", options="account_type_dom", len=50),
        _field("industry", "enum", "LBL_INDUSTRY", options="industry_dom", len=50),
        _field("annual_revenue", "varchar", "LBL_ANNUAL_REVENUE", len=100),
        _field("employees", "varchar", "LBL_EMPLOYEES", len=10),
        _field("phone_office", "phone", "LBL_PHONE_OFFICE", len=100),
        _field("email", "email", "LBL_EMAIL_ADDRESS", source="non-db"),
        _field("billing_address_city", "varchar", "LBL_BILLING_ADDRESS_CITY", len=100),
        _field("billing_address_country", "varchar", "LBL_BILLING_ADDRESS_COUNTRY", len=255),
        _field("tier_c", "enum", "LBL_TIER", options="tier_list", len=100),
        _field("segments_c", "multienum", "LBL_SEGMENTS", options="segment_list"),
        _field("cardfile_score_c", "int", "LBL_CARDFILE_SCORE", len=11),
    ],
    "Contacts": [
        *_COMMON,
        *_PERSON,
        _field("account_id", "relate", "LBL_ACCOUNT_ID", source="non-db", module="Accounts"),
        _field("account_name", "relate", "LBL_ACCOUNT_NAME", source="non-db", module="Accounts"),
        _field("portal_active", "bool", "LBL_PORTAL_ACTIVE", default=False),
        _field("interests_c", "multienum", "LBL_INTERESTS", options="segment_list"),
    ],
    "Leads": [
        *_COMMON,
        *_PERSON,
        _field("account_name", "varchar", "LBL_ACCOUNT_NAME", len=255),
        _field("status", "enum", "LBL_STATUS", options="lead_status_dom", len=100),
    ],
    "Opportunities": [
        *_COMMON,
        _field("name", "name", "LBL_OPPORTUNITY_NAME", len=50, required=True),
        _field("amount", "currency", "LBL_AMOUNT", required=True),
        _field("date_closed", "date", "LBL_DATE_CLOSED", required=True),
        _field("sales_stage", "enum", "LBL_SALES_STAGE", options="sales_stage_dom", len=255),
        _field("probability", "int", "LBL_PROBABILITY", len=3),
        _field("next_step", "varchar", "LBL_NEXT_STEP", len=100),
        _field("account_id", "relate", "LBL_ACCOUNT_ID", source="non-db", module="Accounts"),
    ],
    "ProspectLists": [
        *_COMMON,
        _field("name", "name", "LBL_NAME", len=50, required=True),
        _field("list_type", "enum", "LBL_TYPE", options="prospect_list_type_dom", len=100),
    ],
}

APP_LIST_STRINGS: dict[str, dict[str, str]] = {
    "salutation_dom": {"": "", "Mr.": "Mr.", "Ms.": "Ms.", "Mrs.": "Mrs.", "Dr.": "Dr."},
    "lead_source_dom": {
        "": "",
        "Cold Call": "Cold Call",
        "Existing Customer": "Existing Customer",
        "Web Site": "Web Site",
        "Email": "Email",
    },
    "account_type_dom": {
        "": "",
        "Analyst": "Analyst",
        "Competitor": "Competitor",
        "Customer": "Customer",
        "Partner": "Partner",
        "Prospect": "Prospect",
    },
    "industry_dom": {
        "": "",
        "Banking": "Banking",
        "Technology": "Technology",
        "Retail": "Retail",
        "Other": "Other",
    },
    "tier_list": {"": "", "gold": "Gold", "silver": "Silver", "bronze": "Bronze"},
    "segment_list": {"smb": "Small business", "mid": "Mid-market", "ent": "Enterprise"},
    "lead_status_dom": {
        "": "",
        "New": "New",
        "Assigned": "Assigned",
        "In Process": "In Process",
        "Converted": "Converted",
        "Dead": "Dead",
    },
    "sales_stage_dom": {
        "Prospecting": "Prospecting",
        "Qualification": "Qualification",
        "Proposal/Price Quote": "Proposal/Price Quote",
        "Closed Won": "Closed Won",
        "Closed Lost": "Closed Lost",
    },
    "prospect_list_type_dom": {"default": "Default", "seed": "Seed", "exempt": "Suppression"},
}

_LABELS = {
    "LBL_ID": "ID",
    "LBL_DATE_ENTERED": "Date Created",
    "LBL_DATE_MODIFIED": "Date Modified",
    "LBL_DESCRIPTION": "Description",
    "LBL_ASSIGNED_TO_ID": "Assigned User Id",
    "LBL_SALUTATION": "Salutation",
    "LBL_FIRST_NAME": "First Name",
    "LBL_LAST_NAME": "Last Name",
    "LBL_NAME": "Name",
    "LBL_TITLE": "Title",
    "LBL_EMAIL_ADDRESS": "Email Address",
    "LBL_OFFICE_PHONE": "Office Phone",
    "LBL_MOBILE_PHONE": "Mobile",
    "LBL_DO_NOT_CALL": "Do Not Call",
    "LBL_BIRTHDATE": "Birthdate",
    "LBL_LEAD_SOURCE": "Lead Source",
    "LBL_PRIMARY_ADDRESS_COUNTRY": "Primary Address Country",
    "LBL_WEBSITE": "Website",
    "LBL_TYPE": "Type",
    "LBL_INDUSTRY": "Industry",
    "LBL_ANNUAL_REVENUE": "Annual Revenue",
    "LBL_EMPLOYEES": "Employees",
    "LBL_PHONE_OFFICE": "Office Phone",
    "LBL_BILLING_ADDRESS_CITY": "Billing City",
    "LBL_BILLING_ADDRESS_COUNTRY": "Billing Country",
    "LBL_TIER": "Tier",
    "LBL_SEGMENTS": "Segments",
    "LBL_CARDFILE_SCORE": "Cardfile Score",
    "LBL_ACCOUNT_ID": "Account ID",
    "LBL_ACCOUNT_NAME": "Account Name",
    "LBL_PORTAL_ACTIVE": "Portal Active",
    "LBL_INTERESTS": "Interests",
    "LBL_STATUS": "Status",
    "LBL_OPPORTUNITY_NAME": "Opportunity Name",
    "LBL_AMOUNT": "Opportunity Amount",
    "LBL_DATE_CLOSED": "Expected Close Date",
    "LBL_SALES_STAGE": "Sales Stage",
    "LBL_PROBABILITY": "Probability (%)",
    "LBL_NEXT_STEP": "Next Step",
}


def vardefs(module: str) -> dict[str, Vardef]:
    """A module's vardefs by field name."""
    return {field["name"]: dict(field) for field in VARDEFS[module]}


def mod_strings(module: str) -> dict[str, str]:
    """The labels a module's vardefs name (every module shares the simulator's table)."""
    wanted = {field["vname"] for field in VARDEFS[module]}
    return {key: text for key, text in _LABELS.items() if key in wanted}
