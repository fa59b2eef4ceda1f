"""The simulated org's schema: a few standard objects with their standard fields and some
custom ones, described as ``GET /sobjects/{SObject}/describe`` answers them.

Each field carries the describe flags Salesforce reports (``nillable``, ``createable``,
``updateable``, ``defaultedOnCreate``, ``unique``, ``externalId``, ``idLookup``, ``custom``,
``calculated``); Salesforce has no "required" flag, so a client derives it from those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Three-character key prefixes Salesforce gives each object's record ids.
PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Lead": "00Q",
    "Campaign": "701",
    "CampaignMember": "00v",
    "User": "005",
}
# Cardfile's entity names for the objects the conformance suite counts by.
ENTITIES = {"Account": "companies", "Contact": "contacts", "Lead": "leads", "Opportunity": "deals"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of an object, with the describe flags Salesforce reports."""

    name: str
    label: str
    type: str
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted: bool = False
    unique: bool = False
    external_id: bool = False
    id_lookup: bool = False
    custom: bool = False
    calculated: bool = False
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        """The field as the describe answer lists it."""
        numeric = self.type in _NUMERIC
        return {
            "aggregatable": self.type not in ("textarea", "multipicklist"),
            "aiPredictionField": False,
            "autoNumber": False,
            "byteLength": self.length * 3 if self.type in _TEXTUAL else 0,
            "calculated": self.calculated,
            "calculatedFormula": None,
            "cascadeDelete": False,
            "caseSensitive": False,
            "compoundFieldName": None,
            "controllerName": None,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": None,
            "defaultValueFormula": None,
            "defaultedOnCreate": self.defaulted,
            "dependentPicklist": False,
            "deprecatedAndHidden": False,
            "digits": 9 if self.type == "int" else 0,
            "displayLocationInDecimal": False,
            "encrypted": False,
            "externalId": self.external_id,
            "extraTypeInfo": None,
            "filterable": self.type != "textarea",
            "filteredLookupInfo": None,
            "groupable": self.type not in ("textarea", "double", "currency", "percent"),
            "highScaleNumber": False,
            "htmlFormatted": False,
            "idLookup": self.id_lookup,
            "inlineHelpText": None,
            "label": self.label,
            "length": self.length if self.type in _TEXTUAL else 0,
            "mask": None,
            "maskType": None,
            "name": self.name,
            "nameField": self.name == "Name",
            "namePointing": False,
            "nillable": self.nillable,
            "permissionable": self.nillable and not self.calculated and self.type != "id",
            "polymorphicForeignKey": False,
            "picklistValues": [
                {
                    "active": True,
                    "defaultValue": index == 0 and self.defaulted,
                    "label": value,
                    "validFor": None,
                    "value": value,
                }
                for index, value in enumerate(self.picklist)
            ],
            "precision": 18 if numeric and self.type != "int" else 0,
            "queryByDistance": False,
            "referenceTargetField": None,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.name[:-2] if self.type == "reference" else None,
            "relationshipOrder": None,
            "restrictedDelete": False,
            "restrictedPicklist": self.restricted,
            "searchPrefilterable": False,
            "scale": 2 if self.type in ("currency", "percent") else 0,
            "soapType": _SOAP_TYPES.get(self.type, "xsd:string"),
            "sortable": self.type not in ("textarea", "multipicklist"),
            "type": self.type,
            "unique": self.unique,
            "updateable": self.updateable,
            "writeRequiresMasterRead": False,
        }


_TEXTUAL = {
    "string",
    "textarea",
    "phone",
    "url",
    "email",
    "picklist",
    "multipicklist",
    "id",
    "reference",
    "combobox",
}
_NUMERIC = {"int", "double", "currency", "percent"}
_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


def _system(prefix_label: str) -> list[FieldSpec]:
    """The fields every object has: its id, owner-free timestamps."""
    return [
        FieldSpec(
            "Id",
            f"{prefix_label} ID",
            "id",
            18,
            nillable=False,
            createable=False,
            updateable=False,
            defaulted=True,
            id_lookup=True,
        ),
        FieldSpec(
            "CreatedDate",
            "Created Date",
            "datetime",
            createable=False,
            updateable=False,
            nillable=False,
            defaulted=True,
        ),
        FieldSpec(
            "LastModifiedDate",
            "Last Modified Date",
            "datetime",
            createable=False,
            updateable=False,
            nillable=False,
            defaulted=True,
        ),
        FieldSpec(
            "SystemModstamp",
            "System Modstamp",
            "datetime",
            createable=False,
            updateable=False,
            nillable=False,
            defaulted=True,
        ),
    ]


