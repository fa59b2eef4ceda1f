"""A GraphQL client over real HTTP, bound to a tenant's key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.conftest import LiveServer, Tenant


@dataclass
class Client:
    """Posts GraphQL to the live server with a Bearer key."""

    server: LiveServer
    key: str | None

    def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole response body; the HTTP status must be 200 as Cycle answers."""
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        response = requests.post(
            f"{self.server.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a response that must have no errors."""
        body = self.raw(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def error(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The first error of a response that must have one."""
        body = self.raw(query, variables)
        assert body.get("errors"), body
        first: dict[str, Any] = body["errors"][0]
        return first

    def upload(
        self, query: str, variables: dict[str, Any], content: bytes, name: str = "file.csv"
    ) -> dict[str, Any]:
        """A multipart request (the GraphQL multipart spec) with one file at variables.file."""
        import json

        files = {
            "operations": (None, json.dumps({"query": query, "variables": variables})),
            "map": (None, json.dumps({"0": ["variables.file"]})),
            "0": (name, content, "text/csv"),
        }
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        response = requests.post(
            f"{self.server.url}/graphql", files=files, headers=headers, timeout=60
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def client(server: LiveServer, tenant: Tenant) -> Client:
    """A client with the tenant's key."""
    return Client(server, tenant.key)


IMPORT = """
mutation importCustomersFromCSV($file: Upload!, $workspaceId: ID!) {
  importCustomersFromCSV(csvFile: $file, productId: $workspaceId)
}
"""

UPDATE_FROM_CSV = """
mutation updateCompanyAttributeValuesFromCSV($file: Upload!, $workspaceId: ID!) {
  updateCompanyAttributeValuesFromCSV(csvFile: $file, productId: $workspaceId)
}
"""

ADD_ATTRIBUTE = """
mutation add($productId: ID!, $name: DefaultString!, $type: CompanyAttributeTypeInput!) {
  addNewCompanyAttribute(input: {productId: $productId, name: $name, color: "a", type: $type}) {
    __typename
    ... on AttributeTextDefinition { id name }
    ... on AttributeNumberDefinition { id name }
    ... on AttributeCheckboxDefinition { id name }
    ... on AttributeSingleSelectDefinition {
      id name valuesV2(pagination: {size: 100}) { edges { node { id value } } }
    }
  }
}
"""


def add_attribute(
    client: Client, tenant: Tenant, name: str, kind: str, values: list[str] | None = None
) -> dict[str, Any]:
    """Define a company attribute through the API; returns the definition."""
    type_input: dict[str, Any] = (
        {"select": {"type": "SINGLE_SELECT", "values": values}}
        if kind == "SINGLE_SELECT"
        else {"scalar": {"type": kind}}
    )
    data = client.ok(
        ADD_ATTRIBUTE, {"productId": tenant.product_id, "name": name, "type": type_input}
    )
    definition: dict[str, Any] = data["addNewCompanyAttribute"]
    return definition
