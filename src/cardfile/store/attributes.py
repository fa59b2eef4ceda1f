"""Attribute definitions, their select options, and the values companies and people hold."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cardfile.store import bulk, changes
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.pages import Page, PageRequest, paginate
from cardfile.store.schema import (
    AttributeDefinition,
    AttributeOption,
    Company,
    CompanyValue,
    Person,
    PersonValue,
    table_of,
    utcnow,
)
from cardfile.types import AttributeType, Option, TypeSpec

COMPANY = "company"
PERSON = "person"
CHOICE_TYPES = frozenset({AttributeType.SELECT, AttributeType.MULTI_SELECT, AttributeType.STATUS})


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise Invalid("an attribute needs a name", field="name")
    if len(cleaned) > 200:
        raise Invalid("an attribute name is at most 200 characters", field="name")
    return cleaned


def _clean_titles(titles: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for title in titles:
        cleaned = title.strip()
        if not cleaned:
            raise Invalid("a select option cannot be empty", field="values")
        seen.setdefault(cleaned, None)
    return list(seen)


def _check_unique_name(
    session: Session, workspace_id: int, entity: str, name: str, *, except_id: int | None = None
) -> None:
    stmt = select(AttributeDefinition.id).where(
        AttributeDefinition.workspace_id == workspace_id,
        AttributeDefinition.entity == entity,
        AttributeDefinition.name == name,
    )
    found = session.scalar(stmt)
    if found is not None and found != except_id:
        raise Conflict(f"an attribute named '{name}' already exists", field="name")


def create_definition(
    session: Session,
    *,
    workspace_id: int,
    entity: str,
    name: str,
    type: AttributeType,
    color: str | None = None,
    options: Sequence[str] = (),
    currency_code: str | None = None,
) -> AttributeDefinition:
    """Define a new attribute; choice types need at least one option."""
    name = _clean_name(name)
    _check_unique_name(session, workspace_id, entity, name)
    titles = _clean_titles(options)
    if type in CHOICE_TYPES and not titles:
        raise Invalid(f"a {type.value} attribute needs at least one value", field="values")
    if type not in CHOICE_TYPES and titles:
        raise Invalid(f"a {type.value} attribute takes no values", field="values")
    definition = AttributeDefinition(
        workspace_id=workspace_id,
        entity=entity,
        name=name,
        type=type.value,
        color=color,
        currency_code=currency_code,
    )
    session.add(definition)
    session.flush()
    session.add_all(AttributeOption(definition_id=definition.id, title=t) for t in titles)
    session.flush()
    return definition


def get_definition(session: Session, workspace_id: int, definition_id: int) -> AttributeDefinition:
    """The workspace's definition with this id, or ``NotFound``."""
    definition = session.get(AttributeDefinition, definition_id)
    if definition is None or definition.workspace_id != workspace_id:
        raise NotFound("attribute definition not found", field="attributeDefinitionId")
    return definition


def definitions(session: Session, workspace_id: int, entity: str) -> list[AttributeDefinition]:
    """All of the workspace's definitions for ``entity``, in creation order."""
    return list(
        session.scalars(
            select(AttributeDefinition)
            .where(
                AttributeDefinition.workspace_id == workspace_id,
                AttributeDefinition.entity == entity,
            )
            .order_by(AttributeDefinition.id)
        )
    )


def page_definitions(
    session: Session, workspace_id: int, entity: str, request: PageRequest
) -> Page[AttributeDefinition]:
    """One page of the workspace's definitions for ``entity``."""
    query = select(AttributeDefinition).where(
        AttributeDefinition.workspace_id == workspace_id, AttributeDefinition.entity == entity
    )
    return paginate(session, query, AttributeDefinition.id, request)


def rename_definition(
    session: Session, definition: AttributeDefinition, *, name: str | None, color: str | None
) -> AttributeDefinition:
    """Rename or recolour; values are keyed by id, so nothing is lost."""
    if name is not None:
        cleaned = _clean_name(name)
        _check_unique_name(
            session, definition.workspace_id, definition.entity, cleaned, except_id=definition.id
        )
        definition.name = cleaned
    if color is not None:
        definition.color = color
    session.flush()
    return definition


