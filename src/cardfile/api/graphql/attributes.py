"""Attribute definitions and company attribute values, as Cycle's union types."""

from __future__ import annotations

import base64
from typing import Annotated, Any

import strawberry
from sqlalchemy.orm import Session

from cardfile import ids
from cardfile.api.graphql.context import Resolved
from cardfile.api.graphql.node import Node
from cardfile.api.graphql.pagination import Connection, Pagination, connection, page_request
from cardfile.store import attributes as store_attributes
from cardfile.store.pages import page_of
from cardfile.store.schema import AttributeDefinition, AttributeOption
from cardfile.types import AttributeType

OPTION = "SelectStringValue"


@strawberry.type
class SelectStringValue(Node):
    """One option of a single-select attribute."""

    id: strawberry.ID
    value: str

    @classmethod
    def of(cls, option: AttributeOption) -> SelectStringValue:
        """The GraphQL object of an option row."""
        return cls(id=strawberry.ID(ids.encode(OPTION, option.id)), value=option.title)


@strawberry.interface
class AttributeDefinitionBase(Node):
    """Fields every attribute definition has."""

    id: strawberry.ID
    name: str
    color: str | None
    _model: strawberry.Private[AttributeDefinition]


@strawberry.type
class AttributeTextDefinition(AttributeDefinitionBase):
    """A text attribute."""


@strawberry.type
class AttributeNumberDefinition(AttributeDefinitionBase):
    """A number attribute."""


@strawberry.type
class AttributeCheckboxDefinition(AttributeDefinitionBase):
    """A checkbox (boolean) attribute."""


@strawberry.type
class AttributeSingleSelectDefinition(AttributeDefinitionBase):
    """A single-select attribute, with its options."""

    @strawberry.field
    def valuesV2(
        self, info: Resolved, pagination: Pagination | None = None
    ) -> Connection[SelectStringValue]:
        """The attribute's options, paginated."""
        choices = info.context.options_of(self._model)
        page = page_of(choices, lambda option: option.id, page_request(pagination, OPTION))
        return connection(page, [SelectStringValue.of(o) for o in page.items])


DEFINITION_TYPES: dict[AttributeType, type[AttributeDefinitionBase]] = {
    AttributeType.TEXT: AttributeTextDefinition,
    AttributeType.NUMBER: AttributeNumberDefinition,
    AttributeType.CHECKBOX: AttributeCheckboxDefinition,
    AttributeType.SELECT: AttributeSingleSelectDefinition,
}
DEFINITION_NAMES = tuple(cls.__name__ for cls in DEFINITION_TYPES.values())

CompanyAttributeDefinition = Annotated[
    AttributeTextDefinition
    | AttributeNumberDefinition
    | AttributeCheckboxDefinition
    | AttributeSingleSelectDefinition,
    strawberry.union("CompanyAttributeDefinition"),
]


def definition_id(definition: AttributeDefinition) -> str:
    """The global id of a definition (its type name follows its attribute type)."""
    return ids.encode(DEFINITION_TYPES[AttributeType(definition.type)].__name__, definition.id)


def definition_of(definition: AttributeDefinition) -> Any:
    """The GraphQL object of a definition row."""
    cls = DEFINITION_TYPES[AttributeType(definition.type)]
    return cls(
        id=strawberry.ID(definition_id(definition)),
        name=definition.name,
        color=definition.color,
        _model=definition,
    )


def decode_definition_id(global_id: str) -> int:
    """The row id of a definition's global id, whatever its attribute type."""
    return ids.decode(global_id, *DEFINITION_NAMES)


# --- values -----------------------------------------------------------------------------


@strawberry.type
class AttributeTextValue:
    """A text value."""

    id: strawberry.ID
    value: str


@strawberry.type
class AttributeNumberValue:
    """A number value."""

    id: strawberry.ID
    value: float


@strawberry.type
class AttributeCheckboxValue:
    """A checkbox value."""

    id: strawberry.ID
    value: bool


@strawberry.type
class CompanyAttributeText:
    """A company's value of a text attribute (``value`` is null when unset)."""

    id: strawberry.ID
    definition: AttributeTextDefinition
    value: AttributeTextValue | None


@strawberry.type
class CompanyAttributeNumber:
    """A company's value of a number attribute."""

    id: strawberry.ID
    definition: AttributeNumberDefinition
    value: AttributeNumberValue | None


@strawberry.type
class CompanyAttributeCheckbox:
    """A company's value of a checkbox attribute."""

    id: strawberry.ID
    definition: AttributeCheckboxDefinition
    value: AttributeCheckboxValue | None


@strawberry.type
class CompanyAttributeSingleSelect:
    """A company's value of a single-select attribute: the chosen option."""

    id: strawberry.ID
    definition: AttributeSingleSelectDefinition
    value: SelectStringValue | None


CompanyAttribute = Annotated[
    CompanyAttributeCheckbox
    | CompanyAttributeText
    | CompanyAttributeSingleSelect
    | CompanyAttributeNumber,
    strawberry.union("CompanyAttribute"),
]


def attribute_id(company_id: int, definition_pk: int) -> str:
    """The id of a company's value slot for one attribute (stable whether set or not)."""
    return base64.b64encode(f"CompanyAttribute_{company_id}:{definition_pk}".encode()).decode()


def company_attribute(
    session: Session,
    company_id: int,
    definition: AttributeDefinition,
    held: tuple[int, object] | None,
) -> Any:
    """The union member for ``definition``'s value on a company (``held`` is the stored
    ``(row id, json value)``, or None when unset)."""
    kind = AttributeType(definition.type)
    slot = strawberry.ID(attribute_id(company_id, definition.id))
    graph_definition = definition_of(definition)
    if kind is AttributeType.SELECT:
        option = None
        if held is not None:
            row = session.get(AttributeOption, int(str(held[1])))
            option = None if row is None else SelectStringValue.of(row)
        return CompanyAttributeSingleSelect(id=slot, definition=graph_definition, value=option)
    value_id = None if held is None else strawberry.ID(ids.encode(_VALUE_NAMES[kind], held[0]))
    if kind is AttributeType.NUMBER:
        number = None if held is None else AttributeNumberValue(id=value_id, value=float(held[1]))  # type: ignore[arg-type]
        return CompanyAttributeNumber(id=slot, definition=graph_definition, value=number)
    if kind is AttributeType.CHECKBOX:
        box = None if held is None else AttributeCheckboxValue(id=value_id, value=bool(held[1]))  # type: ignore[arg-type]
        return CompanyAttributeCheckbox(id=slot, definition=graph_definition, value=box)
    text = None if held is None else AttributeTextValue(id=value_id, value=str(held[1]))  # type: ignore[arg-type]
    return CompanyAttributeText(id=slot, definition=graph_definition, value=text)


_VALUE_NAMES = {
    AttributeType.TEXT: "AttributeTextValue",
    AttributeType.NUMBER: "AttributeNumberValue",
    AttributeType.CHECKBOX: "AttributeCheckboxValue",
}


def definitions_connection(
    session: Session, workspace_id: int, pagination: Pagination | None
) -> Connection[CompanyAttributeDefinition]:
    """A page of the workspace's company attribute definitions."""
    page = store_attributes.page_definitions(
        session,
        workspace_id,
        store_attributes.COMPANY,
        page_request(pagination, *DEFINITION_NAMES),
    )
    return connection(page, [definition_of(d) for d in page.items])
