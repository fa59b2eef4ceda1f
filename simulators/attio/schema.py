"""Attributes, select options and statuses: the schema of an object or a list.

Objects and lists both hold attributes (Attio serves them under the same
``/v2/{objects|lists}/{identifier}/attributes`` paths), so both are a :class:`Container`.
Standard attributes get ids derived from their names, so they stay the same across resets and
restarts, as a real workspace's do.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from simulators.attio.timestamps import stamp

WORKSPACE_ID = "7b3a6f2e-5c1d-4e8f-9a20-3d4c5b6a7e81"
_NAMESPACE = uuid.UUID(WORKSPACE_ID)

ATTRIBUTE_TYPES = frozenset(
    {
        "text",
        "number",
        "checkbox",
        "currency",
        "date",
        "timestamp",
        "rating",
        "status",
        "select",
        "record-reference",
        "actor-reference",
        "location",
        "domain",
        "email-address",
        "phone-number",
        "interaction",
        "personal-name",
    }
)
# Types whose attributes may hold several values (Attio refuses multiselect on the others).
MULTISELECT_TYPES = frozenset(
    {"select", "record-reference", "email-address", "domain", "phone-number"}
)


def stable_id(*names: str) -> str:
    """A UUID derived from names: the same for the same names in every run."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(names)))


@dataclass
class Choice:
    """A select option or a status."""

    id: str
    title: str
    is_archived: bool = False
    celebration_enabled: bool = False
    target_time_in_status: str | None = None


@dataclass
class Attribute:
    """One attribute of an object or a list.

    Attributes:
        allowed_objects: For record references, the slugs of the objects referenced records
            may belong to.
        currency_code: For currencies, the code values are stored in.
        choices: Select options or statuses.
    """

    id: str
    api_slug: str
    title: str
    type: str
    description: str | None = None
    is_system: bool = False
    is_writable: bool = True
    is_required: bool = False
    is_unique: bool = False
    is_multiselect: bool = False
    is_archived: bool = False
    allowed_objects: tuple[str, ...] = ()
    currency_code: str | None = None
    choices: list[Choice] = field(default_factory=list)
    created_at: float = field(default_factory=time.time)

    def choice(self, raw: str) -> Choice | None:
        """The option or status named by its id or title (titles ignore case, as Attio's)."""
        text = raw.strip()
        for candidate in self.choices:
            if candidate.id == text:
                return candidate
        folded = text.casefold()
        for candidate in self.choices:
            if candidate.title.casefold() == folded:
                return candidate
        return None


@dataclass
class Container:
    """An object or a list: its id, slug and attributes (by slug, in display order)."""

    id: str
    api_slug: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    created_at: float = field(default_factory=time.time)

    def attribute(self, ref: str) -> Attribute | None:
        """An attribute by slug or id."""
        found = self.attributes.get(ref)
        if found is not None:
            return found
        return next((a for a in self.attributes.values() if a.id == ref), None)

    def add(self, attribute: Attribute) -> Attribute:
        """Add an attribute."""
        self.attributes[attribute.api_slug] = attribute
        return attribute


@dataclass
class ObjectType(Container):
    """An Attio object (standard or custom)."""

    singular_noun: str = ""
    plural_noun: str = ""


def choice_json(container: Container, attribute: Attribute, choice: Choice) -> dict[str, Any]:
    """A select option or status as Attio answers it."""
    ids = {"workspace_id": WORKSPACE_ID, "object_id": container.id, "attribute_id": attribute.id}
    if attribute.type == "status":
        return {
            "id": {**ids, "status_id": choice.id},
            "title": choice.title,
            "is_archived": choice.is_archived,
            "celebration_enabled": choice.celebration_enabled,
            "target_time_in_status": choice.target_time_in_status,
        }
    return {
        "id": {**ids, "option_id": choice.id},
        "title": choice.title,
        "is_archived": choice.is_archived,
    }


def attribute_json(container: Container, attribute: Attribute) -> dict[str, Any]:
    """An attribute as ``GET …/attributes`` lists it."""
    allowed = [stable_id("object", slug) for slug in attribute.allowed_objects]
    return {
        "id": {
            "workspace_id": WORKSPACE_ID,
            "object_id": container.id,
            "attribute_id": attribute.id,
        },
        "title": attribute.title,
        "description": attribute.description,
        "api_slug": attribute.api_slug,
        "type": attribute.type,
        "is_system_attribute": attribute.is_system,
        "is_writable": attribute.is_writable,
        "is_required": attribute.is_required,
        "is_unique": attribute.is_unique,
        "is_multiselect": attribute.is_multiselect,
        "is_default_value_enabled": False,
        "is_archived": attribute.is_archived,
        "default_value": None,
        "relationship": None,
        "created_at": stamp(attribute.created_at),
        "config": {
            "currency": {
                "default_currency_code": attribute.currency_code,
                "display_type": "symbol" if attribute.currency_code else None,
            },
            "record_reference": {
                "allowed_object_ids": allowed if attribute.type == "record-reference" else None
            },
        },
    }


def object_json(obj: ObjectType) -> dict[str, Any]:
    """An object as ``GET /v2/objects`` lists it."""
    return {
        "id": {"workspace_id": WORKSPACE_ID, "object_id": obj.id},
        "api_slug": obj.api_slug,
        "singular_noun": obj.singular_noun,
        "plural_noun": obj.plural_noun,
        "created_at": stamp(obj.created_at),
    }
