"""The simulated portal: its records, properties, lists, tokens, limits and counters."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from simulators.hubspot.associations import AssociationStore
from simulators.hubspot.errors import Refusal
from simulators.hubspot.limits import Limits
from simulators.hubspot.lists import ListStore
from simulators.hubspot.records import ObjectStore, id_counter
from simulators.kit.served import Served

OBJECT_ALIASES = {
    "contacts": "contacts",
    "contact": "contacts",
    "0-1": "contacts",
    "companies": "companies",
    "company": "companies",
    "0-2": "companies",
}
PORTAL_ID = 46_123_456


class HubSpotSim(Served):
    """Everything one simulated HubSpot portal holds (satisfies ``simulators.kit.Simulated``).

    Args:
        tokens: Private-app tokens that never expire.
        ten_second_limit: Requests allowed in any burst window.
        daily_limit: Requests allowed a day.
        batch_limit: Inputs allowed in one batch request.
        token_lifetime: Seconds an OAuth access token lives.
        interval_seconds: The burst window's length.
        association_batch_limit: Inputs allowed in one association batch request.
    """

    def __init__(
        self,
        *,
        tokens: Collection[str],
        ten_second_limit: int,
        daily_limit: int,
        batch_limit: int,
        token_lifetime: float,
        interval_seconds: float,
        association_batch_limit: int,
    ) -> None:
        super().__init__(tokens=tokens, token_lifetime=token_lifetime)
        self.batch_limit = batch_limit
        self.portal_id = PORTAL_ID
        self.limits = Limits(ten_second_limit, daily_limit, interval_seconds)
        ids = id_counter()
        self.objects = {name: ObjectStore(name, ids) for name in ("companies", "contacts")}
        self.lists = ListStore()
        self.association_batch_limit = association_batch_limit
        self.associations = AssociationStore()

    def store(self, object_type: str) -> ObjectStore:
        """The store behind an object type as a path names it (aliases allowed).

        Raises:
            Refusal: HubSpot's 400 for an object type it does not know.
        """
        name = OBJECT_ALIASES.get(object_type.lower())
        if name is None:
            raise Refusal(400, f"Unable to infer object type from: {object_type}")
        return self.objects[name]

    def reset(self) -> None:
        """Forget records, associations, lists, faults, OAuth grants and counters (custom
        properties stay)."""
        for store in self.objects.values():
            store.clear()
        self.lists.clear()
        self.associations.clear()
        self.limits.reset()
        self.reset_served()

    def stats(self) -> dict[str, Any]:
        """Records per object, associations, requests answered, 429s sent, lists and token
        refreshes."""
        return {
            "records": {name: len(store.records) for name, store in self.objects.items()},
            **self.served_stats(),
            "lists": len(self.lists.lists),
            "associations": self.associations.count(),
            "daily_used": self.limits.daily_used,
        }

    def records(self, object_type: str) -> list[dict[str, str]]:
        """Every stored record's property values (a copy), oldest first."""
        store = self.objects[OBJECT_ALIASES[object_type]]
        return [dict(record.values) for record in store.records.values()]
