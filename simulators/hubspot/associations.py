"""Associations between contacts and companies: many-to-many, one of a kind per pair.

HubSpot's default association of a pair is unlabeled and has a type id per direction (279
contact to company, 280 company to contact); the v3 read API names the same association
``contact_to_company_unlabeled`` (``company_to_contact_unlabeled``). Both directions are one
association: made from either side, it reads from both.
"""

from __future__ import annotations

from dataclasses import dataclass

PAIRED = ("contacts", "companies")


@dataclass(frozen=True)
class Kind:
    """One direction of the default association."""

    type_id: int
    name: str  # the v3 read API's name for it


KINDS = {
    ("contacts", "companies"): Kind(279, "contact_to_company_unlabeled"),
    ("companies", "contacts"): Kind(280, "company_to_contact_unlabeled"),
}
"""The default association's kind, by (from object type, to object type)."""


class AssociationStore:
    """Every association of the portal, in the order made."""

    def __init__(self) -> None:
        # record id -> associated record ids (of the other object type), in the order made
        self._by: dict[str, dict[str, dict[str, None]]] = {name: {} for name in PAIRED}

    def add(self, from_type: str, from_id: str, to_type: str, to_id: str) -> bool:
        """Associate two records (both directions); False when they already were."""
        known = to_id in self._by[from_type].get(from_id, {})
        self._by[from_type].setdefault(from_id, {})[to_id] = None
        self._by[to_type].setdefault(to_id, {})[from_id] = None
        return not known

    def of(self, object_type: str, record_id: str) -> list[str]:
        """The ids of the records associated with ``record_id`` of ``object_type``."""
        return list(self._by[object_type].get(record_id, {}))

    def forget(self, object_type: str, record_id: str) -> None:
        """Drop every association of a record (it was archived)."""
        other = PAIRED[1] if object_type == PAIRED[0] else PAIRED[0]
        for associated in self._by[object_type].pop(record_id, {}):
            self._by[other].get(associated, {}).pop(record_id, None)

    def count(self) -> int:
        """How many associations there are."""
        return sum(len(ids) for ids in self._by[PAIRED[0]].values())

    def clear(self) -> None:
        """Forget every association."""
        for by in self._by.values():
            by.clear()