def delete_definition(session: Session, definition: AttributeDefinition) -> None:
    """Delete a definition with its options and every value of it (bumping their records)."""
    _touch_holders(session, definition, None)
    session.delete(definition)
    session.flush()


def options(session: Session, definition_ids: Iterable[int]) -> dict[int, list[AttributeOption]]:
    """The options of each definition, in creation order."""
    ids = list(definition_ids)
    found: dict[int, list[AttributeOption]] = defaultdict(list)
    if not ids:
        return found
    rows = session.scalars(
        select(AttributeOption)
        .where(AttributeOption.definition_id.in_(ids))
        .order_by(AttributeOption.id)
    )
    for option in rows:
        found[option.definition_id].append(option)
    return found


def options_in_workspace(
    session: Session, workspace_id: int, entity: str
) -> dict[int, list[AttributeOption]]:
    """Every option of the workspace's ``entity`` definitions, by definition, in one query."""
    found: dict[int, list[AttributeOption]] = defaultdict(list)
    rows = session.scalars(
        select(AttributeOption)
        .join(AttributeDefinition, AttributeDefinition.id == AttributeOption.definition_id)
        .where(
            AttributeDefinition.workspace_id == workspace_id,
            AttributeDefinition.entity == entity,
        )
        .order_by(AttributeOption.id)
    )
    for option in rows:
        found[option.definition_id].append(option)
    return found


def add_option(session: Session, definition: AttributeDefinition, title: str) -> AttributeOption:
    """Add a choice to a select-like definition."""
    if AttributeType(definition.type) not in CHOICE_TYPES:
        raise Invalid(
            f"'{definition.name}' is not a select attribute", field="attributeDefinitionId"
        )
    (cleaned,) = _clean_titles([title])
    clash = session.scalar(
        select(AttributeOption.id).where(
            AttributeOption.definition_id == definition.id, AttributeOption.title == cleaned
        )
    )
    if clash is not None:
        raise Conflict(f"'{definition.name}' already has the value '{cleaned}'", field="value")
    option = AttributeOption(definition_id=definition.id, title=cleaned)
    session.add(option)
    session.flush()
    return option


def get_option(session: Session, workspace_id: int, option_id: int) -> AttributeOption:
    """The workspace's option with this id, or ``NotFound``."""
    option = session.get(AttributeOption, option_id)
    if option is not None:
        definition = session.get(AttributeDefinition, option.definition_id)
        if definition is not None and definition.workspace_id == workspace_id:
            return option
    raise NotFound("select value not found", field="id")


def remove_option(session: Session, option: AttributeOption) -> None:
    """Remove a choice; values that chose it lose it (and their records are bumped)."""
    definition = session.get(AttributeDefinition, option.definition_id)
    assert definition is not None  # the foreign key guarantees it
    _touch_holders(session, definition, str(option.id))
    session.delete(option)
    session.flush()


def spec(definition: AttributeDefinition, choices: Sequence[AttributeOption] = ()) -> TypeSpec:
    """The type-system spec of a definition; option ids are the options' row ids as text."""
    return TypeSpec(
        type=AttributeType(definition.type),
        options=tuple(Option(id=str(o.id), title=o.title) for o in choices),
        currency_code=definition.currency_code,
    )


def specs(session: Session, defs: Sequence[AttributeDefinition]) -> dict[int, TypeSpec]:
    """Specs for many definitions, with their options loaded in one query."""
    by_definition = options(session, [d.id for d in defs])
    return {d.id: spec(d, by_definition.get(d.id, ())) for d in defs}


# --- values -----------------------------------------------------------------------------

_TABLES: dict[str, tuple[Any, Any, str]] = {
    COMPANY: (CompanyValue, Company, "company_id"),
    PERSON: (PersonValue, Person, "person_id"),
}


