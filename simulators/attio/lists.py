"""Lists and their entries.

A list holds entries of one parent object; each entry points at a parent record and carries
the list's own attribute values. The same record may be entered several times (``POST``
allows duplicates), which is why asserting an entry by its parent (``PUT``) refuses to choose
among several with a 400 ``multiple_match_results``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from simulators.attio.errors import not_found
from simulators.attio.records import API_ACTOR, Holder, values_json
from simulators.attio.schema import WORKSPACE_ID, Attribute, Container, stable_id
from simulators.attio.timestamps import stamp


@dataclass
class AttioList(Container):
    """A list: a container of entry attributes, for records of ``parent_object``."""

    name: str = ""
    parent_object: str = ""
    workspace_access: str | None = "full-access"
    workspace_member_access: list[dict[str, Any]] = field(default_factory=list)


class Entry(Holder):
    """One entry of a list."""

    def __init__(self, entry_id: str, created_at: float, parent_record_id: str, parent: str):
        super().__init__(entry_id, created_at)
        self.parent_record_id = parent_record_id
        self.parent_object = parent


def _system_attributes(list_id: str, created_at: float) -> dict[str, Attribute]:
    """The attributes every list's entries carry."""
    made = [
        Attribute(
            id=stable_id("attribute", list_id, slug),
            api_slug=slug,
            title=title,
            type=kind,
            is_system=True,
            is_writable=False,
            created_at=created_at,
        )
        for slug, title, kind in (
            ("created_at", "Created at", "timestamp"),
            ("created_by", "Created by", "actor-reference"),
        )
    ]
    return {attribute.api_slug: attribute for attribute in made}


class ListStore:
    """Every list of the workspace and its entries."""

    def __init__(self) -> None:
        self.lists: dict[str, AttioList] = {}
        self.entries: dict[str, dict[str, Entry]] = {}

    def create(
        self,
        *,
        name: str,
        api_slug: str,
        parent_object: str,
        workspace_access: str | None,
        workspace_member_access: list[dict[str, Any]],
    ) -> AttioList:
        """A new, empty list."""
        now = time.time()
        list_id = str(uuid.uuid4())
        made = AttioList(
            id=list_id,
            api_slug=api_slug,
            attributes=_system_attributes(list_id, now),
            created_at=now,
            name=name,
            parent_object=parent_object,
            workspace_access=workspace_access,
            workspace_member_access=workspace_member_access,
        )
        self.lists[list_id] = made
        self.entries[list_id] = {}
        return made

    def find(self, ref: str) -> AttioList | None:
        """A list by id or slug."""
        found = self.lists.get(ref)
        if found is not None:
            return found
        return next((made for made in self.lists.values() if made.api_slug == ref), None)

    def get(self, ref: str) -> AttioList:
        """A list by id or slug.

        Raises:
            AttioError: 404 ``not_found``.
        """
        found = self.find(ref)
        if found is None:
            raise not_found(f'List with slug/ID "{ref}" not found.')
        return found

    def add(self, made: AttioList, parent_record_id: str, now: float) -> Entry:
        """A new entry for a parent record."""
        entry = Entry(str(uuid.uuid4()), now, parent_record_id, made.parent_object)
        self.entries[made.id][entry.id] = entry
        return entry

    def of_parent(self, made: AttioList, parent_record_id: str) -> list[Entry]:
        """The entries of a list for one parent record, oldest first."""
        return [
            entry
            for entry in self.entries[made.id].values()
            if entry.parent_record_id == parent_record_id
        ]

    def forget_record(self, record_id: str) -> None:
        """Remove every entry of a deleted record."""
        for entries in self.entries.values():
            for entry_id in [e.id for e in entries.values() if e.parent_record_id == record_id]:
                del entries[entry_id]

    def clear(self) -> None:
        """Forget every list and entry."""
        self.lists.clear()
        self.entries.clear()


def list_json(made: AttioList) -> dict[str, Any]:
    """A list as Attio answers it."""
    return {
        "id": {"workspace_id": WORKSPACE_ID, "list_id": made.id},
        "api_slug": made.api_slug,
        "name": made.name,
        "parent_object": [made.parent_object],
        "workspace_access": made.workspace_access,
        "workspace_member_access": made.workspace_member_access,
        "created_by_actor": dict(API_ACTOR),
        "created_at": stamp(made.created_at),
    }


def entry_json(made: AttioList, entry: Entry) -> dict[str, Any]:
    """An entry as Attio answers it."""
    return {
        "id": {"workspace_id": WORKSPACE_ID, "list_id": made.id, "entry_id": entry.id},
        "parent_record_id": entry.parent_record_id,
        "parent_object": entry.parent_object,
        "created_at": stamp(entry.created_at),
        "entry_values": values_json(made, entry),
    }
