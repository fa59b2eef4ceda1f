"""Attribute definitions: the seed's listing query, pagination, and their management."""

from __future__ import annotations

from typing import Any

from tests.api.graphql.conftest import Client, add_attribute
from tests.conftest import Tenant

# The seed's own query, verbatim but for whitespace.
SEED_QUERY = """
query workspaceBySlug($slug: DefaultString!) {
  getProductBySlug(slug: $slug) {
    id name slug
    companyAttributeDefinitions(pagination: {size: 100, where: {cursor: "", direction: AFTER}}) {
      pageInfo { endCursor hasNextPage }
      edges { node {
        __typename
        ... on AttributeTextDefinition { id name }
        ... on AttributeNumberDefinition { id name }
        ... on AttributeCheckboxDefinition { id name }
        ... on AttributeSingleSelectDefinition { id name
          valuesV2(pagination: {size: 100, where: {cursor: "", direction: AFTER}}) {
            edges { node { id value } } } }
      } }
    }
  }
}
"""

PAGE = """
query($slug: DefaultString!, $size: Int, $cursor: String!, $direction: PagintationWhereDirectionInput!) {
  getProductBySlug(slug: $slug) {
    companyAttributeDefinitions(pagination: {size: $size, where: {cursor: $cursor, direction: $direction}}) {
      pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
      edges { cursor node { ... on AttributeTextDefinition { id name } } }
    }
  }
}
"""


def test_seed_query_lists_every_kind(client: Client, tenant: Tenant) -> None:
    add_attribute(client, tenant, "Churn reason", "TEXT")
    add_attribute(client, tenant, "Seats", "NUMBER")
    add_attribute(client, tenant, "Paying", "BOOLEAN")
    add_attribute(client, tenant, "Beta", "CHECKBOX")
    add_attribute(client, tenant, "Stage", "SINGLE_SELECT", ["Lead", "Closed Won"])
    product = client.ok(SEED_QUERY, {"slug": tenant.slug})["getProductBySlug"]
    assert product["id"] == tenant.product_id
    assert product["slug"] == tenant.slug
    nodes = [e["node"] for e in product["companyAttributeDefinitions"]["edges"]]
    assert [(n["__typename"], n["name"]) for n in nodes] == [
        ("AttributeTextDefinition", "Churn reason"),
        ("AttributeNumberDefinition", "Seats"),
        ("AttributeCheckboxDefinition", "Paying"),
        ("AttributeCheckboxDefinition", "Beta"),
        ("AttributeSingleSelectDefinition", "Stage"),
    ]
    stage = nodes[-1]
    assert [e["node"]["value"] for e in stage["valuesV2"]["edges"]] == ["Lead", "Closed Won"]
    assert product["companyAttributeDefinitions"]["pageInfo"]["hasNextPage"] is False


def _page(client: Client, tenant: Tenant, size: int, cursor: str, direction: str) -> dict[str, Any]:
    data = client.ok(
        PAGE, {"slug": tenant.slug, "size": size, "cursor": cursor, "direction": direction}
    )
    result: dict[str, Any] = data["getProductBySlug"]["companyAttributeDefinitions"]
    return result


def test_cursor_pagination_walks_both_ways(client: Client, tenant: Tenant) -> None:
    names = [f"attr {i}" for i in range(5)]
    for name in names:
        add_attribute(client, tenant, name, "TEXT")

    forward: list[str] = []
    cursor, has_next = "", True
    while has_next:
        page = _page(client, tenant, 2, cursor, "AFTER")
        forward += [e["node"]["name"] for e in page["edges"]]
        cursor, has_next = page["pageInfo"]["endCursor"], page["pageInfo"]["hasNextPage"]
    assert forward == names

    last = _page(client, tenant, 2, "", "BEFORE")
    assert [e["node"]["name"] for e in last["edges"]] == names[3:]
    assert last["pageInfo"]["hasPreviousPage"] is True
    before = _page(client, tenant, 2, last["pageInfo"]["startCursor"], "BEFORE")
    assert [e["node"]["name"] for e in before["edges"]] == names[1:3]
    assert before["pageInfo"]["hasNextPage"] is True
    first = _page(client, tenant, 2, before["pageInfo"]["startCursor"], "BEFORE")
    assert [e["node"]["name"] for e in first["edges"]] == names[:1]
    assert first["pageInfo"]["hasPreviousPage"] is False


