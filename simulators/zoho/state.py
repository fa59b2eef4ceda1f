"""The simulated Zoho CRM org: its modules, records, campaign members, tokens, limits and
counters."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from simulators.kit.served import Served
from simulators.zoho.errors import ZohoError, invalid_module
from simulators.zoho.limits import DAY_SECONDS, Limits
from simulators.zoho.modules import ENTITY_OF, Module, standard_modules
from simulators.zoho.records import ModuleStore, id_counter
from simulators.zoho.tokens import ZohoTokens

MemberKey = tuple[str, str, str]
"""(module, record id, related list): a record's related list, such as a campaign's contacts."""


class ZohoSim(Served):
    """Everything one simulated org holds (satisfies ``simulators.kit.Simulated``).

    Args:
        tokens: Access tokens that never expire (a self-client's token, for tests).
        credits: API credits allowed in any credit window.
        concurrency: Requests allowed in flight at once.
        token_lifetime: Seconds an OAuth access token lives (Zoho: one hour).
        batch_limit: Records allowed in one write request.
        latency: Seconds each API request takes (so requests overlap, as concurrency needs).
        credit_window: The credit window's length in seconds.
    """

    def __init__(
        self,
        *,
        tokens: Collection[str],
        credits: int,
        concurrency: int,
        token_lifetime: float,
        batch_limit: int,
        latency: float,
        credit_window: float = DAY_SECONDS,
    ) -> None:
        super().__init__(tokens=tokens, token_lifetime=token_lifetime)
        self.tokens = ZohoTokens(self.static_tokens, lifetime=token_lifetime)
        self.limits = Limits(credits, concurrency, credit_window)
        self.batch_limit = batch_limit
        self.latency = latency
        self.modules: dict[str, Module] = standard_modules()
        ids = id_counter()
        self.stores = {name: ModuleStore(module, ids) for name, module in self.modules.items()}
        self.members: dict[MemberKey, dict[str, dict[str, Any]]] = {}

    def store(self, module: str) -> ModuleStore:
        """The records of a module named as Zoho names it (ignoring case, as Zoho does).

        Raises:
            ZohoError: Zoho's ``INVALID_MODULE``.
        """
        for name, store in self.stores.items():
            if name.lower() == module.lower():
                return store
        raise invalid_module()

    def lookup(self, module: str, record_id: str) -> dict[str, Any] | None:
        """A lookup's stored value, ``{name, id}``, for a record of ``module`` (None: none)."""
        store = self.stores.get(module)
        record = store.records.get(record_id) if store is not None else None
        if store is None or record is None:
            return None
        # A person is named by their full name, anything else by its duplicate-check field.
        name = record.values.get("Full_Name") or record.values.get(store.module.duplicate_check)
        return {"name": name, "id": record.id}

    def delete(self, module: str, record_id: str) -> bool:
        """Delete a record of ``module``, and its links in related lists (as parent or as
        member); False when there is none."""
        store = self.store(module)
        if not store.delete(record_id):
            return False
        name = store.module.api_name
        for key in [k for k in self.members if k[0] == name and k[1] == record_id]:
            del self.members[key]
        for (_, _, related), linked in self.members.items():
            if related == name:
                linked.pop(record_id, None)
        return True

    def member_list(self, key: MemberKey, *, create: bool = False) -> dict[str, dict[str, Any]]:
        """The related records of ``key`` by id.

        Raises:
            ZohoError: The parent record does not exist.
        """
        module, record_id, _ = key
        if record_id not in self.store(module).records:
            raise ZohoError(400, "INVALID_DATA", "invalid data", {"resource_path_index": 1})
        if create:
            return self.members.setdefault(key, {})
        return self.members.get(key, {})

    def reset(self) -> None:
        """Forget records, members, faults, OAuth grants and counters (the schema stays)."""
        for store in self.stores.values():
            store.clear()
        self.members.clear()
        self.limits.reset()
        self.reset_served()
        self.tokens = ZohoTokens(self.static_tokens, lifetime=self.token_lifetime)

    def stats(self) -> dict[str, Any]:
        """Records per module (by Cardfile's entity names), requests, 429s, credits, members."""
        return {
            "records": {ENTITY_OF[name]: len(s.records) for name, s in self.stores.items()},
            **self.served_stats(),
            "credits_used": self.limits.used(),
            "members": sum(len(found) for found in self.members.values()),
        }

    def records(self, module: str) -> list[dict[str, Any]]:
        """Every stored record of ``module`` (a copy, with its id), oldest first."""
        return [record.to_json() for record in self.store(module).records.values()]
