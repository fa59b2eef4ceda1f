"""Products (workspaces), companies and customers (people)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from cardfile import ids
from cardfile.api.graphql.attributes import (
    CompanyAttribute,
    CompanyAttributeDefinition,
    company_attribute,
    definitions_connection,
)
from cardfile.api.graphql.context import Resolved, reading
from cardfile.api.graphql.inputs import CompanyFilterInput, company_filter
from cardfile.api.graphql.node import Node
from cardfile.api.graphql.pagination import (
    Connection,
    Pagination,
    connection,
    page_request,
)
from cardfile.api.graphql.scalars import DefaultString
from cardfile.store import attributes as store_attributes
from cardfile.store import companies as store_companies
from cardfile.store import people as store_people
from cardfile.store.pages import Page, page_of
from cardfile.store.schema import AttributeDefinition, Person, Workspace
from cardfile.store.schema import Company as CompanyRow

VALUE_CURSOR = "CompanyAttributeValue"


@strawberry.type
class Customer(Node):
    """A person: Cycle's customer."""

    id: strawberry.ID
    _model: strawberry.Private[Person]

    @strawberry.field
    def email(self) -> str | None:
        """The person's email (lowercased)."""
        return self._model.email

    @strawberry.field
    def name(self) -> str | None:
        """The person's full name, or ``Main contact``."""
        return self._model.name

    @strawberry.field
    def company(self, info: Resolved) -> Annotated[Company, strawberry.lazy(__name__)] | None:
        """The company the person belongs to."""
        if self._model.company_id is None:
            return None
        found = store_companies.find(
            info.context.session, self._model.workspace_id, self._model.company_id
        )
        return None if found is None else Company.of(found)

    @classmethod
    def of(cls, person: Person) -> Customer:
        """The GraphQL object of a person row."""
        return cls(id=strawberry.ID(ids.encode("Customer", person.id)), _model=person)


def customers_connection(page: Page[Person]) -> Connection[Customer]:
    """A connection of a page of people."""
    return connection(page, [Customer.of(p) for p in page.items])


@strawberry.type
class Company(Node):
    """A customer company, with the id each CRM gives it."""

    id: strawberry.ID
    _model: strawberry.Private[CompanyRow]

    @classmethod
    def of(cls, company: CompanyRow) -> Company:
        """The GraphQL object of a company row."""
        return cls(id=strawberry.ID(ids.encode("Company", company.id)), _model=company)

    @strawberry.field
    def name(self) -> str:
        """The company's name."""
        return self._model.name

    @strawberry.field
    def domain(self) -> str | None:
        """The company's web domain."""
        return self._model.domain

    @strawberry.field
    def arr(self) -> float | None:
        """Annual recurring revenue."""
        return self._model.arr

    @strawberry.field
    def numberOfEmployees(self) -> int | None:
        """Head count."""
        return self._model.number_of_employees

    @strawberry.field
    def isDefault(self) -> bool:
        """Cycle's flag for its placeholder company; Cardfile has none."""
        return False

    @strawberry.field
    def logo(self) -> str | None:
        """Cycle's logo URL; Cardfile keeps no logos."""
        return None

    @strawberry.field
    def customId(self) -> str | None:
        """Your own id for the company."""
        return self._model.custom_id

    @strawberry.field
    def attioId(self) -> str | None:
        """The company's id in Attio."""
        return self._model.attio_id

    @strawberry.field
    def zendeskId(self) -> str | None:
        """The company's id in Zendesk."""
        return self._model.zendesk_id

    @strawberry.field
    def hubspotId(self) -> str | None:
        """The company's id in HubSpot."""
        return self._model.hubspot_id

    @strawberry.field
    def intercomId(self) -> str | None:
        """The company's id in Intercom."""
        return self._model.intercom_id

    @strawberry.field
    def pipedriveId(self) -> str | None:
        """The company's id in Pipedrive."""
        return self._model.pipedrive_id

    @strawberry.field
    def snowflakeId(self) -> str | None:
        """The company's id in Snowflake."""
        return self._model.snowflake_id

    @strawberry.field
    def salesforceId(self) -> str | None:
        """The company's id in Salesforce."""
        return self._model.salesforce_id

    @strawberry.field
    def zohoId(self) -> str | None:
        """The company's id in Zoho CRM."""
        return self._model.zoho_id

    @strawberry.field
    def sugarcrmId(self) -> str | None:
        """The company's id in SugarCRM."""
        return self._model.sugarcrm_id

    @strawberry.field
    def customers(
        self, info: Resolved, pagination: Pagination | None = None
    ) -> Connection[Customer]:
        """The company's people."""
        page = store_people.page(
            info.context.session,
            self._model.workspace_id,
            None,
            page_request(pagination, "Customer"),
            company_id=self._model.id,
        )
        return customers_connection(page)

    @strawberry.field
    def attributes(
        self, info: Resolved, pagination: Pagination | None = None
    ) -> Connection[CompanyAttribute]:
        """The company's attribute values that are set."""
        session = info.context.session
        held = store_attributes.values_of(session, store_attributes.COMPANY, [self._model.id])
        rows = sorted(held.get(self._model.id, []))
        page = page_of(rows, lambda row: row[0], page_request(pagination, VALUE_CURSOR))
        nodes = []
        for row_id, definition_pk, value in page.items:
            definition = session.get(AttributeDefinition, definition_pk)
            assert definition is not None
            nodes.append(company_attribute(session, self._model.id, definition, (row_id, value)))
        return connection(page, nodes, [ids.encode(VALUE_CURSOR, r[0]) for r in page.items])


@strawberry.type
class Product(Node):
    """A workspace: Cycle calls it a product."""

    id: strawberry.ID
    name: str
    slug: str
    _model: strawberry.Private[Workspace]

    @classmethod
    def of(cls, workspace: Workspace) -> Product:
        """The GraphQL object of a workspace row."""
        return cls(
            id=strawberry.ID(ids.encode("Product", workspace.id)),
            name=workspace.name,
            slug=workspace.slug,
            _model=workspace,
        )

    @strawberry.field
    def companyAttributeDefinitions(
        self, info: Resolved, pagination: Pagination | None = None
    ) -> Connection[CompanyAttributeDefinition]:
        """The company attributes defined in the workspace."""
        with reading(info) as context:
            return definitions_connection(context.session, self._model.id, pagination)

    @strawberry.field
    def attributeDefinitions(
        self, info: Resolved, pagination: Pagination | None = None
    ) -> Connection[CompanyAttributeDefinition]:
        """All attribute definitions; in Cardfile these are the company attributes."""
        with reading(info) as context:
            return definitions_connection(context.session, self._model.id, pagination)

    @strawberry.field
    def companies(
        self,
        info: Resolved,
        searchText: DefaultString | None = None,
        filter: CompanyFilterInput | None = None,
        pagination: Pagination | None = None,
    ) -> Connection[Company]:
        """The workspace's companies: searched by name, domain or any id, and filtered by
        exact ids and attribute values."""
        with reading(info) as context:
            where = company_filter(context.session, self._model.id, searchText, filter)
            page = store_companies.page(
                context.session, self._model.id, where, page_request(pagination, "Company")
            )
            return connection(page, [Company.of(c) for c in page.items])

    @strawberry.field
    def customers(
        self,
        info: Resolved,
        searchText: DefaultString | None = None,
        pagination: Pagination | None = None,
    ) -> Connection[Customer]:
        """The workspace's people, searched by name or email."""
        with reading(info) as context:
            page = store_people.page(
                context.session, self._model.id, searchText, page_request(pagination, "Customer")
            )
            return customers_connection(page)
