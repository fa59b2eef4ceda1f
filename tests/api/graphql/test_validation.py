"""The string-alias scalars stand in for String, and nothing else is loosened."""

from __future__ import annotations

import pytest

from tests.api.graphql.conftest import Client
from tests.conftest import Tenant

SCALAR = """
mutation m($workspaceId: ID!, $name: {name_type}) {{
  addNewCompanyAttribute(input: {{productId: $workspaceId, name: $name, color: "a",
                                  type: {{ scalar: {{ type: TEXT }} }}}}) {{ __typename }}
}}
"""
SELECT = """
mutation m($workspaceId: ID!, $name: {name_type}, $values: {values_type}) {{
  addNewCompanyAttribute(input: {{productId: $workspaceId, name: $name, color: "a",
      type: {{ select: {{ type: SINGLE_SELECT, values: $values }} }}}}) {{ __typename }}
}}
"""


@pytest.mark.parametrize("name_type", ["String!", "DefaultString!"])
def test_name_may_be_declared_as_string_or_default_string(
    client: Client, tenant: Tenant, name_type: str
) -> None:
    data = client.ok(
        SCALAR.format(name_type=name_type), {"workspaceId": tenant.product_id, "name": "Churn"}
    )
    assert data["addNewCompanyAttribute"]["__typename"] == "AttributeTextDefinition"


@pytest.mark.parametrize(
    ("name_type", "values_type"),
    [("String!", "[String!]!"), ("DefaultString!", "[SelectAttributeString!]!")],
)
def test_values_may_be_declared_either_way(
    client: Client, tenant: Tenant, name_type: str, values_type: str
) -> None:
    query = SELECT.format(name_type=name_type, values_type=values_type)
    variables = {"workspaceId": tenant.product_id, "name": "Stage", "values": ["Open", "Won"]}
    data = client.ok(query, variables)
    assert data["addNewCompanyAttribute"]["__typename"] == "AttributeSingleSelectDefinition"


@pytest.mark.parametrize(
    ("name_type", "values_type"),
    [
        ("Int!", "[String!]!"),  # a different scalar is still refused
        ("String", "[String!]!"),  # nullability is still checked
        ("String!", "String!"),  # a list is still a list
        ("String!", "[String]!"),  # and its items' nullability too
    ],
)
def test_other_mismatches_are_still_refused(
    client: Client, tenant: Tenant, name_type: str, values_type: str
) -> None:
    query = SELECT.format(name_type=name_type, values_type=values_type)
    error = client.error(query, {"workspaceId": tenant.product_id, "name": "S", "values": ["A"]})
    assert "used in position expecting type" in error["message"]


def test_color_is_taken_as_a_bare_name_too(client: Client, tenant: Tenant) -> None:
    query = """
    mutation($p: ID!) { addNewCompanyAttribute(input: {productId: $p, name: "Tier", color: a,
        type: {scalar: {type: NUMBER}}}) { __typename } }
    """
    data = client.ok(query, {"p": tenant.product_id})
    assert data["addNewCompanyAttribute"]["__typename"] == "AttributeNumberDefinition"
