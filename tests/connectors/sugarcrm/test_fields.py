"""Vardefs as Cardfile fields, read from the simulator's metadata and language strings."""

from __future__ import annotations

import pytest

from cardfile.connectors.base import Field
from cardfile.connectors.errors import Refused
from cardfile.connectors.sugarcrm import SugarCRMConnector
from cardfile.connectors.sugarcrm.fields import field_of, options
from cardfile.types import AttributeType
from tests.connectors.sugarcrm.conftest import Instance

pytestmark = pytest.mark.anyio


async def _fields(crm: Instance, entity: str) -> dict[str, Field]:
    async with SugarCRMConnector(crm.connection()) as connector:
        return {f.name: f for f in await connector.fields(entity)}


async def test_accounts_fields_are_typed_labelled_and_flagged(crm: Instance) -> None:
    found = await _fields(crm, "companies")
    website, name = found["website"], found["name"]
    assert (website.type, website.label, website.unique) == (AttributeType.DOMAIN, "Website", True)
    assert (name.type, name.required, name.unique) == (AttributeType.TEXT, True, True)
    assert found["id"].unique and found["id"].read_only and found["id"].type is None
    assert found["date_modified"].read_only
    assert found["date_modified"].type is AttributeType.TIMESTAMP
    assert found["cardfile_score_c"].type is AttributeType.NUMBER
    assert found["phone_office"].type is AttributeType.PHONE_NUMBER
    kind = found["account_type"]
    assert kind.type is AttributeType.SELECT and not kind.multiple
    assert [o.id for o in kind.options] == [
        "Analyst",
        "Competitor",
        "Customer",
        "Partner",
        "Prospect",
    ]
    tier = found["tier_c"]
    assert [(o.id, o.title) for o in tier.options] == [
        ("gold", "Gold"),
        ("silver", "Silver"),
        ("bronze", "Bronze"),
    ]
    segments = found["segments_c"]
    assert segments.type is AttributeType.MULTI_SELECT and segments.multiple
    assert not found["industry"].unique


async def test_contacts_fields_know_email_and_computed_fields(crm: Instance) -> None:
    found = await _fields(crm, "contacts")
    email = found["email"]
    assert (email.type, email.multiple, email.unique, email.read_only) == (
        AttributeType.EMAIL,
        True,
        True,
        False,
    )
    assert found["email1"].type is AttributeType.EMAIL and not found["email1"].read_only
    assert found["full_name"].type is AttributeType.PERSONAL_NAME and found["full_name"].read_only
    account = found["account_name"]
    assert account.type is AttributeType.RECORD_REFERENCE and account.read_only
    assert found["do_not_call"].type is AttributeType.CHECKBOX
    assert found["birthdate"].type is AttributeType.DATE
    assert found["last_name"].required


async def test_leads_and_deals_have_fields_too(crm: Instance) -> None:
    deals = await _fields(crm, "deals")
    assert deals["amount"].type is AttributeType.CURRENCY and deals["amount"].required
    assert deals["sales_stage"].options
    assert deals["name"].unique
    leads = await _fields(crm, "leads")
    assert leads["email"].unique and leads["status"].options


async def test_an_entity_sugar_is_not_mapped_to_is_refused(crm: Instance) -> None:
    async with SugarCRMConnector(crm.connection()) as connector:
        with pytest.raises(Refused, match="not 'tickets'"):
            await connector.fields("tickets")


def test_blank_and_repeated_choices_are_left_out() -> None:
    found = options({"": "", "a": "Alpha", "b": "alpha", " c": "Gamma", "d": ""})
    assert [(o.id, o.title) for o in found] == [("a", "Alpha"), ("d", "d")]


def test_a_vardef_without_a_label_is_named_by_its_field() -> None:
    found = field_of({"name": "x_c", "type": "iframe", "vname": "LBL_X"}, {}, {}, ())
    assert (found.label, found.type, found.vendor_type) == ("x_c", None, "iframe")