def test_a_bad_cursor_is_a_clear_error(client: Client, tenant: Tenant) -> None:
    error = client.error(
        PAGE, {"slug": tenant.slug, "size": 2, "cursor": "zz", "direction": "AFTER"}
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cursor" in error["message"]


def test_duplicate_names_and_empty_selects_are_refused(client: Client, tenant: Tenant) -> None:
    add_attribute(client, tenant, "Stage", "TEXT")
    query = """
    mutation($p: ID!, $t: CompanyAttributeTypeInput!, $n: DefaultString!) {
      addNewCompanyAttribute(input: {productId: $p, name: $n, type: $t}) { __typename }
    }"""
    error = client.error(
        query, {"p": tenant.product_id, "n": "Stage", "t": {"scalar": {"type": "TEXT"}}}
    )
    assert error["extensions"]["code"] == "CONFLICT"
    error = client.error(
        query,
        {
            "p": tenant.product_id,
            "n": "Tier",
            "t": {"select": {"type": "SINGLE_SELECT", "values": []}},
        },
    )
    assert "at least one value" in error["message"]


def test_rename_delete_and_options(client: Client, tenant: Tenant) -> None:
    stage = add_attribute(client, tenant, "Stage", "SINGLE_SELECT", ["Lead"])
    renamed = client.ok(
        """mutation($id: ID!) { updateCompanyAttributeDefinition(id: $id, name: "Deal stage") {
             ... on AttributeSingleSelectDefinition { id name } } }""",
        {"id": stage["id"]},
    )["updateCompanyAttributeDefinition"]
    assert renamed == {"id": stage["id"], "name": "Deal stage"}

    added = client.ok(
        """mutation($id: ID!) { addSelectAttributeValue(attributeDefinitionId: $id, value: "Won") {
             id value } }""",
        {"id": stage["id"]},
    )["addSelectAttributeValue"]
    assert added["value"] == "Won"
    client.ok(
        "mutation($id: ID!) { removeSelectAttributeValue(id: $id) { id } }",
        {"id": stage["valuesV2"]["edges"][0]["node"]["id"]},
    )
    product = client.ok(SEED_QUERY, {"slug": tenant.slug})["getProductBySlug"]
    (node,) = [e["node"] for e in product["companyAttributeDefinitions"]["edges"]]
    assert [e["node"]["value"] for e in node["valuesV2"]["edges"]] == ["Won"]

    client.ok(
        "mutation($id: ID!) { deleteCompanyAttributeDefinition(id: $id) { __typename } }",
        {"id": stage["id"]},
    )
    product = client.ok(SEED_QUERY, {"slug": tenant.slug})["getProductBySlug"]
    assert product["companyAttributeDefinitions"]["edges"] == []


def test_options_read_earlier_in_a_request_are_not_served_stale(
    client: Client, tenant: Tenant
) -> None:
    stage = add_attribute(client, tenant, "Stage", "SINGLE_SELECT", ["Lead"])
    data = client.ok(
        """mutation($id: ID!) {
          before: updateCompanyAttributeDefinition(id: $id, name: "S1") {
            ... on AttributeSingleSelectDefinition { valuesV2 { edges { node { value } } } } }
          added: addSelectAttributeValue(attributeDefinitionId: $id, value: "Won") { value }
          after: updateCompanyAttributeDefinition(id: $id, name: "S2") {
            ... on AttributeSingleSelectDefinition { valuesV2 { edges { node { value } } } } }
        }""",
        {"id": stage["id"]},
    )
    assert [e["node"]["value"] for e in data["before"]["valuesV2"]["edges"]] == ["Lead"]
    assert [e["node"]["value"] for e in data["after"]["valuesV2"]["edges"]] == ["Lead", "Won"]
