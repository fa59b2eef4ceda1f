"""Bearer keys: refused without one, and a key never reaches another workspace's data."""

from __future__ import annotations

import requests
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import api_keys
from cardfile.store.db import transaction
from tests.api.graphql.conftest import Client
from tests.conftest import LiveServer, Tenant, make_tenant

BY_SLUG = "query($slug: DefaultString!) { getProductBySlug(slug: $slug) { id name slug } }"
CREATE = """
mutation($productId: ID!, $name: DefaultString!) {
  createCompany(productId: $productId, name: $name) { id name }
}
"""


def test_a_missing_key_is_unauthorized_with_http_200(server: LiveServer, tenant: Tenant) -> None:
    error = Client(server, None).error(BY_SLUG, {"slug": tenant.slug})
    assert error["extensions"]["code"] == "UNAUTHORIZED"
    assert "Authorization" in error["message"]


def test_a_wrong_key_is_unauthorized(server: LiveServer, tenant: Tenant) -> None:
    error = Client(server, "cf_not-a-key").error(BY_SLUG, {"slug": tenant.slug})
    assert error["extensions"]["code"] == "UNAUTHORIZED"


def test_a_revoked_key_is_unauthorized(
    server: LiveServer, tenant: Tenant, sessions: sessionmaker[Session]
) -> None:
    client = Client(server, tenant.key)
    assert client.ok(BY_SLUG, {"slug": tenant.slug})["getProductBySlug"]["slug"] == tenant.slug
    with transaction(sessions) as session:
        for key in api_keys.list_for(session, tenant.workspace_id):
            api_keys.revoke(session, key.id)
    assert client.error(BY_SLUG, {"slug": tenant.slug})["extensions"]["code"] == "UNAUTHORIZED"


def test_a_non_bearer_scheme_is_refused(server: LiveServer, tenant: Tenant) -> None:
    response = requests.post(
        f"{server.url}/graphql",
        json={"query": BY_SLUG, "variables": {"slug": tenant.slug}},
        headers={"Authorization": f"Basic {tenant.key}"},
        timeout=10,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


def test_another_workspace_is_invisible(
    server: LiveServer, tenant: Tenant, sessions: sessionmaker[Session]
) -> None:
    other = make_tenant(sessions, "wayne")
    ours, theirs = Client(server, tenant.key), Client(server, other.key)
    company_id = theirs.ok(CREATE, {"productId": other.product_id, "name": "Wayne"})[
        "createCompany"
    ]["id"]

    # Their slug, their product id, their company: none is reachable with our key.
    assert ours.error(BY_SLUG, {"slug": other.slug})["extensions"]["code"] == "CANT_SEE_PRODUCT"
    error = ours.error(CREATE, {"productId": other.product_id, "name": "Intruder"})
    assert error["extensions"]["code"] == "CANT_SEE_PRODUCT"
    node = ours.ok("query($id: ID!) { node(id: $id) { id } }", {"id": company_id})
    assert node["node"] is None
    error = ours.error("mutation($id: ID!) { deleteCompany(id: $id) { id } }", {"id": company_id})
    assert error["extensions"]["code"] == "NOT_FOUND"
    listing = ours.ok(
        "query($id: ID!) { node(id: $id) { ... on Product { companies { edges { node { id } } } } } }",
        {"id": tenant.product_id},
    )
    assert listing["node"]["companies"]["edges"] == []
    # And theirs is still there.
    assert theirs.ok("query($id: ID!) { node(id: $id) { id } }", {"id": company_id})["node"]