_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
_ACCOUNT = [
    *_system("Account"),
    FieldSpec("Name", "Account Name", "string", 255, nillable=False, id_lookup=True),
    FieldSpec("Website", "Website", "url", 255),
    FieldSpec("Phone", "Account Phone", "phone", 40),
    FieldSpec(
        "Industry",
        "Industry",
        "picklist",
        255,
        picklist=("Agriculture", "Banking", "Education", "Manufacturing", "Technology"),
    ),
    FieldSpec(
        "Type",
        "Account Type",
        "picklist",
        255,
        picklist=("Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"),
    ),
    FieldSpec("AnnualRevenue", "Annual Revenue", "currency"),
    FieldSpec("NumberOfEmployees", "Employees", "int"),
    FieldSpec("Description", "Account Description", "textarea", 32000),
    FieldSpec(
        "Cardfile_Id__c",
        "Cardfile Id",
        "string",
        80,
        unique=True,
        external_id=True,
        id_lookup=True,
        custom=True,
    ),
    FieldSpec(
        "Tier__c",
        "Tier",
        "picklist",
        255,
        custom=True,
        restricted=True,
        picklist=("Gold", "Silver", "Bronze"),
    ),
]
_CONTACT = [
    *_system("Contact"),
    FieldSpec("FirstName", "First Name", "string", 40),
    FieldSpec("LastName", "Last Name", "string", 80, nillable=False),
    FieldSpec(
        "Name",
        "Full Name",
        "string",
        121,
        nillable=False,
        createable=False,
        updateable=False,
        calculated=True,
        id_lookup=True,
    ),
    FieldSpec("Email", "Email", "email", 80, id_lookup=True),
    FieldSpec("Phone", "Business Phone", "phone", 40),
    FieldSpec("Title", "Title", "string", 128),
    FieldSpec("AccountId", "Account ID", "reference", 18, reference_to=("Account",)),
    FieldSpec("LeadSource", "Lead Source", "picklist", 255, picklist=_SOURCES),
    FieldSpec("HasOptedOutOfEmail", "Email Opt Out", "boolean", nillable=False, defaulted=True),
    FieldSpec("Birthdate", "Birthdate", "date"),
    FieldSpec(
        "Cardfile_Id__c",
        "Cardfile Id",
        "string",
        80,
        unique=True,
        external_id=True,
        id_lookup=True,
        custom=True,
    ),
    FieldSpec("Score__c", "Score", "double", custom=True),
    FieldSpec(
        "Interests__c",
        "Interests",
        "multipicklist",
        4099,
        custom=True,
        restricted=True,
        picklist=("Product", "Pricing", "Events"),
    ),
]
_LEAD = [
    *_system("Lead"),
    FieldSpec("FirstName", "First Name", "string", 40),
    FieldSpec("LastName", "Last Name", "string", 80, nillable=False),
    FieldSpec(
        "Name",
        "Full Name",
        "string",
        121,
        nillable=False,
        createable=False,
        updateable=False,
        calculated=True,
        id_lookup=True,
    ),
    FieldSpec("Company", "Company", "string", 255, nillable=False),
    FieldSpec("Email", "Email", "email", 80, id_lookup=True),
    FieldSpec("Phone", "Phone", "phone", 40),
    FieldSpec("Website", "Website", "url", 255),
    FieldSpec(
        "Status",
        "Lead Status",
        "picklist",
        255,
        nillable=False,
        defaulted=True,
        restricted=True,
        picklist=("Open - Not Contacted", "Working - Contacted", "Closed - Converted"),
    ),
    FieldSpec("LeadSource", "Lead Source", "picklist", 255, picklist=_SOURCES),
]
_OPPORTUNITY = [
    *_system("Opportunity"),
    FieldSpec("Name", "Name", "string", 120, nillable=False),
    FieldSpec("AccountId", "Account ID", "reference", 18, reference_to=("Account",)),
    FieldSpec(
        "StageName",
        "Stage",
        "picklist",
        255,
        nillable=False,
        restricted=True,
        picklist=("Prospecting", "Qualification", "Negotiation", "Closed Won", "Closed Lost"),
    ),
    FieldSpec("CloseDate", "Close Date", "date", nillable=False),
    FieldSpec("Amount", "Amount", "currency"),
    FieldSpec("Probability", "Probability (%)", "percent"),
]
_CAMPAIGN = [
    *_system("Campaign"),
    FieldSpec("Name", "Name", "string", 80, nillable=False, id_lookup=True),
    FieldSpec("IsActive", "Active", "boolean", nillable=False, defaulted=True),
    FieldSpec(
        "Status",
        "Status",
        "picklist",
        255,
        picklist=("Planned", "In Progress", "Completed", "Aborted"),
    ),
]
_MEMBER = [
    *_system("Campaign Member"),
    FieldSpec(
        "CampaignId",
        "Campaign ID",
        "reference",
        18,
        nillable=False,
        updateable=False,
        reference_to=("Campaign",),
    ),
    FieldSpec(
        "ContactId", "Contact ID", "reference", 18, updateable=False, reference_to=("Contact",)
    ),
    FieldSpec("LeadId", "Lead ID", "reference", 18, updateable=False, reference_to=("Lead",)),
    FieldSpec(
        "AccountId", "Account ID", "reference", 18, updateable=False, reference_to=("Account",)
    ),
    FieldSpec("Status", "Status", "picklist", 40, picklist=("Sent", "Responded")),
]


