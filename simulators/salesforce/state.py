"""The simulated org: its schema, records, campaign members, tokens, limits and counters."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from typing import Any

from simulators.kit.served import Served
from simulators.salesforce.errors import NOT_FOUND_MESSAGE, Refusal
from simulators.salesforce.limits import DailyAllocation
from simulators.salesforce.records import ObjectStore, id_counter
from simulators.salesforce.schema import ENTITIES, default_schema
from simulators.salesforce.tokens import SessionTokens

ORG_ID = "00D8d0000001SIMEAA"
USER_ID = "0058d0000001SIMAAA"
LOWEST_VERSION = 46.0  # sObject Collections upsert by external id needs v46.0
HIGHEST_VERSION = 66.0


class SalesforceSim(Served):
    """Everything one simulated org holds (satisfies ``simulators.kit.Simulated``).

    Args:
        tokens: Session ids (static tokens) that never expire.
        daily_limit: API requests allowed in the org's day.
        batch_limit: Records allowed in one sObject Collections request.
        token_lifetime: Seconds an OAuth session lives.
        query_page: Records per query answer before ``nextRecordsUrl``.
        accounts_as_members: Whether accounts may be campaign members (an org setting).
    """

    def __init__(
        self,
        *,
        tokens: Collection[str],
        daily_limit: int,
        batch_limit: int,
        token_lifetime: float,
        query_page: int,
        accounts_as_members: bool,
    ) -> None:
        super().__init__(tokens=tokens, token_lifetime=token_lifetime)
        self.tokens = SessionTokens(self.static_tokens, lifetime=token_lifetime)
        self.batch_limit = batch_limit
        self.query_page = query_page
        self.accounts_as_members = accounts_as_members
        self.daily = DailyAllocation(daily_limit)
        self.schema = default_schema()
        ids = id_counter()
        self.objects = {name: ObjectStore(spec, ids) for name, spec in self.schema.items()}
        self.cursors: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        self.org_id = ORG_ID
        self.user_id = USER_ID

    def store(self, sobject: str) -> ObjectStore:
        """The store of an object as a path or a record's ``attributes`` name it.

        Raises:
            Refusal: Salesforce's 404 for an object the org does not have.
        """
        found = self.objects.get(sobject)
        if found is None:
            raise Refusal(404, NOT_FOUND_MESSAGE, "NOT_FOUND")
        return found

    def owner_of(self, record_id: str) -> ObjectStore | None:
        """The store whose key prefix the id carries."""
        return next((s for s in self.objects.values() if record_id.startswith(s.spec.prefix)), None)

    def cursor(self, total: int, rows: list[dict[str, Any]]) -> str:
        """Keep the rest of a query's answer (of ``total`` rows) for ``nextRecordsUrl``; its
        locator."""
        locator = f"01g8d{secrets.token_hex(6).upper()}"
        self.cursors[locator] = (total, rows)
        return locator

    def reset(self) -> None:
        """Forget records, faults, sessions and counters (the schema stays)."""
        for store in self.objects.values():
            store.clear()
        self.cursors.clear()
        self.daily.reset()
        self.reset_served()
        self.tokens = SessionTokens(self.static_tokens, lifetime=self.token_lifetime)

    def stats(self) -> dict[str, Any]:
        """Records per Cardfile entity (and per object), requests, refusals, refreshes."""
        return {
            "records": {
                entity: len(self.objects[sobject].records) for sobject, entity in ENTITIES.items()
            },
            "sobjects": {name: len(store.records) for name, store in self.objects.items()},
            **self.served_stats(),
            "daily_used": self.daily.used,
        }

    def records(self, sobject: str) -> list[dict[str, Any]]:
        """Every stored record's values (a copy), oldest first."""
        stored = sorted(self.objects[sobject].records.values(), key=lambda r: r.created)
        return [dict(record.values) for record in stored]
