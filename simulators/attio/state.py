"""The simulated Attio workspace: its objects, records, lists, tokens, limits and counters."""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from simulators.attio.errors import not_found
from simulators.attio.limits import Limits
from simulators.attio.lists import ListStore
from simulators.attio.objects import standard_objects
from simulators.attio.records import Record, RecordStore, drop_references, plain_values
from simulators.attio.references import References
from simulators.attio.schema import ObjectType
from simulators.kit.served import Served
from simulators.kit.tokens import Grant

WORKSPACE_NAME = "Cardfile Simulated Workspace"
API_KEY_CLIENT_ID = "cardfile-sim-api-key"
SCOPES = (
    "record_permission:read-write object_configuration:read-write "
    "list_entry:read-write list_configuration:read-write user_management:read"
)


class AttioSim(Served):
    """Everything one simulated Attio workspace holds (satisfies ``simulators.kit.Simulated``).

    Args:
        tokens: API keys that never expire.
        writes_per_second: Write requests allowed in any one-second window.
        reads_per_second: Read requests allowed in any one-second window.
        token_lifetime: Seconds an OAuth access token lives.
        activated: The objects the workspace has activated (people and companies always are
            in Attio; users, workspaces and deals must be activated under Settings → Objects).
    """

    def __init__(
        self,
        *,
        tokens: Collection[str],
        writes_per_second: int,
        reads_per_second: int,
        token_lifetime: float,
        activated: Collection[str],
    ) -> None:
        super().__init__(tokens=tokens, token_lifetime=token_lifetime)
        self.started = time.time()
        self.activated = set(activated)
        self.limits = Limits(writes_per_second, reads_per_second)
        self.objects: dict[str, ObjectType] = standard_objects(self.started)
        self.stores = {slug: RecordStore(obj) for slug, obj in self.objects.items()}
        self.lists = ListStore()
        self.deleted = dict.fromkeys(self.stores, 0)

    def object_slug(self, ref: str) -> str | None:
        """The slug of an activated object named by slug or id."""
        for slug, obj in self.objects.items():
            if slug in self.activated and ref in (slug, obj.id):
                return slug
        return None

    def object(self, ref: str) -> ObjectType:
        """An activated object by slug or id.

        Raises:
            AttioError: 404 ``not_found``, as Attio answers for an object that is not activated.
        """
        slug = self.object_slug(ref)
        if slug is None:
            raise not_found(f'Object with slug/ID "{ref}" not found.')
        return self.objects[slug]

    def store(self, ref: str) -> RecordStore:
        """The records of an activated object (see :meth:`object`)."""
        return self.stores[self.object(ref).api_slug]

    def grant_of(self, token: str) -> Grant | None:
        """The OAuth grant behind an access token (None for API keys and unknown tokens)."""
        return self.tokens.grant_of(token)

    def references(self) -> References:
        """Resolves reference values against the activated objects' records."""
        live = {slug: store for slug, store in self.stores.items() if slug in self.activated}
        return References(live, self.object_slug)

    def delete(self, store: RecordStore, record: Record) -> None:
        """Delete a record: its list entries go, and references to it are cleared."""
        del store.records[record.id]
        self.lists.forget_record(record.id)
        for other in self.stores.values():
            for holder in other.records.values():
                drop_references(holder, record.id)
        for entries in self.lists.entries.values():
            for entry in entries.values():
                drop_references(entry, record.id)
        self.deleted[store.object.api_slug] += 1

    def reset(self) -> None:
        """Forget records, lists, faults, OAuth grants and counters (the objects' attributes,
        options and statuses stay, as a workspace's schema does)."""
        for store in self.stores.values():
            store.clear()
        self.lists.clear()
        self.deleted = dict.fromkeys(self.stores, 0)
        self.limits.reset()
        self.reset_served()

    def stats(self) -> dict[str, Any]:
        """Records and deleted records per object, requests answered, 429s sent, lists,
        entries and refreshes."""
        return {
            "records": {slug: len(store.records) for slug, store in self.stores.items()},
            "deleted": dict(self.deleted),
            **self.served_stats(),
            "lists": len(self.lists.lists),
            "entries": sum(len(entries) for entries in self.lists.entries.values()),
        }

    def records(self, object_slug: str) -> list[dict[str, list[Any]]]:
        """Every record's stored values (without Attio's value metadata), oldest first."""
        store = self.stores[object_slug]
        return [plain_values(store.object, record) for record in store.records.values()]
