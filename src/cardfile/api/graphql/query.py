"""Root queries."""

from __future__ import annotations

import strawberry

from cardfile import ids
from cardfile.api.graphql.attributes import (
    DEFINITION_NAMES,
    OPTION,
    SelectStringValue,
    definition_of,
)
from cardfile.api.graphql.context import Resolved, reading
from cardfile.api.graphql.errors import CANT_SEE_PRODUCT, error
from cardfile.api.graphql.node import Node
from cardfile.api.graphql.records import Company, Customer, Product
from cardfile.api.graphql.scalars import DefaultString
from cardfile.api.graphql.syncs import Sync, SyncRun, get_run, get_sync, list_syncs
from cardfile.store import attributes as store_attributes
from cardfile.store import companies, people, workspaces
from cardfile.store.errors import NotFound


@strawberry.type
class Query:
    """Read the workspace the API key belongs to."""

    @strawberry.field
    def getProductBySlug(self, info: Resolved, slug: DefaultString) -> Product | None:
        """The workspace with this slug; it must be the API key's own."""
        with reading(info) as context:
            workspace = workspaces.by_slug(context.session, slug)
            if workspace is None or workspace.id != context.workspace_id:
                raise error("You can't see this product", CANT_SEE_PRODUCT)
            return Product.of(workspace)

    @strawberry.field
    def syncs(self, info: Resolved) -> list[Sync]:
        """The workspace's syncs, each with its latest run (Cardfile's own)."""
        return list_syncs(info)

    @strawberry.field
    def sync(self, info: Resolved, name: str) -> Sync:
        """One sync by name (Cardfile's own)."""
        return get_sync(info, name)

    @strawberry.field
    def sync_run(self, info: Resolved, id: strawberry.ID) -> SyncRun:
        """One sync run: its status and counts (Cardfile's own)."""
        return get_run(info, str(id))

    @strawberry.field
    def node(self, info: Resolved, id: strawberry.ID) -> Node | None:
        """Any object of the caller's workspace by its global id; null when there is none."""
        with reading(info) as context:
            try:
                type_name, pk = ids.decode_any(id)
            except ids.InvalidId:
                return None
            session, workspace_id = context.session, context.workspace_id
            if type_name == "Product":
                found = workspaces.get(session, pk)
                return Product.of(found) if found and found.id == workspace_id else None
            if type_name == "Company":
                company = companies.find(session, workspace_id, pk)
                return Company.of(company) if company else None
            if type_name == "Customer":
                person = people.find(session, workspace_id, pk)
                return Customer.of(person) if person else None
            try:
                if type_name in DEFINITION_NAMES:
                    definition = store_attributes.get_definition(session, workspace_id, pk)
                    return definition_of(definition)  # type: ignore[no-any-return]
                if type_name == OPTION:
                    return SelectStringValue.of(
                        store_attributes.get_option(session, workspace_id, pk)
                    )
            except NotFound:
                return None
            return None
