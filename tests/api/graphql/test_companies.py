"""Companies and customers: Cycle's create/update/list/search, node(id), and deletes."""

from __future__ import annotations

from typing import Any

from tests.api.graphql.conftest import IMPORT, UPDATE_FROM_CSV, Client, add_attribute
from tests.conftest import Tenant

COMPANY_FIELDS = """
  id name domain arr numberOfEmployees customId zendeskId hubspotId intercomId pipedriveId
  snowflakeId attioId salesforceId isDefault logo
  customers { edges { node { id name email } } }
"""
CREATE = f"""
mutation($p: ID!, $n: DefaultString!, $d: String, $e: EmailAddress, $arr: Float,
         $x: ExternalCompanyInput, $attrs: [CompanyAttributeInput!]) {{
  createCompany(productId: $p, name: $n, domain: $d, customerEmail: $e, arr: $arr,
                numberOfEmployees: 40, externalId: $x, attributes: $attrs) {{ {COMPANY_FIELDS} }}
}}
"""
LIST = """
query($p: ID!, $text: DefaultString, $filter: CompanyFilterInput) {
  node(id: $p) { ... on Product {
    companies(searchText: $text, filter: $filter, pagination: {size: 50}) {
      pageInfo { hasNextPage endCursor } edges { node { id name } } }
  } }
}
"""


def _names(client: Client, tenant: Tenant, **variables: Any) -> list[str]:
    data = client.ok(LIST, {"p": tenant.product_id, **variables})
    return [e["node"]["name"] for e in data["node"]["companies"]["edges"]]


def test_create_with_both_external_id_spellings(client: Client, tenant: Tenant) -> None:
    seats = add_attribute(client, tenant, "Seats", "NUMBER")
    company = client.ok(
        CREATE,
        {
            "p": tenant.product_id,
            "n": "Acme",
            "d": "acme.com",
            "e": "Boss@Acme.com",
            "arr": 1200.5,
            "x": {"customId": "acme-1", "hubspot": "hs-1", "attioId": "at-1"},
            "attrs": [{"attributeDefinitionId": seats["id"], "value": {"number": 12}}],
        },
    )["createCompany"]
    assert company["name"] == "Acme"
    assert (company["customId"], company["hubspotId"], company["attioId"]) == (
        "acme-1",
        "hs-1",
        "at-1",
    )
    assert (company["arr"], company["numberOfEmployees"], company["isDefault"]) == (
        1200.5,
        40,
        False,
    )
    assert [c["node"]["email"] for c in company["customers"]["edges"]] == ["boss@acme.com"]
    again = client.ok(
        f"query($id: ID!) {{ node(id: $id) {{ ... on Company {{ {COMPANY_FIELDS} }} }} }}",
        {"id": company["id"]},
    )
    assert again["node"] == company


def test_conflicting_ids_are_refused(client: Client, tenant: Tenant) -> None:
    client.ok(CREATE, {"p": tenant.product_id, "n": "A", "x": {"customId": "c-1"}})
    error = client.error(CREATE, {"p": tenant.product_id, "n": "B", "x": {"custom": "c-1"}})
    assert error["extensions"]["code"] == "CONFLICT"
    assert "customId 'c-1' already belongs to another company" in error["message"]
    error = client.error(
        CREATE, {"p": tenant.product_id, "n": "B", "x": {"custom": "x", "customId": "y"}}
    )
    assert "different values" in error["message"]


def test_update_company_and_null_unsets(client: Client, tenant: Tenant) -> None:
    company = client.ok(CREATE, {"p": tenant.product_id, "n": "A", "d": "a.com", "arr": 5.0})[
        "createCompany"
    ]
    updated = client.ok(
        """mutation($id: ID!) { updateCompany(id: $id, name: "A2", arr: null,
             externalId: {zendesk: "z-9"}) { id name arr domain zendeskId } }""",
        {"id": company["id"]},
    )["updateCompany"]
    assert updated == {
        "id": company["id"],
        "name": "A2",
        "arr": None,
        "domain": "a.com",
        "zendeskId": "z-9",
    }


