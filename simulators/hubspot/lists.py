"""Lists v3: lists of contacts (``0-1``) or companies (``0-2``) and their memberships.

Only MANUAL and SNAPSHOT lists take membership changes; a DYNAMIC list is kept by its
filters. Adding a record that does not exist, or removing one, reports it in
``recordIdsMissing``; adding a member again or removing a non-member changes nothing and is
reported nowhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from simulators.hubspot.errors import Refusal
from simulators.hubspot.properties import OBJECT_TYPE_IDS, iso, now_ms

PROCESSING_TYPES = {"MANUAL", "SNAPSHOT", "DYNAMIC"}
MAX_PAGE = 250


@dataclass
class HubList:
    """One list and its members (record id → epoch ms they joined)."""

    list_id: str
    name: str
    object_type_id: str
    processing_type: str
    created_ms: int
    updated_ms: int
    version: int = 1
    members: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The list as HubSpot's ``PublicObjectList``."""
        return {
            "listId": self.list_id,
            "name": self.name,
            "objectTypeId": self.object_type_id,
            "processingType": self.processing_type,
            "processingStatus": "COMPLETE",
            "listVersion": self.version,
            "size": len(self.members),
            "createdAt": iso(self.created_ms),
            "updatedAt": iso(self.updated_ms),
            "filtersUpdatedAt": iso(self.created_ms),
            "createdById": "1",
            "updatedById": "1",
        }


@dataclass(frozen=True)
class Change:
    """What a membership update did: HubSpot's ``MembershipsUpdateResponse``."""

    added: list[str]
    removed: list[str]
    missing: list[str]

    def to_json(self) -> dict[str, Any]:
        """The answer's body; ``recordsIdsAdded`` is spelled as HubSpot spells it."""
        return {
            "recordsIdsAdded": self.added,
            "recordIdsRemoved": self.removed,
            "recordIdsMissing": self.missing,
        }


class ListStore:
    """Every list of the portal."""

    def __init__(self) -> None:
        self.lists: dict[str, HubList] = {}
        self._ids = itertools.count(1)

    def clear(self) -> None:
        """Forget every list."""
        self.lists.clear()
        self._ids = itertools.count(1)

    def create(self, body: Any) -> HubList:
        """A new list from a ``ListCreateRequest``.

        Raises:
            Refusal: A field is missing or invalid, or the name is taken.
        """
        if not isinstance(body, dict):
            raise Refusal(400, "Invalid input JSON: the body must be an object")
        name = str(body.get("name") or "").strip()
        object_type_id = str(body.get("objectTypeId") or "")
        processing = str(body.get("processingType") or "")
        if not name:
            raise Refusal(400, "name is required")
        if object_type_id not in OBJECT_TYPE_IDS.values():
            raise Refusal(400, f"Unsupported objectTypeId {object_type_id!r}")
        if processing not in PROCESSING_TYPES:
            raise Refusal(
                400, f"processingType must be one of {', '.join(sorted(PROCESSING_TYPES))}"
            )
        if any(existing.name == name for existing in self.lists.values()):
            raise Refusal(409, f"A list named '{name}' already exists", "CONFLICT")
        ms = now_ms()
        made = HubList(str(next(self._ids)), name, object_type_id, processing, ms, ms)
        self.lists[made.list_id] = made
        return made

    def get(self, list_id: str) -> HubList:
        """The list ``list_id``.

        Raises:
            Refusal: 404 when there is no such list.
        """
        found = self.lists.get(list_id)
        if found is None:
            raise Refusal(404, f"List {list_id} does not exist", "OBJECT_NOT_FOUND")
        return found

    def by_name(self, object_type_id: str, name: str) -> HubList:
        """The list of that object type with that name (404 if none)."""
        for found in self.lists.values():
            if found.object_type_id == object_type_id and found.name == name:
                return found
        raise Refusal(404, f"List {name} does not exist", "OBJECT_NOT_FOUND")

    def change(
        self,
        list_id: str,
        add: Iterable[Any],
        remove: Iterable[Any],
        exists: Callable[[str], bool],
    ) -> Change:
        """Add and remove record ids; ``exists`` says whether a record id is real.

        Raises:
            Refusal: No such list, or a DYNAMIC one.
        """
        target = self.get(list_id)
        if target.processing_type not in {"MANUAL", "SNAPSHOT"}:
            raise Refusal(
                400,
                f"List {list_id} has processingType {target.processing_type}; memberships can "
                "only be changed on MANUAL or SNAPSHOT lists",
            )
        added: list[str] = []
        removed: list[str] = []
        missing: list[str] = []
        ms = now_ms()
        for raw in add:
            record_id = str(raw)
            if not exists(record_id):
                missing.append(record_id)
            elif record_id not in target.members:
                target.members[record_id] = ms
                added.append(record_id)
        for raw in remove:
            record_id = str(raw)
            if not exists(record_id):
                missing.append(record_id)
            elif target.members.pop(record_id, None) is not None:
                removed.append(record_id)
        if added or removed:
            target.updated_ms = ms
            target.version += 1
        return Change(added, removed, missing)

    def members(self, list_id: str, after: int, limit: int) -> dict[str, Any]:
        """A page of members ordered by record id (``ApiCollectionResponseJoinTimeAndRecordId``)."""
        target = self.get(list_id)
        limit = max(1, min(limit, MAX_PAGE))
        ordered = sorted(target.members.items(), key=lambda item: int(item[0]))
        if after:
            ordered = [item for item in ordered if int(item[0]) > after]
        page = ordered[:limit]
        answer: dict[str, Any] = {
            "results": [{"recordId": rid, "membershipTimestamp": iso(ms)} for rid, ms in page],
            "total": len(target.members),
        }
        if len(ordered) > limit:
            answer["paging"] = {"next": {"after": page[-1][0]}}
        return answer