def encode_value(value: object) -> str:
    """The stored text of a JSON value (sorted keys, so equal values compare equal)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode_value(text: str) -> object:
    """The JSON value of stored text."""
    return json.loads(text)


def set_values(
    session: Session,
    entity: str,
    assignments: Sequence[tuple[int, int, object | None]],
    *,
    bump: bool = True,
) -> None:
    """Apply ``(record_id, definition_id, json_value)``; a None value unsets.

    Bumps each touched record's change number unless ``bump`` is False (for a caller that
    already bumped them with other fields of the same write).
    """
    if not assignments:
        return
    value_model, record_model, fk = _TABLES[entity]
    table = table_of(value_model)
    bulk.upsert_rows(
        session,
        table,
        [fk, "definition_id", "value"],
        [(r, d, encode_value(v)) for r, d, v in assignments if v is not None],
        key=[fk, "definition_id"],
    )
    bulk.delete_rows(
        session, table, [fk, "definition_id"], [(r, d) for r, d, v in assignments if v is None]
    )
    if bump:
        bump_records(session, record_model, sorted({a[0] for a in assignments}))


def bump_records(session: Session, record_model: Any, record_ids: Sequence[int]) -> None:
    """Give each record a fresh change number (one per record, in id order)."""
    if not record_ids:
        return
    first = changes.take(session, len(record_ids))
    table = table_of(record_model)
    now = bulk.bound(session, table, "updated_at", utcnow())
    bulk.update_rows(
        session,
        table,
        ["change_seq", "updated_at"],
        [(first + offset, now, record_id) for offset, record_id in enumerate(record_ids)],
    )


def values_of(
    session: Session, entity: str, record_ids: Sequence[int]
) -> dict[int, list[tuple[int, int, object]]]:
    """``record_id -> [(value_row_id, definition_id, json_value)]`` in definition order."""
    value_model, _, fk = _TABLES[entity]
    found: dict[int, list[tuple[int, int, object]]] = defaultdict(list)
    if not record_ids:
        return found
    rows = session.execute(
        select(
            value_model.id, getattr(value_model, fk), value_model.definition_id, value_model.value
        )
        .where(getattr(value_model, fk).in_(list(record_ids)))
        .order_by(value_model.definition_id)
    )
    for row_id, record_id, definition_id, text in rows:
        found[record_id].append((row_id, definition_id, decode_value(text)))
    return found


def value_row(
    session: Session, entity: str, record_id: int, definition_id: int
) -> tuple[int, object] | None:
    """``(value_row_id, json_value)`` of one record's value, or None when unset."""
    value_model, _, fk = _TABLES[entity]
    row = session.execute(
        select(value_model.id, value_model.value).where(
            getattr(value_model, fk) == record_id, value_model.definition_id == definition_id
        )
    ).first()
    return None if row is None else (row[0], decode_value(row[1]))


def _touch_holders(
    session: Session, definition: AttributeDefinition, option_id: str | None
) -> None:
    """Remove ``definition``'s values (only those choosing ``option_id`` when given) and bump
    the records that held them, so syncs see the removal."""
    value_model, record_model, fk = _TABLES[definition.entity]
    stmt = select(getattr(value_model, fk), value_model.id, value_model.value).where(
        value_model.definition_id == definition.id
    )
    holders: list[int] = []
    rewrites: list[tuple[int, int, object | None]] = []
    for record_id, _row_id, text in session.execute(stmt):
        value = decode_value(text)
        if option_id is None:
            holders.append(record_id)
        elif value == option_id:
            rewrites.append((record_id, definition.id, None))
        elif isinstance(value, list) and option_id in value:
            remaining = [v for v in value if v != option_id]
            rewrites.append((record_id, definition.id, remaining or None))
    if option_id is None:
        session.execute(delete(value_model).where(value_model.definition_id == definition.id))
        bump_records(session, record_model, sorted(holders))
    else:
        set_values(session, definition.entity, rewrites)
