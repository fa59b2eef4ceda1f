"""Records of one object, and how Attio answers with them.

A record keeps the active values of its writable attributes; ``record_id``, ``created_at`` and
``created_by`` are computed from the record itself. Answers list every attribute of the object,
an empty list where a record has no value.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from simulators.attio.members import API_TOKEN_ACTOR
from simulators.attio.schema import WORKSPACE_ID, Attribute, Container, ObjectType
from simulators.attio.timestamps import stamp
from simulators.attio.values import Payload, Stored, key_of, render

WORKSPACE_SLUG = "cardfile-sim"
API_ACTOR: dict[str, Any] = {"type": "api-token", "id": API_TOKEN_ACTOR}


@dataclass
class Holder:
    """Something that holds attribute values: a record, or a list entry."""

    id: str
    created_at: float
    values: dict[str, list[Stored]] = field(default_factory=dict)

    def stored(self, slug: str) -> list[Stored]:
        """The active values of an attribute (none when unset)."""
        return self.values.get(slug, [])


class Record(Holder):
    """One record."""


def computed(holder: Holder, attribute: Attribute) -> list[Stored] | None:
    """The values of a system attribute Attio computes (None: not such an attribute)."""
    match attribute.api_slug:
        case "record_id" if attribute.is_system:
            payload: Payload = {"value": holder.id}
        case "created_at" if attribute.is_system:
            payload = {"value": stamp(holder.created_at)}
        case "created_by" if attribute.is_system:
            payload = {"referenced_actor_type": "api-token", "referenced_actor_id": API_TOKEN_ACTOR}
        case _:
            return None
    return [Stored(payload, holder.created_at, dict(API_ACTOR))]


def active(holder: Holder, attribute: Attribute) -> list[Stored]:
    """Every active value of an attribute, computed ones included."""
    found = computed(holder, attribute)
    return found if found is not None else holder.stored(attribute.api_slug)


def values_json(container: Container, holder: Holder) -> dict[str, list[dict[str, Any]]]:
    """Every attribute's values as Attio answers them."""
    return {
        attribute.api_slug: [render(container, attribute, s) for s in active(holder, attribute)]
        for attribute in container.attributes.values()
        if not attribute.is_archived
    }


def plain_values(container: Container, holder: Holder) -> dict[str, list[Payload]]:
    """Every attribute's active values without Attio's value metadata (what a refusal and a
    test compare)."""
    return {
        slug: [s.payload for s in active(holder, attribute)]
        for slug, attribute in container.attributes.items()
    }


def drop_references(holder: Holder, record_id: str) -> None:
    """Forget every reference value of ``holder`` that points at the record ``record_id``
    (Attio clears references to a deleted record)."""
    for slug, stored in holder.values.items():
        holder.values[slug] = [s for s in stored if s.payload.get("target_record_id") != record_id]


class RecordStore:
    """The records of one object, oldest first."""

    def __init__(self, obj: ObjectType) -> None:
        self.object = obj
        self.records: dict[str, Record] = {}

    def new(self, created_at: float) -> Record:
        """A new, empty record (added to the store)."""
        record = Record(str(uuid.uuid4()), created_at)
        self.records[record.id] = record
        return record

    def holding(self, attribute: Attribute, keys: Iterable[str]) -> list[Record]:
        """The records holding any of these values of ``attribute`` (by :func:`key_of`)."""
        wanted = set(keys)
        return [
            record
            for record in self.records.values()
            if any(key_of(attribute, s.payload) in wanted for s in active(record, attribute))
        ]

    def clear(self) -> None:
        """Forget every record."""
        self.records.clear()


def web_url(obj: ObjectType, record_id: str) -> str:
    """The record's page in Attio's web app."""
    noun = (obj.singular_noun or obj.api_slug).lower().replace(" ", "-")
    return f"https://app.attio.com/{WORKSPACE_SLUG}/{noun}/{record_id}/overview"


def record_json(obj: ObjectType, record: Record) -> dict[str, Any]:
    """A record as Attio answers it."""
    return {
        "id": {"workspace_id": WORKSPACE_ID, "object_id": obj.id, "record_id": record.id},
        "created_at": stamp(record.created_at),
        "web_url": web_url(obj, record.id),
        "values": values_json(obj, record),
    }
