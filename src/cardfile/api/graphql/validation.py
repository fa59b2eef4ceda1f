"""Let Cycle's string-alias scalars stand in for ``String`` in variable declarations.

Cycle's own snippets disagree: some declare ``$name: String!`` where the argument is a
``DefaultString!``, others ``$values: [SelectAttributeString!]!`` where a list of strings is
expected. Standard validation refuses whichever does not match the schema. This rule is
GraphQL's "variables in allowed position" with one change: the alias scalars and ``String``
count as the same named type. Nullability, lists and every other type are checked as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from graphql import (
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLType,
    NullValueNode,
    OperationDefinitionNode,
    ValueNode,
    is_input_object_type,
    is_non_null_type,
    is_nullable_type,
)
from graphql.pyutils import Undefined
from graphql.utilities import is_type_sub_type_of, type_from_ast
from graphql.validation import VariablesInAllowedPositionRule
from strawberry.extensions import SchemaExtension

STRING_ALIASES = frozenset({"DefaultString", "SelectAttributeString"})


def _canonical(schema: GraphQLSchema, type_: GraphQLType) -> GraphQLType:
    """``type_`` with every alias scalar replaced by ``String``."""
    if isinstance(type_, GraphQLNonNull):
        return GraphQLNonNull(cast(Any, _canonical(schema, type_.of_type)))
    if isinstance(type_, GraphQLList):
        return GraphQLList(_canonical(schema, type_.of_type))
    if isinstance(type_, GraphQLNamedType) and type_.name in STRING_ALIASES:
        string = schema.get_type("String")
        assert string is not None
        return string
    return type_


def _allowed(
    schema: GraphQLSchema,
    var_type: GraphQLType,
    var_default: ValueNode | None,
    location_type: GraphQLType,
    location_default: Any,
) -> bool:
    var_type = _canonical(schema, var_type)
    location_type = _canonical(schema, location_type)
    if is_non_null_type(location_type) and not is_non_null_type(var_type):
        has_var_default = var_default is not None and not isinstance(var_default, NullValueNode)
        if not has_var_default and location_default is Undefined:
            return False
        return is_type_sub_type_of(schema, var_type, cast(Any, location_type).of_type)
    return is_type_sub_type_of(schema, var_type, location_type)


class StringAliasVariablesRule(VariablesInAllowedPositionRule):
    """``VariablesInAllowedPositionRule`` that treats the alias scalars as ``String``."""

    def leave_operation_definition(self, operation: OperationDefinitionNode, *_args: Any) -> None:
        """Check every variable usage of the operation."""
        for usage in self.context.get_recursive_variable_usages(operation):
            node, location_type = usage.node, usage.type
            name = node.name.value
            var_def = usage.fragment_variable_definition or self.var_def_map.get(name)
            if not var_def or not location_type:
                continue
            schema = self.context.schema
            var_type = type_from_ast(schema, var_def.type)
            if var_type and not _allowed(
                schema, var_type, var_def.default_value, location_type, usage.default_value
            ):
                self.report_error(
                    GraphQLError(
                        f"Variable '${name}' of type '{var_type}' used"
                        f" in position expecting type '{location_type}'.",
                        [var_def, node],
                    )
                )
            parent = usage.parent_type
            if (
                var_type
                and is_input_object_type(parent)
                and cast(Any, parent).is_one_of
                and is_nullable_type(var_type)
            ):
                self.report_error(
                    GraphQLError(
                        f"Variable '${name}' is of type '{var_type}' but must be non-nullable"
                        f" to be used for OneOf Input Object '{parent}'.",
                        [var_def, node],
                    )
                )


class CycleValidation(SchemaExtension):
    """Swaps the standard variable-position rule for the alias-aware one."""

    def on_operation(self) -> Iterator[None]:
        """Adjust the rules before validation runs."""
        context = self.execution_context
        context.validation_rules = tuple(
            StringAliasVariablesRule if rule is VariablesInAllowedPositionRule else rule
            for rule in context.validation_rules
        )
        yield