def test_search_and_filters(client: Client, tenant: Tenant) -> None:
    stage = add_attribute(client, tenant, "Stage", "SINGLE_SELECT", ["Lead", "Won"])
    for name, domain, custom, value in [
        ("Acme", "acme.com", "a", "Won"),
        ("Globex", "globex.io", "g", "Lead"),
        ("Initech", "initech.com", "i", None),
    ]:
        attrs = (
            []
            if value is None
            else [{"attributeDefinitionId": stage["id"], "value": {"select": value}}]
        )
        client.ok(
            CREATE,
            {
                "p": tenant.product_id,
                "n": name,
                "d": domain,
                "x": {"customId": custom},
                "attrs": attrs,
            },
        )
    assert _names(client, tenant, text="glob") == ["Globex"]
    assert _names(client, tenant, text=".com") == ["Acme", "Initech"]
    assert _names(client, tenant, text="i") == ["Globex", "Initech"]  # globex.io, Initech
    assert _names(client, tenant, filter={"externalId": {"customId": "i"}}) == ["Initech"]
    won = {"attributes": [{"attributeDefinitionId": stage["id"], "value": {"select": "Won"}}]}
    assert _names(client, tenant, filter=won) == ["Acme"]
    unset = {"attributes": [{"attributeDefinitionId": stage["id"], "value": None}]}
    assert _names(client, tenant, filter=unset) == ["Initech"]


def test_customers_lifecycle(client: Client, tenant: Tenant) -> None:
    company = client.ok(CREATE, {"p": tenant.product_id, "n": "Acme"})["createCompany"]
    created = client.ok(
        """mutation($p: ID!, $c: ID!) { createCustomer(productId: $p, email: "jo@acme.com",
             name: "Jo", companyId: $c) { id email name company { name } } }""",
        {"p": tenant.product_id, "c": company["id"]},
    )["createCustomer"]
    assert created["company"] == {"name": "Acme"}
    found = client.ok(
        """query($p: ID!) { node(id: $p) { ... on Product { customers(searchText: "jo@", pagination: {size: 1}) {
             edges { node { id email } } } } } }""",
        {"p": tenant.product_id},
    )["node"]["customers"]["edges"]
    assert [e["node"]["id"] for e in found] == [created["id"]]
    renamed = client.ok(
        """mutation($id: ID!) { updateCustomer(customerId: $id, name: "Joanna", companyId: null) {
             name email company { id } } }""",
        {"id": created["id"]},
    )["updateCustomer"]
    assert renamed == {"name": "Joanna", "email": "jo@acme.com", "company": None}
    client.ok(
        "mutation($id: ID!) { removeCustomer(customerId: $id) { id } }", {"id": created["id"]}
    )
    assert (
        client.ok("query($id: ID!) { node(id: $id) { id } }", {"id": created["id"]})["node"] is None
    )


def test_delete_company_takes_its_people(client: Client, tenant: Tenant) -> None:
    company = client.ok(CREATE, {"p": tenant.product_id, "n": "Acme", "e": "a@acme.com"})[
        "createCompany"
    ]
    person_id = company["customers"]["edges"][0]["node"]["id"]
    deleted = client.ok(
        "mutation($id: ID!) { deleteCompany(id: $id) { id name } }", {"id": company["id"]}
    )
    assert deleted["deleteCompany"] == {"id": company["id"], "name": "Acme"}
    assert client.ok("query($id: ID!) { node(id: $id) { id } }", {"id": person_id})["node"] is None
    assert _names(client, tenant) == []


def test_csv_mutations_return_their_reports(client: Client, tenant: Tenant) -> None:
    body = client.upload(
        IMPORT,
        {"file": None, "workspaceId": tenant.product_id},
        b"companyName,name,email,customId\nAcme,Jo,jo@acme.com,acme\nBad,,x@x.com,b\n",
    )
    report = body["data"]["importCustomersFromCSV"]
    assert report["companies"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert report["people"]["created"] == 1
    assert report["refused"] == [
        {"row": 3, "column": "name", "reason": report["refused"][0]["reason"]}
    ]
    add_attribute(client, tenant, "Tier", "TEXT")
    body = client.upload(
        UPDATE_FROM_CSV,
        {"file": None, "workspaceId": tenant.product_id},
        b"customId,Tier\nacme,gold\nnope,silver\n",
    )
    report = body["data"]["updateCompanyAttributeValuesFromCSV"]
    assert (report["rowsApplied"], report["rowsRefused"], report["values"]["set"]) == (1, 1, 1)
    body = client.upload(
        UPDATE_FROM_CSV,
        {"file": None, "workspaceId": tenant.product_id},
        b"customId,tier\nacme,x\n",
    )
    assert body["data"] is None or body["data"]["updateCompanyAttributeValuesFromCSV"] is None
    assert "'tier'" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_non_csv_upload_changes_nothing(client: Client, tenant: Tenant) -> None:
    body = client.upload(
        IMPORT, {"file": None, "workspaceId": tenant.product_id}, b"\x89PNG\r\n\x1a\n...."
    )
    assert "not CSV" in body["errors"][0]["message"]
    assert _names(client, tenant) == []
