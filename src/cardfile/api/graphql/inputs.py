"""Input types shared by queries and mutations, and their translation for the store."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy.orm import Session

from cardfile import ids
from cardfile.api.graphql.attributes import OPTION, decode_definition_id
from cardfile.api.graphql.errors import BAD_USER_INPUT, error
from cardfile.api.graphql.scalars import Color, DefaultString, SelectAttributeString
from cardfile.store import attributes as store_attributes
from cardfile.store.companies import CompanyFilter
from cardfile.store.schema import EXTERNAL_ID_COLUMNS, AttributeDefinition
from cardfile.types import AttributeType, parse, to_json


@strawberry.input
class CompanyAttributeValueInput:
    """A value for one attribute: set exactly one field, the one of the attribute's type.

    ``select`` takes the option's id or its text. A null (``{text: null}``), like a null
    ``value`` argument, unsets the attribute.
    """

    text: str | None = strawberry.UNSET
    number: float | None = strawberry.UNSET
    checkbox: bool | None = strawberry.UNSET
    select: str | None = strawberry.UNSET


_INPUT_KEY = {
    AttributeType.TEXT: "text",
    AttributeType.NUMBER: "number",
    AttributeType.CHECKBOX: "checkbox",
    AttributeType.SELECT: "select",
}


def value_json(
    session: Session, definition: AttributeDefinition, value: CompanyAttributeValueInput | None
) -> object | None:
    """The stored JSON value for an input, checked against the definition's type."""
    if value is None:
        return None
    given = {
        key: getattr(value, key)
        for key in ("text", "number", "checkbox", "select")
        if getattr(value, key) is not strawberry.UNSET
    }
    if len(given) != 1:
        raise error(
            f"set exactly one of text, number, checkbox or select in the value (got {len(given)})",
            BAD_USER_INPUT,
        )
    ((key, raw),) = given.items()
    kind = AttributeType(definition.type)
    expected = _INPUT_KEY.get(kind)
    if key != expected:
        raise error(
            f"'{definition.name}' is a {kind.value} attribute: give its value as "
            f"{{{expected}: …}}, not {{{key}: …}}",
            BAD_USER_INPUT,
        )
    if raw is None:
        return None
    if kind is AttributeType.SELECT:
        raw = _option_key(str(raw))
    spec = store_attributes.specs(session, [definition])[definition.id]
    return to_json(spec, parse(spec, raw))


def _option_key(raw: str) -> str:
    """An option's global id becomes its row id; anything else is taken as its text."""
    try:
        return str(ids.decode(raw, OPTION))
    except ids.InvalidId:
        return raw


@strawberry.input
class ExternalCompanyInput:
    """A company's ids in other systems. Cycle's docs spell the keys both ways
    (``hubspotId`` and ``hubspot``); both are accepted."""

    customId: str | None = strawberry.UNSET
    attioId: str | None = strawberry.UNSET
    zendeskId: str | None = strawberry.UNSET
    hubspotId: str | None = strawberry.UNSET
    intercomId: str | None = strawberry.UNSET
    pipedriveId: str | None = strawberry.UNSET
    snowflakeId: str | None = strawberry.UNSET
    salesforceId: str | None = strawberry.UNSET
    zohoId: str | None = strawberry.UNSET
    sugarcrmId: str | None = strawberry.UNSET
    custom: str | None = strawberry.UNSET
    attio: str | None = strawberry.UNSET
    zendesk: str | None = strawberry.UNSET
    hubspot: str | None = strawberry.UNSET
    intercom: str | None = strawberry.UNSET
    pipedrive: str | None = strawberry.UNSET
    snowflake: str | None = strawberry.UNSET
    salesforce: str | None = strawberry.UNSET
    zoho: str | None = strawberry.UNSET
    sugarcrm: str | None = strawberry.UNSET


def external_ids(given: ExternalCompanyInput | None) -> dict[str, str | None]:
    """Store columns of the ids given (a null unsets one)."""
    if given is None:
        return {}
    found: dict[str, str | None] = {}
    for label, column in EXTERNAL_ID_COLUMNS.items():
        long_form = getattr(given, label)
        short_form = getattr(given, label.removesuffix("Id"))
        both = long_form is not strawberry.UNSET and short_form is not strawberry.UNSET
        if both and long_form != short_form:
            raise error(
                f"externalId gives {label} and {label.removesuffix('Id')} different values",
                BAD_USER_INPUT,
            )
        value = long_form if long_form is not strawberry.UNSET else short_form
        if value is not strawberry.UNSET:
            found[column] = value
    return found


@strawberry.input
class CompanyAttributeFilterInput:
    """Companies whose attribute equals a value (a null value: whose attribute is unset)."""

    attributeDefinitionId: strawberry.ID
    value: CompanyAttributeValueInput | None = None


@strawberry.input
class CompanyFilterInput:
    """Exact ids and attribute values a company must have (all must hold)."""

    externalId: ExternalCompanyInput | None = None
    attributes: list[CompanyAttributeFilterInput] | None = None


def company_filter(
    session: Session,
    workspace_id: int,
    search_text: str | None,
    given: CompanyFilterInput | None,
) -> CompanyFilter:
    """The store's filter for a search text and a filter input."""
    if given is None:
        return CompanyFilter(search_text=search_text)
    id_filters = {k: v for k, v in external_ids(given.externalId).items() if v}
    attribute_filters: list[tuple[int, Any]] = []
    for item in given.attributes or []:
        definition = store_attributes.get_definition(
            session, workspace_id, decode_definition_id(item.attributeDefinitionId)
        )
        attribute_filters.append((definition.id, value_json(session, definition, item.value)))
    return CompanyFilter(search_text=search_text, ids=id_filters, attributes=attribute_filters)


@strawberry.input
class CompanyAttributeInput:
    """An attribute value given when creating a company."""

    attributeDefinitionId: strawberry.ID
    value: CompanyAttributeValueInput | None = None


@strawberry.enum
class ScalarAttributeType(Enum):
    """Types of attributes without options. ``BOOLEAN`` and ``CHECKBOX`` are the same."""

    TEXT = "TEXT"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"
    CHECKBOX = "CHECKBOX"


@strawberry.enum
class SelectAttributeType(Enum):
    """Types of attributes with options."""

    SINGLE_SELECT = "SINGLE_SELECT"


@strawberry.input
class ScalarAttributeTypeInput:
    """``{type: TEXT | NUMBER | BOOLEAN | CHECKBOX}``."""

    type: ScalarAttributeType


@strawberry.input
class SelectAttributeTypeInput:
    """``{type: SINGLE_SELECT, values: [...]}``."""

    type: SelectAttributeType
    values: list[SelectAttributeString]


@strawberry.input
class CompanyAttributeTypeInput:
    """Either ``scalar`` or ``select``."""

    scalar: ScalarAttributeTypeInput | None = None
    select: SelectAttributeTypeInput | None = None


@strawberry.input
class AddNewCompanyAttributeInput:
    """A new company attribute."""

    productId: strawberry.ID
    name: DefaultString
    type: CompanyAttributeTypeInput
    color: Color | None = None


def attribute_type(given: CompanyAttributeTypeInput) -> tuple[AttributeType, list[str]]:
    """The type system's type and the option texts of a type input."""
    if (given.scalar is None) == (given.select is None):
        raise error("type takes exactly one of scalar or select", BAD_USER_INPUT)
    if given.scalar is not None:
        return AttributeType.from_name(given.scalar.type.value), []
    assert given.select is not None
    return AttributeType.SELECT, [str(v) for v in given.select.values]
