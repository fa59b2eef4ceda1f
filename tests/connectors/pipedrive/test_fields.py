"""Pipedrive's fields as Cardfile fields: names a record writes, types, flags and options."""

from __future__ import annotations

import pytest
from simulators.pipedrive.schema import field_hash

from cardfile.connectors.errors import Refused
from cardfile.connectors.registry import connect
from cardfile.types import AttributeType, Option
from tests.connectors.pipedrive.conftest import Company

pytestmark = pytest.mark.anyio


async def test_person_fields_are_named_as_records_write_them(co: Company) -> None:
    async with connect(co.connection()) as connector:
        found = {f.name: f for f in await connector.fields("contacts")}
    emails = found["emails"]
    assert (emails.type, emails.unique, emails.multiple, emails.read_only) == (
        AttributeType.EMAIL,
        True,
        True,
        False,
    )
    assert found["phones"].type is AttributeType.PHONE_NUMBER
    assert found["name"].required and found["name"].type is AttributeType.TEXT
    assert found["first_name"].read_only and found["update_time"].read_only
    assert found["org_id"].type is AttributeType.RECORD_REFERENCE
    assert found["owner_id"].type is AttributeType.ACTOR_REFERENCE
    assert found["label_ids"].type is AttributeType.MULTI_SELECT
    assert found["label_ids"].options[0] == Option(id="1", title="Customer")
    assert found["marketing_status"].options[0] == Option(id="no_consent", title="No consent")
    assert "email" not in found and "phone" not in found


async def test_custom_fields_are_named_by_hash_and_labelled_by_name(co: Company) -> None:
    async with connect(co.connection()) as connector:
        found = {f.name: f for f in await connector.fields("contacts")}
    lead = found[field_hash("persons", "Lead source")]
    assert lead.label == "Lead source"
    assert lead.type is AttributeType.SELECT
    assert [o.title for o in lead.options] == ["Inbound", "Outbound", "Referral"]
    assert lead.options[0].id == "11"
    assert not lead.unique and not lead.read_only
    interests = found[field_hash("persons", "Interests")]
    assert interests.type is AttributeType.MULTI_SELECT and interests.multiple
    assert found[field_hash("persons", "First contact")].type is AttributeType.DATE


async def test_organization_and_deal_fields(co: Company) -> None:
    async with connect(co.connection()) as connector:
        companies = {f.name: f for f in await connector.fields("companies")}
        deals = {f.name: f for f in await connector.fields("deals")}
    assert companies["name"].unique and companies["name"].required
    assert companies["address"].type is AttributeType.LOCATION
    assert companies["annual_revenue"].type is AttributeType.NUMBER
    assert companies[field_hash("organizations", "Contract value")].type is AttributeType.CURRENCY
    assert deals["title"].required
    assert deals["status"].type is AttributeType.STATUS
    assert deals["stage_id"].type is None and deals["stage_id"].vendor_type == "stage"
    assert not any(f.unique for f in deals.values())


async def test_fields_are_read_across_pages(co: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cardfile.connectors.pipedrive.connector.FIELDS_PAGE", 4)
    async with connect(co.connection()) as connector:
        found = await connector.fields("contacts")
    assert len(found) == len(co.sim.schema.fields["persons"])
    assert len(co.sim.calls_to("/api/v2/personFields")) > 1


async def test_an_entity_pipedrive_does_not_have_is_refused(co: Company) -> None:
    async with connect(co.connection()) as connector:
        with pytest.raises(Refused, match="handles companies, contacts, deals, not 'leads'"):
            await connector.fields("leads")
