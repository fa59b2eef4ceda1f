"""updateCompanyAttributeValue: one field per type, the seed's aliases, null unsets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile import ids
from cardfile.store.schema import Company
from tests.api.graphql.conftest import Client, add_attribute
from tests.conftest import Tenant

# The seed's mutation, with every union member selected through the seed's aliases.
UPDATE = """
mutation updateCompanyAttributeValue($companyId: ID!, $attributeDefinitionId: ID!,
                                     $value: CompanyAttributeValueInput!) {
  updateCompanyAttributeValue(companyId: $companyId, attributeDefinitionId: $attributeDefinitionId,
                              value: $value) {
    __typename
    ... on CompanyAttributeCheckbox { id definition { id __typename } value { id valueCheckbox: value } }
    ... on CompanyAttributeText { id definition { id __typename } value { id valueText: value } }
    ... on CompanyAttributeSingleSelect { id definition { id __typename } value { id valueSelect: value } }
    ... on CompanyAttributeNumber { id definition { id __typename } value { id valueNumber: value } }
  }
}
"""
CREATE = (
    """mutation($p: ID!, $n: DefaultString!) { createCompany(productId: $p, name: $n) { id } }"""
)


def _company(client: Client, tenant: Tenant, name: str = "Acme") -> str:
    company_id: str = client.ok(CREATE, {"p": tenant.product_id, "n": name})["createCompany"]["id"]
    return company_id


def _set(client: Client, company: str, definition: str, value: Any) -> dict[str, Any]:
    data = client.ok(
        UPDATE, {"companyId": company, "attributeDefinitionId": definition, "value": value}
    )
    result: dict[str, Any] = data["updateCompanyAttributeValue"]
    return result


def test_each_type_with_the_seed_aliases(client: Client, tenant: Tenant) -> None:
    company = _company(client, tenant)
    text = add_attribute(client, tenant, "Churn reason", "TEXT")
    number = add_attribute(client, tenant, "Seats", "NUMBER")
    box = add_attribute(client, tenant, "Paying", "BOOLEAN")
    stage = add_attribute(client, tenant, "Stage", "SINGLE_SELECT", ["Lead", "Closed Won"])
    won = stage["valuesV2"]["edges"][1]["node"]

    result = _set(client, company, text["id"], {"text": "price"})
    assert result["__typename"] == "CompanyAttributeText"
    assert result["definition"] == {"id": text["id"], "__typename": "AttributeTextDefinition"}
    assert result["value"]["valueText"] == "price"
    assert _set(client, company, number["id"], {"number": 12.5})["value"]["valueNumber"] == 12.5
    assert _set(client, company, box["id"], {"checkbox": True})["value"]["valueCheckbox"] is True

    by_id = _set(client, company, stage["id"], {"select": won["id"]})
    assert by_id["__typename"] == "CompanyAttributeSingleSelect"
    assert by_id["value"] == {"id": won["id"], "valueSelect": "Closed Won"}
    by_text = _set(client, company, stage["id"], {"select": "Lead"})
    assert by_text["value"]["valueSelect"] == "Lead"

    listing = client.ok(
        """query($id: ID!) { node(id: $id) { ... on Company { attributes { edges { node {
             __typename
             ... on CompanyAttributeText { value { valueText: value } }
             ... on CompanyAttributeNumber { value { valueNumber: value } }
             ... on CompanyAttributeCheckbox { value { valueCheckbox: value } }
             ... on CompanyAttributeSingleSelect { value { valueSelect: value } } } } } } } }""",
        {"id": company},
    )["node"]["attributes"]["edges"]
    assert [e["node"]["value"] for e in listing] == [
        {"valueText": "price"},
        {"valueNumber": 12.5},
        {"valueCheckbox": True},
        {"valueSelect": "Lead"},
    ]


def test_wrong_or_several_fields_are_clear_errors(client: Client, tenant: Tenant) -> None:
    company = _company(client, tenant)
    number = add_attribute(client, tenant, "Seats", "NUMBER")
    stage = add_attribute(client, tenant, "Stage", "SINGLE_SELECT", ["Lead"])
    variables = {"companyId": company, "attributeDefinitionId": number["id"]}
    error = client.error(UPDATE, {**variables, "value": {"text": "12"}})
    assert "'Seats' is a number attribute" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = client.error(UPDATE, {**variables, "value": {"number": 1, "text": "x"}})
    assert "exactly one" in error["message"]
    error = client.error(
        UPDATE,
        {"companyId": company, "attributeDefinitionId": stage["id"], "value": {"select": "Nope"}},
    )
    assert "Nope" in error["message"] and "Lead" in error["message"]


def test_null_unsets_and_only_real_changes_bump_the_sequence(
    client: Client, tenant: Tenant, sessions: sessionmaker[Session]
) -> None:
    company = _company(client, tenant)
    text = add_attribute(client, tenant, "Note", "TEXT")

    def sequence() -> int:
        with sessions() as session:
            return int(
                session.scalar(
                    select(Company.change_seq).where(Company.id == ids.decode(company, "Company"))
                )
            )

    start = sequence()
    _set(client, company, text["id"], {"text": "hello"})
    after_set = sequence()
    assert after_set > start
    _set(client, company, text["id"], {"text": "hello"})
    assert sequence() == after_set  # writing the same value is not a change
    cleared = _set(client, company, text["id"], {"text": None})
    assert cleared["value"] is None
    assert sequence() > after_set
    client.ok(
        """mutation($c: ID!, $d: ID!) { updateCompanyAttributeValue(companyId: $c,
             attributeDefinitionId: $d, value: null) { __typename } }""",
        {"c": company, "d": text["id"]},
    )