@dataclass(frozen=True)
class SObjectSpec:
    """One object: its name, labels, key prefix and fields by name."""

    name: str
    label: str
    plural: str
    fields: dict[str, FieldSpec]

    @property
    def prefix(self) -> str:
        """The key prefix of its record ids."""
        return PREFIXES[self.name]

    def describe(self, version: str) -> dict[str, Any]:
        """The ``describe`` answer, its URLs under API ``version``."""
        base = f"/services/data/{version}/sobjects/{self.name}"
        flags = dict.fromkeys(_OBJECT_FALSE, False) | dict.fromkeys(_OBJECT_TRUE, True)
        return {
            **flags,
            "actionOverrides": [],
            "childRelationships": [],
            "fields": [spec.describe() for spec in self.fields.values()],
            "keyPrefix": self.prefix,
            "label": self.label,
            "labelPlural": self.plural,
            "mergeable": self.name in ("Account", "Contact", "Lead"),
            "name": self.name,
            "namedLayoutInfos": [],
            "recordTypeInfos": [
                {
                    "active": True,
                    "available": True,
                    "defaultRecordTypeMapping": True,
                    "developerName": "Master",
                    "master": True,
                    "name": "Master",
                    "recordTypeId": "012000000000000AAA",
                    "urls": {},
                }
            ],
            "urls": {
                "sobject": base,
                "describe": f"{base}/describe",
                "rowTemplate": f"{base}/{{ID}}",
            },
        }


_OBJECT_FALSE = (
    "activateable",
    "custom",
    "customSetting",
    "deepCloneable",
    "deprecatedAndHidden",
    "hasSubtypes",
    "isInterface",
    "isSubtype",
)
_OBJECT_TRUE = (
    "compactLayoutable",
    "createable",
    "deletable",
    "feedEnabled",
    "idEnabled",
    "layoutable",
    "listviewable",
    "lookupLayoutable",
    "mruEnabled",
    "queryable",
    "replicateable",
    "retrieveable",
    "searchLayoutable",
    "searchable",
    "triggerable",
    "undeletable",
    "updateable",
)


def _object(name: str, label: str, plural: str, fields: list[FieldSpec]) -> SObjectSpec:
    return SObjectSpec(name, label, plural, {spec.name: spec for spec in fields})


def default_schema() -> dict[str, SObjectSpec]:
    """The org's objects by API name."""
    return {
        spec.name: spec
        for spec in (
            _object("Account", "Account", "Accounts", _ACCOUNT),
            _object("Contact", "Contact", "Contacts", _CONTACT),
            _object("Lead", "Lead", "Leads", _LEAD),
            _object("Opportunity", "Opportunity", "Opportunities", _OPPORTUNITY),
            _object("Campaign", "Campaign", "Campaigns", _CAMPAIGN),
            _object("CampaignMember", "Campaign Member", "Campaign Members", _MEMBER),
        )
    }
