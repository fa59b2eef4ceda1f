"""The simulated Pipedrive company: its fields, records, tokens, limits and counters."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from simulators.kit.served import Served
from simulators.pipedrive.limits import WINDOW_SECONDS, Limits
from simulators.pipedrive.records import RecordStore
from simulators.pipedrive.schema import Schema, standard_schema

COMPANY_ID = 7001
COMPANY_NAME = "Cardfile Simulated Company"
COMPANY_DOMAIN = "cardfile-sim"
USER_EMAIL = "owner@cardfile-sim.example"

ENTITY_OF = {"persons": "contacts", "organizations": "companies"}
"""Cardfile's names of the stored kinds, the keys of ``stats()["records"]``."""


class PipedriveSim(Served):
    """Everything one simulated company holds (satisfies ``simulators.kit.Simulated``).

    Args:
        tokens: API tokens that never expire.
        token_lifetime: Seconds an OAuth access token lives.
        api_token_burst: Requests per burst window for an API token.
        oauth_burst: Requests per burst window for an OAuth access token.
        search_burst: Search requests per burst window.
        daily_tokens: The daily token budget.
        window: The burst window in seconds.
    """

    def __init__(
        self,
        *,
        tokens: Collection[str],
        token_lifetime: float,
        api_token_burst: int,
        oauth_burst: int,
        search_burst: int,
        daily_tokens: int,
        window: float = WINDOW_SECONDS,
    ) -> None:
        super().__init__(tokens=tokens, token_lifetime=token_lifetime)
        self.limits = Limits(
            api_token_burst=api_token_burst,
            oauth_burst=oauth_burst,
            search_burst=search_burst,
            daily_tokens=daily_tokens,
            window=window,
        )
        self.schema: Schema = standard_schema()
        self.stores = {kind: RecordStore(kind) for kind in ENTITY_OF}
        self.lost_answers = 0

    def lose_answer(self) -> bool:
        """Whether to lose the answer of a write just stored (counting it down)."""
        if self.lost_answers <= 0:
            return False
        self.lost_answers -= 1
        return True

    def exists(self, kind: str, record_id: int) -> bool:
        """Whether a record of ``kind`` exists."""
        store = self.stores.get(kind)
        return store is not None and record_id in store.records

    def reset(self) -> None:
        """Forget records, added options, faults, grants, windows and counters."""
        self.schema = standard_schema()
        self.stores = {kind: RecordStore(kind) for kind in ENTITY_OF}
        self.limits.reset()
        self.lost_answers = 0
        self.reset_served()

    def stats(self) -> dict[str, Any]:
        """Records per Cardfile entity (held, and deleted through the API), requests
        answered, 429s sent, tokens spent."""
        return {
            "records": {ENTITY_OF[kind]: len(s.records) for kind, s in self.stores.items()},
            "deleted": {ENTITY_OF[kind]: s.deleted for kind, s in self.stores.items()},
            **self.served_stats(),
            "tokens_spent": self.limits.spent,
        }
