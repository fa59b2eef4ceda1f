"""Zoho CRM's limits as budgets: API credits over a rolling 24 hours, and concurrency.

An upsert costs one credit per ten records and any other call one; the edition's base is
50,000 credits (each user license adds more). The write budget counts every write as a full
batch of 100 (10 credits), the read budget one credit a request; both come from the same
pool at Zoho, so the ``credits_per_day`` setting should be the org's real allowance. The
concurrency is the edition's (Free 5 … Ultimate 25), at most 10 for writes of more than ten
records whatever the edition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cardfile.connectors.base import Connection, RateLimit

DAY_SECONDS = 86_400.0
CREDITS_PER_DAY = 50_000  # the edition's base; each user license adds more
CREDITS_PER_BATCH = 10  # an upsert of 100 records
SUB_CONCURRENCY = 10  # writes of more than ten records, whatever the edition
CONCURRENCY = {"free": 5, "standard": 10, "professional": 15, "enterprise": 20, "ultimate": 25}
DEFAULT_EDITION = "free"  # the lowest: other clients of the org share the concurrency too
WRITES = RateLimit(CREDITS_PER_DAY // CREDITS_PER_BATCH, DAY_SECONDS)
READS = RateLimit(CREDITS_PER_DAY, DAY_SECONDS)


@dataclass(frozen=True)
class Limits:
    """The budgets and the requests allowed in flight of one connection."""

    writes: RateLimit
    reads: RateLimit
    concurrency: int


def _positive(settings: Mapping[str, Any], name: str, default: int) -> int:
    raw = settings.get(name, default)
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {raw!r}")
    return value


def limits_of(connection: Connection) -> Limits:
    """The budgets and concurrency of the connection's edition (``edition``,
    ``credits_per_day`` and ``concurrency`` settings), the lowest by default."""
    settings = connection.settings
    edition = str(settings.get("edition", DEFAULT_EDITION)).lower()
    if edition not in CONCURRENCY:
        raise ValueError(f"edition must be one of {', '.join(CONCURRENCY)}, not {edition!r}")
    credits = _positive(settings, "credits_per_day", CREDITS_PER_DAY)
    concurrency = _positive(settings, "concurrency", CONCURRENCY[edition])
    return Limits(
        writes=RateLimit(max(1, credits // CREDITS_PER_BATCH), DAY_SECONDS),
        reads=RateLimit(credits, DAY_SECONDS),
        concurrency=min(concurrency, SUB_CONCURRENCY),
    )
