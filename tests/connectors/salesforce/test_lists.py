"""Campaign members as list memberships, against the Salesforce simulator."""

from __future__ import annotations

import pytest

from cardfile.connectors.salesforce import SalesforceConnector
from tests.connectors.salesforce.conftest import Org

pytestmark = pytest.mark.anyio


def _members(org: Org, campaign: str) -> set[tuple[str | None, str | None, str | None]]:
    return {
        (r.get("ContactId"), r.get("LeadId"), r.get("AccountId"))
        for r in org.sim.records("CampaignMember")
        if r["CampaignId"] == campaign
    }


async def test_contacts_leads_and_accounts_join_and_leave_a_campaign(org: Org) -> None:
    campaign = org.create("Campaign", Name="Spring")
    other = org.create("Campaign", Name="Autumn")
    contact = org.create("Contact", LastName="A")
    lead = org.create("Lead", LastName="B", Company="B Ltd")
    account = org.create("Account", Name="C")
    async with SalesforceConnector(org.connection()) as connector:
        added = await connector.update_list(campaign, [contact, lead, account], [])
        await connector.update_list(other, [contact], [])
        assert all(r.ok and r.added for r in added), added
        assert _members(org, campaign) == {
            (contact, None, None),
            (None, lead, None),
            (None, None, account),
        }
        again = await connector.update_list(campaign, [contact], [])
        assert again[0].ok  # Salesforce's "Already a campaign member." is what was asked for
        removed = await connector.update_list(campaign, [], [lead[:15], account])
        assert all(r.ok and not r.added for r in removed), removed
    assert _members(org, campaign) == {(contact, None, None)}
    assert _members(org, other) == {(contact, None, None)}  # other campaigns keep theirs
    assert len(org.sim.calls_to("/composite/sobjects", "DELETE")) == 1


async def test_removing_a_record_that_is_no_member_is_what_was_asked(org: Org) -> None:
    campaign = org.create("Campaign", Name="Spring")
    contact = org.create("Contact", LastName="A")
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.update_list(campaign, [], [contact])
    assert result.ok and not result.added
    assert org.sim.calls_to("/composite/sobjects", "DELETE") == []


async def test_ids_that_cannot_be_members_fail_alone(org: Org) -> None:
    campaign = org.create("Campaign", Name="Spring")
    contact = org.create("Contact", LastName="A")
    deal = org.create("Opportunity", Name="D", StageName="Prospecting", CloseDate="2026-01-01")
    async with SalesforceConnector(org.connection()) as connector:
        results = await connector.update_list(campaign, [deal, contact], [deal])
    assert [(r.record_id, r.added, r.ok) for r in results] == [
        (deal, True, False),
        (contact, True, True),
        (deal, False, False),
    ]
    assert results[0].error is not None
    assert "is not the id of a contact, lead or account" in results[0].error.message


async def test_a_campaign_that_does_not_exist_fails_each_add_in_salesforces_words(
    org: Org,
) -> None:
    contact = org.create("Contact", LastName="A")
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.update_list("7018d0000000999AAA", [contact], [])
    assert not result.ok and result.error is not None
    assert result.error.code == "INVALID_CROSS_REFERENCE_KEY"
    assert "invalid cross reference id" in result.error.message


async def test_accounts_are_refused_where_the_org_has_not_enabled_them(org: Org) -> None:
    org.sim.accounts_as_members = False
    campaign = org.create("Campaign", Name="Spring")
    account = org.create("Account", Name="C")
    async with SalesforceConnector(org.connection()) as connector:
        [result] = await connector.update_list(campaign, [account], [])
    assert not result.ok and result.error is not None
    assert "Accounts as Campaign Members is not enabled" in result.error.message


async def test_many_members_go_200_to_a_request(org: Org) -> None:
    campaign = org.create("Campaign", Name="Big")
    body = {
        "records": [{"attributes": {"type": "Contact"}, "LastName": f"P{n}"} for n in range(200)]
    }
    ids = [r["id"] for r in org.api("POST", "/composite/sobjects", json=body).json()]
    ids += [r["id"] for r in org.api("POST", "/composite/sobjects", json=body).json()[:50]]
    async with SalesforceConnector(org.connection()) as connector:
        added = await connector.update_list(campaign, ids, [])
        removed = await connector.update_list(campaign, [], ids)
    assert all(r.ok for r in added + removed)
    assert len(org.sim.calls_to("/composite/sobjects", "POST")) == 2 + 2
    assert len(org.sim.calls_to("/composite/sobjects", "DELETE")) == 2
    assert org.sim.records("CampaignMember") == []
