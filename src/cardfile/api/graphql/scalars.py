"""Cycle's scalars: string aliases, and a colour accepted as an enum literal or a string."""

from __future__ import annotations

from typing import Any, NewType

import strawberry
from graphql import EnumValueNode, StringValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition

from cardfile.types import AttributeType, InvalidValue, TypeSpec, parse


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _string_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> str:
    if isinstance(node, StringValueNode):
        return node.value
    raise ValueError("expected a string")


DefaultString = NewType("DefaultString", str)
SelectAttributeString = NewType("SelectAttributeString", str)
EmailAddress = NewType("EmailAddress", str)
Color = NewType("Color", str)


def _email(value: object) -> str:
    try:
        parsed = parse(TypeSpec(AttributeType.EMAIL), _string(value))
    except InvalidValue as error:
        raise ValueError(error.message) from None
    if parsed is None:
        raise ValueError("an email address cannot be empty")
    return str(parsed)


def _email_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> str:
    return _email(_string_literal(node))


def _color_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> str:
    # Cycle's examples write the colour both as a bare enum value (color: a) and as a
    # string (color: "a"); a scalar is the one input type that can take both literals.
    if isinstance(node, (StringValueNode, EnumValueNode)):
        return node.value
    raise ValueError("expected a colour name")


SCALARS: dict[object, ScalarDefinition] = {
    DefaultString: strawberry.scalar(
        name="DefaultString",
        description="A string (Cycle's name for most text inputs).",
        serialize=str,
        parse_value=_string,
        parse_literal=_string_literal,
    ),
    SelectAttributeString: strawberry.scalar(
        name="SelectAttributeString",
        description="The text of a select attribute's option.",
        serialize=str,
        parse_value=_string,
        parse_literal=_string_literal,
    ),
    EmailAddress: strawberry.scalar(
        name="EmailAddress",
        description="A valid email address.",
        serialize=str,
        parse_value=_email,
        parse_literal=_email_literal,
    ),
    Color: strawberry.scalar(
        name="Color",
        description="A colour name, written as a string or a bare name.",
        serialize=str,
        parse_value=_string,
        parse_literal=_color_literal,
    ),
}
"""The scalar definitions, for the schema's ``scalar_map``."""
