"""The Salesforce connector against the Salesforce simulator, over real HTTP on loopback:
configuration, check, fields, identity and OAuth."""

from __future__ import annotations

import pytest

from cardfile.connectors.base import Connection, OAuthClient, OAuthTokens, RateLimit, UpsertMode
from cardfile.connectors.errors import ConnectionBroken, Refused
from cardfile.connectors.http.auth import request_grant, tokens_of
from cardfile.connectors.registry import connect, connector_class
from cardfile.connectors.salesforce import SalesforceConnector
from cardfile.connectors.salesforce.connector import domain_of
from cardfile.types import AttributeType, Option
from tests.connectors.salesforce.conftest import TOKEN, Org

pytestmark = pytest.mark.anyio


# Registration and configuration


async def test_the_registry_finds_the_connector() -> None:
    assert connector_class("salesforce") is SalesforceConnector
    caps = SalesforceConnector.capabilities
    assert caps.batch_size == 200
    assert caps.writes == caps.reads == RateLimit(100_000, 86_400)
    assert caps.upsert is UpsertMode.SEARCH_THEN_WRITE
    assert caps.entities == {"contacts", "companies", "leads", "deals"}
    assert caps.match_keys["contacts"][0] == "Email"
    assert caps.match_keys["companies"][0] == "Website"
    assert caps.lists and caps.reads_changes
    assert caps.finds and caps.removes and caps.record_id_key == "Id"


