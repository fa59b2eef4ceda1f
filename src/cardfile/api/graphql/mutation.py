"""Root mutations: Cycle's, plus what its users need next (deletes, renames, options)."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from cardfile import ids
from cardfile.api.graphql.attributes import (
    OPTION,
    CompanyAttribute,
    CompanyAttributeDefinition,
    SelectStringValue,
    company_attribute,
    decode_definition_id,
    definition_of,
)
from cardfile.api.graphql.context import Context, Resolved, writing
from cardfile.api.graphql.errors import BAD_USER_INPUT, error
from cardfile.api.graphql.inputs import (
    AddNewCompanyAttributeInput,
    CompanyAttributeInput,
    CompanyAttributeValueInput,
    ExternalCompanyInput,
    attribute_type,
    external_ids,
    value_json,
)
from cardfile.api.graphql.records import Company, Customer
from cardfile.api.graphql.scalars import Color, DefaultString, EmailAddress, SelectAttributeString
from cardfile.api.graphql.syncs import (
    Sync,
    SyncRun,
    cancel_run,
    delete_sync,
    run_sync,
    save_sync,
)
from cardfile.ingest.csv import import_people, update_companies
from cardfile.store import attributes as store_attributes
from cardfile.store import companies, people
from cardfile.store.errors import Invalid


def _stream(upload: Upload) -> BinaryIO:
    """The uploaded file's bytes; on ASGI an ``Upload`` is Starlette's ``UploadFile``, whose
    spooled temporary file is read synchronously here (this runs in a worker thread)."""
    return cast(BinaryIO, cast(Any, upload).file)


def _company(context: Context, company_id: str) -> Any:
    return companies.get(context.session, context.workspace_id, ids.decode(company_id, "Company"))


def _customer(context: Context, customer_id: str) -> Any:
    return people.get(context.session, context.workspace_id, ids.decode(customer_id, "Customer"))


def _definition(context: Context, definition_id: str) -> Any:
    pk = decode_definition_id(definition_id)
    return store_attributes.get_definition(context.session, context.workspace_id, pk)


def _set_attribute(
    context: Context, company_id: int, definition_id: str, value: CompanyAttributeValueInput | None
) -> Any:
    definition = _definition(context, definition_id)
    if definition.entity != store_attributes.COMPANY:
        raise error("that attribute is not a company attribute", BAD_USER_INPUT)
    stored = value_json(context.session, definition, value)
    current = store_attributes.value_row(
        context.session, store_attributes.COMPANY, company_id, definition.id
    )
    if (current[1] if current else None) != stored:
        store_attributes.set_values(
            context.session, store_attributes.COMPANY, [(company_id, definition.id, stored)]
        )
    return definition


def _company_fields(
    name: str | Any | None,
    domain: str | Any | None,
    arr: float | Any | None,
    number_of_employees: int | Any | None,
    external_id: ExternalCompanyInput | None,
) -> dict[str, Any]:
    given = {
        "name": name,
        "domain": domain,
        "arr": arr,
        "number_of_employees": number_of_employees,
    }
    fields = {k: v for k, v in given.items() if v is not strawberry.UNSET}
    if "name" in fields and fields["name"] is None:
        raise error("a company's name cannot be null", BAD_USER_INPUT)
    fields.update(external_ids(external_id))
    return fields


@strawberry.type
class Mutation:
    """Change the workspace the API key belongs to."""

    @strawberry.mutation
    def save_sync(self, info: Resolved, definition: JSON) -> Sync:
        """Create or replace a sync (Cardfile's own); checked against the vendor's fields."""
        return save_sync(info, cast(dict[str, Any], definition))

    @strawberry.mutation
    def delete_sync(self, info: Resolved, name: str) -> bool:
        """Delete a sync with its runs (Cardfile's own)."""
        return delete_sync(info, name)

    @strawberry.mutation
    def run_sync(
        self, info: Resolved, name: str, full: bool = False, dry_run: bool = False
    ) -> SyncRun:
        """Queue a run of a sync (Cardfile's own)."""
        return run_sync(info, name, full, dry_run)

    @strawberry.mutation
    def cancel_sync_run(self, info: Resolved, id: strawberry.ID) -> SyncRun:
        """Ask a sync run to stop (Cardfile's own)."""
        return cancel_run(info, str(id))

    @strawberry.mutation
    def importCustomersFromCSV(
        self, info: Resolved, csvFile: Upload, productId: strawberry.ID
    ) -> JSON:
        """Import a people-granularity CSV. Returns the import's report: companies and
        people created/updated/unchanged, and each refused row with its column and reason."""
        with writing(info) as context:
            workspace = context.product(productId)
            report = import_people(context.session, workspace.id, _stream(csvFile))
            return JSON(report.as_dict())

    @strawberry.mutation
    def updateCompanyAttributeValuesFromCSV(
        self,
        info: Resolved,
        csvFile: Upload,
        productId: strawberry.ID,
        identifier: str | None = None,
    ) -> JSON:
        """Bulk-update companies from a CSV. ``identifier`` names the column that matches
        companies; without it each row is matched by the identifier columns it fills, in the
        order customId, the CRM ids, companyName."""
        with writing(info) as context:
            workspace = context.product(productId)
            report = update_companies(
                context.session, workspace.id, _stream(csvFile), identifier=identifier
            )
            return JSON(report.as_dict())

    @strawberry.mutation
    def addNewCompanyAttribute(
        self, info: Resolved, input: AddNewCompanyAttributeInput
    ) -> CompanyAttributeDefinition:
        """Define a company attribute (a new column of the company table)."""
        with writing(info) as context:
            workspace = context.product(input.productId)
            kind, values = attribute_type(input.type)
            definition = store_attributes.create_definition(
                context.session,
                workspace_id=workspace.id,
                entity=store_attributes.COMPANY,
                name=input.name,
                type=kind,
                color=input.color,
                options=values,
            )
            return definition_of(definition)  # type: ignore[no-any-return]

    @strawberry.mutation
    def updateCompanyAttributeDefinition(
        self,
        info: Resolved,
        id: strawberry.ID,
        name: DefaultString | None = None,
        color: Color | None = None,
    ) -> CompanyAttributeDefinition:
        """Rename or recolour an attribute; its values are kept."""
        with writing(info) as context:
            definition = store_attributes.rename_definition(
                context.session, _definition(context, id), name=name, color=color
            )
            return definition_of(definition)  # type: ignore[no-any-return]

    @strawberry.mutation
    def deleteCompanyAttributeDefinition(
        self, info: Resolved, id: strawberry.ID
    ) -> CompanyAttributeDefinition:
        """Delete an attribute and every company's value of it."""
        with writing(info) as context:
            definition = _definition(context, id)
            deleted = definition_of(definition)
            store_attributes.delete_definition(context.session, definition)
            return deleted  # type: ignore[no-any-return]

    @strawberry.mutation
    def addSelectAttributeValue(
        self, info: Resolved, attributeDefinitionId: strawberry.ID, value: SelectAttributeString
    ) -> SelectStringValue:
        """Add an option to a single-select attribute."""
        with writing(info) as context:
            option = store_attributes.add_option(
                context.session, _definition(context, attributeDefinitionId), value
            )
            return SelectStringValue.of(option)

    @strawberry.mutation
    def removeSelectAttributeValue(self, info: Resolved, id: strawberry.ID) -> SelectStringValue:
        """Remove an option; companies that had chosen it are left without a value."""
        with writing(info) as context:
            option = store_attributes.get_option(
                context.session, context.workspace_id, ids.decode(id, OPTION)
            )
            removed = SelectStringValue.of(option)
            store_attributes.remove_option(context.session, option)
            return removed

    @strawberry.mutation
    def updateCompanyAttributeValue(
        self,
        info: Resolved,
        companyId: strawberry.ID,
        attributeDefinitionId: strawberry.ID,
        value: CompanyAttributeValueInput | None,
    ) -> CompanyAttribute:
        """Set one attribute of one company; a null value (or ``{text: null}``) unsets it."""
        with writing(info) as context:
            company = _company(context, companyId)
            definition = _set_attribute(context, company.id, attributeDefinitionId, value)
            held = store_attributes.value_row(
                context.session, store_attributes.COMPANY, company.id, definition.id
            )
            return company_attribute(context.session, company.id, definition, held)  # type: ignore[no-any-return]

    @strawberry.mutation
    def createCompany(
        self,
        info: Resolved,
        productId: strawberry.ID,
        name: DefaultString,
        domain: str | None = strawberry.UNSET,
        customerEmail: EmailAddress | None = None,
        customerName: DefaultString | None = None,
        arr: float | None = strawberry.UNSET,
        numberOfEmployees: int | None = strawberry.UNSET,
        externalId: ExternalCompanyInput | None = None,
        attributes: list[CompanyAttributeInput] | None = None,
    ) -> Company:
        """Create a company, optionally with its first customer and attribute values."""
        with writing(info) as context:
            workspace = context.product(productId)
            fields = _company_fields(name, domain, arr, numberOfEmployees, externalId)
            company = companies.create(context.session, workspace.id, fields)
            if customerEmail:
                existing = people.match(context.session, workspace.id, email=customerEmail)
                person_fields = {"company_id": company.id, "name": customerName or None}
                if existing is None:
                    people.create(
                        context.session, workspace.id, {**person_fields, "email": customerEmail}
                    )
                else:
                    people.update(context.session, existing, person_fields)
            for item in attributes or []:
                _set_attribute(context, company.id, item.attributeDefinitionId, item.value)
            return Company.of(company)

    @strawberry.mutation
    def updateCompany(
        self,
        info: Resolved,
        id: strawberry.ID,
        name: DefaultString | None = strawberry.UNSET,
        domain: str | None = strawberry.UNSET,
        arr: float | None = strawberry.UNSET,
        numberOfEmployees: int | None = strawberry.UNSET,
        externalId: ExternalCompanyInput | None = None,
    ) -> Company:
        """Change a company's fields; a null unsets a field (but a name is required)."""
        with writing(info) as context:
            company = _company(context, id)
            fields = _company_fields(name, domain, arr, numberOfEmployees, externalId)
            return Company.of(companies.update(context.session, company, fields))

    @strawberry.mutation
    def deleteCompany(self, info: Resolved, id: strawberry.ID) -> Company:
        """Delete a company with its customers and attribute values."""
        with writing(info) as context:
            company = _company(context, id)
            deleted = Company.of(company)
            companies.delete_company(context.session, company)
            return deleted

    @strawberry.mutation
    def createCustomer(
        self,
        info: Resolved,
        productId: strawberry.ID,
        email: EmailAddress,
        name: DefaultString | None = None,
        companyId: strawberry.ID | None = None,
    ) -> Customer:
        """Create a customer (a person), optionally in a company."""
        with writing(info) as context:
            workspace = context.product(productId)
            fields: dict[str, Any] = {"email": email, "name": name}
            if companyId is not None:
                fields["company_id"] = _company(context, companyId).id
            return Customer.of(people.create(context.session, workspace.id, fields))

    @strawberry.mutation
    def updateCustomer(
        self,
        info: Resolved,
        customerId: strawberry.ID,
        name: str | None = strawberry.UNSET,
        email: EmailAddress | None = strawberry.UNSET,
        companyId: strawberry.ID | None = strawberry.UNSET,
    ) -> Customer:
        """Change a customer's name, email or company (a null company detaches it)."""
        with writing(info) as context:
            person = _customer(context, customerId)
            fields: dict[str, Any] = {}
            if name is not strawberry.UNSET:
                fields["name"] = name
            if email is not strawberry.UNSET:
                if email is None:
                    raise Invalid("a customer's email cannot be null", field="email")
                fields["email"] = email
            if companyId is not strawberry.UNSET:
                fields["company_id"] = (
                    None if companyId is None else _company(context, companyId).id
                )
            return Customer.of(people.update(context.session, person, fields))

    @strawberry.mutation
    def removeCustomer(self, info: Resolved, customerId: strawberry.ID) -> Customer:
        """Delete a customer."""
        with writing(info) as context:
            person = _customer(context, customerId)
            removed = Customer.of(person)
            people.delete_person(context.session, person)
            return removed
