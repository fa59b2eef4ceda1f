"""Event values made into the vendor's: each checked against the vendor attribute's
discovered type with the attribute type system (seed 002's format table), ``null`` kept as
"unset".

An attribute the vendor does not have, one it computes itself, or a value its type refuses
is a :class:`~cardfile.sync.actions.kinds.Refusal` naming the attribute — never dropped, and
never created behind the user's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cardfile.connectors.base import Field
from cardfile.sync.actions.kinds import Refusal
from cardfile.types import AttributeType, InvalidValue, TypeSpec, parse, to_json

# Typed values every connector formats itself, as it does for syncs (a HubSpot date is
# midnight UTC in milliseconds, an Attio date is ISO): passed as they parse.
_NATIVE = (Decimal, date, datetime, tuple)


def _one(field: Field, raw: Any) -> Any:
    assert field.type is not None
    spec = TypeSpec(field.type, options=field.options)
    try:
        typed = parse(spec, raw)
    except InvalidValue as error:
        raise Refusal(f"{field.name}: {error}") from None
    if typed is None or isinstance(typed, _NATIVE):
        return typed
    return to_json(spec, typed)


def converted(
    vendor: str, entity: str, fields: Mapping[str, Field], values: Mapping[str, Any]
) -> dict[str, Any]:
    """``values`` (vendor attribute → raw event value) in the vendor's types.

    Raises:
        Refusal: An unknown or read-only attribute, or a value its type refuses; every such
            problem is named.
    """
    made: dict[str, Any] = {}
    problems: list[str] = []
    for name, raw in values.items():
        field = fields.get(name)
        if field is None:
            problems.append(f"{vendor} has no attribute '{name}' on {entity}")
        elif field.read_only:
            problems.append(f"{vendor}'s {entity} attribute '{name}' is read-only")
        elif raw is None:
            made[name] = None
        elif field.type is None:
            problems.append(
                f"{vendor}'s {entity} attribute '{name}' is of type {field.vendor_type}, "
                "which Cardfile cannot write"
            )
        else:
            try:
                if isinstance(raw, list) and field.type is not AttributeType.MULTI_SELECT:
                    made[name] = [_one(field, item) for item in raw if item is not None]
                else:
                    made[name] = _one(field, raw)
            except Refusal as refusal:
                problems.append(str(refusal))
    if problems:
        raise Refusal("; ".join(problems))
    return made