async def test_the_api_version_is_pinned_and_a_setting_overrides_it(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        assert connector.api == "/services/data/v66.0"
    for given in ("62.0", "v62.0"):
        async with SalesforceConnector(org.connection(settings={"api_version": given})) as c:
            assert c.api == "/services/data/v62.0"
            assert (await c.check()).healthy
    with pytest.raises(ValueError, match="api_version"):
        SalesforceConnector(org.connection(settings={"api_version": "latest"}))


async def test_reads_and_writes_spend_one_daily_allocation_a_setting_may_set(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        assert connector.client.reads is connector.client.writes is connector.budget
        assert connector.budget.limit == RateLimit(100_000, 86_400)
    settings = {"daily_api_requests": 15_000, "daily_api_reserve": 500}
    async with SalesforceConnector(org.connection(settings=settings)) as connector:
        assert connector.budget.limit == RateLimit(15_000, 86_400)
        assert connector.budget.reserve == 500
    with pytest.raises(ValueError, match="daily_api_requests"):
        SalesforceConnector(org.connection(settings={"daily_api_requests": 0}))


# check


async def test_check_reports_the_daily_allocation_salesforce_counts(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        health = await connector.check()
        assert health.healthy
        assert "of 100000 daily API requests left" in health.message
        assert connector.budget.used == org.sim.daily.used == 1
        assert connector.budget.remaining == 99_999


async def test_check_with_a_bad_token_gives_salesforces_words(org: Org) -> None:
    async with SalesforceConnector(org.connection(token="not-a-session")) as connector:
        health = await connector.check()
    assert not health.healthy
    assert health.message == "Session expired or invalid"


async def test_check_names_what_is_wrong_with_an_api_version_the_org_lacks(org: Org) -> None:
    async with SalesforceConnector(org.connection(settings={"api_version": "99.0"})) as c:
        health = await c.check()
    assert not health.healthy
    assert health.message == "The requested resource does not exist"


async def test_a_connection_without_an_instance_url_is_refused_before_any_request() -> None:
    connection = Connection(provider="salesforce", token=TOKEN)
    async with SalesforceConnector(connection) as connector:
        health = await connector.check()
        assert not health.healthy
        assert "instance URL" in health.message
        with pytest.raises(ConnectionBroken):
            await connector.upsert("contacts", [{"Email": "a@x.com", "LastName": "A"}], "Email")
        assert connector.client.stats.requests == 0


# fields


async def test_fields_map_salesforce_types_and_derive_required(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        found = {f.name: f for f in await connector.fields("contacts")}
    assert found["Email"].type is AttributeType.EMAIL
    assert found["Phone"].type is AttributeType.PHONE_NUMBER
    assert found["Birthdate"].type is AttributeType.DATE
    assert found["CreatedDate"].type is AttributeType.TIMESTAMP
    assert found["Score__c"].type is AttributeType.NUMBER
    assert found["HasOptedOutOfEmail"].type is AttributeType.CHECKBOX
    assert found["AccountId"].type is AttributeType.RECORD_REFERENCE
    # createable, not nillable and not defaulted on create: required
    assert found["LastName"].required
    assert not found["FirstName"].required
    assert not found["HasOptedOutOfEmail"].required  # defaulted on create
    assert not found["Id"].required and found["Id"].read_only and found["Id"].unique
    assert found["Name"].type is AttributeType.PERSONAL_NAME and found["Name"].read_only
    assert found["Cardfile_Id__c"].unique and not found["Cardfile_Id__c"].read_only
    assert not found["Email"].unique  # Salesforce does not keep emails unique
    interests = found["Interests__c"]
    assert interests.type is AttributeType.MULTI_SELECT and interests.multiple
    assert interests.options == (
        Option("Product", "Product"),
        Option("Pricing", "Pricing"),
        Option("Events", "Events"),
    )
    assert found["LeadSource"].type is AttributeType.SELECT
    assert found["LeadSource"].vendor_type == "picklist"


async def test_fields_of_each_entity_come_from_its_object(org: Org) -> None:
    async with SalesforceConnector(org.connection()) as connector:
        companies = {f.name: f for f in await connector.fields("companies")}
        deals = {f.name: f for f in await connector.fields("deals")}
        leads = {f.name: f for f in await connector.fields("leads")}
        with pytest.raises(Refused, match="not 'tickets'"):
            await connector.fields("tickets")
    assert companies["Website"].type is AttributeType.DOMAIN
    assert companies["AnnualRevenue"].type is AttributeType.CURRENCY
    assert companies["Name"].required and companies["Name"].type is AttributeType.TEXT
    assert {"StageName", "CloseDate", "Name"} <= {n for n, f in deals.items() if f.required}
    assert leads["Company"].required
    assert not leads["Status"].required  # defaulted on create
    assert [call.path for call in org.sim.calls_to("/describe")] == [
        "/services/data/v66.0/sobjects/Account/describe",
        "/services/data/v66.0/sobjects/Opportunity/describe",
        "/services/data/v66.0/sobjects/Lead/describe",
    ]


# identity


def test_identity_reads_salesforce_records() -> None:
    connector = connect(Connection(provider="salesforce", token="t-123456"))
    contact = {"Email": " jane@acme.com ", "FirstName": "Jane", "LastName": "Smith"}
    assert connector.identity("contacts", contact).email == "jane@acme.com"
    assert connector.identity("contacts", contact).name == "Jane Smith"
    assert connector.identity("leads", {"Name": "Bo Lee", "Email": "bo@x.com"}).name == "Bo Lee"
    company = connector.identity("companies", {"Name": "Acme", "Website": "https://www.Acme.com/"})
    assert (company.name, company.domain) == ("Acme", "acme.com")
    assert connector.identity("deals", {"Name": "Renewal"}).name == "Renewal"


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("acme.com", "acme.com"),
        ("www.acme.com", "acme.com"),
        ("http://shop.acme.co.uk:8080/x?y", "shop.acme.co.uk"),
        ("", None),
        (None, None),
    ],
)
def test_domain_of_a_website(website: str | None, domain: str | None) -> None:
    assert domain_of(website) == domain


# OAuth


def test_the_consent_page_and_token_endpoint_follow_the_login_server() -> None:
    assert SalesforceConnector.authorize_url(None) == (
        "https://login.salesforce.com/services/oauth2/authorize"
    )
    sandbox = "https://acme--dev.sandbox.my.salesforce.com"
    assert SalesforceConnector.authorize_url(sandbox) == f"{sandbox}/services/oauth2/authorize"
    assert SalesforceConnector.authorize_url("https://test.salesforce.com/") == (
        "https://test.salesforce.com/services/oauth2/authorize"
    )
    production = SalesforceConnector(Connection(provider="salesforce"))
    assert production.token_url() == "https://login.salesforce.com/services/oauth2/token"
    mine = SalesforceConnector(Connection(provider="salesforce", base_url=sandbox))
    assert mine.token_url() == f"{sandbox}/services/oauth2/token"
    assert SalesforceConnector.base_url_of_grant({"instance_url": "https://na1.x.com/"}) == (
        "https://na1.x.com"
    )
    assert SalesforceConnector.base_url_of_grant({"access_token": "x"}) is None


async def _oauth_connection(org: Org, seen: list[OAuthTokens]) -> Connection:
    """A connection made as the web-server flow makes one: code exchanged, instance_url kept."""
    client = OAuthClient("sim-client", "sim-secret")
    probe = SalesforceConnector(Connection(provider="salesforce", base_url=org.url))
    token_url = probe.token_url()
    await probe.aclose()
    grant = await request_grant(
        client, token_url, "client_secret_post", "authorization_code", code="c", redirect_uri="x"
    )
    tokens = tokens_of(grant)
    assert tokens.expires_at is None  # Salesforce sends no expires_in
    instance = SalesforceConnector.base_url_of_grant(grant)
    assert instance == org.url
    return Connection(
        provider="salesforce",
        oauth=tokens,
        oauth_client=OAuthClient("sim-client", "sim-secret", token_url),
        base_url=instance,
        on_tokens=seen.append,
    )


async def test_an_ended_session_is_refreshed_each_time_with_the_same_refresh_token(
    org: Org,
) -> None:
    seen: list[OAuthTokens] = []
    connection = await _oauth_connection(org, seen)
    refresh_token = connection.oauth.refresh_token if connection.oauth else None
    records = [{"Email": f"p{n}@x.com", "LastName": f"P{n}"} for n in range(2)]
    async with SalesforceConnector(connection) as connector:
        assert (await connector.check()).healthy
        for _ in range(2):  # Salesforce keeps the refresh token: the second refresh works too
            org.control("tokens/expire")
            results = await connector.upsert("contacts", records, "Email")
            assert all(r.vendor_id for r in results)
        assert connector.client.stats.refreshed == 2
    assert len(seen) == 2
    assert all(t.refresh_token == refresh_token and t.expires_at is None for t in seen)
    assert org.sim.tokens.refreshes == 2


async def test_a_refused_refresh_breaks_the_connection_in_salesforces_words(org: Org) -> None:
    connection = Connection(
        provider="salesforce",
        oauth=OAuthTokens("ended", "not-a-refresh-token"),
        oauth_client=OAuthClient("sim-client", "sim-secret"),
        base_url=org.url,
    )
    async with SalesforceConnector(connection) as connector:
        health = await connector.check()
        assert not health.healthy
        assert "expired access/refresh token" in health.message
        with pytest.raises(ConnectionBroken, match="expired access/refresh token"):
            await connector.upsert("contacts", [{"Email": "a@x.com", "LastName": "A"}], "Email")


async def test_a_bad_session_never_reaches_an_error_message(org: Org) -> None:
    secret = "00Dsecret!session-value-123"
    async with SalesforceConnector(org.connection(token=secret)) as connector:
        with pytest.raises(ConnectionBroken) as raised:
            await connector.upsert("contacts", [{"Email": "a@x.com", "LastName": "A"}], "Email")
    assert secret not in str(raised.value)
    assert secret not in repr(org.connection(token=secret))
