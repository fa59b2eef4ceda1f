"""Records a caller pushes to a CRM by hand (graph8's push endpoints), through the connector.

A push goes in chunks: each chunk is upserted (the connector batches, paces and retries it),
its accepted records are handed to ``to_hub`` so the hub keeps the whole picture, and the
tally is handed to ``on_chunk``. A long push run as a job stores that tally, so it reports
progress and, if its worker dies, goes on from the first record not yet tallied; an upsert by
key makes sending that chunk again harmless.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cardfile.connectors.base import Capabilities, Connector, Identity, Outcome

# graph8's entity names, and what each vendor may call the same thing.
ENTITY_NAMES = {
    "contacts": ("contacts", "people", "persons"),
    "companies": ("companies", "organizations", "accounts"),
    "leads": ("leads",),
    "deals": ("deals", "opportunities"),
}

Accepted = tuple[Identity, str | None]  # what identifies the record, the vendor's id


class NoSuchEntity(LookupError):
    """The vendor has no entity of that kind."""


@dataclass
class HubCounts:
    """What one chunk's accepted records did to the hub."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (record, reason)


@dataclass
class PushTally:
    """A push so far: records attempted, pushed and refused (with the vendor's words), and
    what the accepted ones did to the hub."""

    done: int = 0
    pushed: int = 0
    failed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (record, vendor's message)
    hub: HubCounts = field(default_factory=HubCounts)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, to store as a job's progress."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PushTally:
        """The tally a job stored (an empty one for a job not yet started)."""
        if not data:
            return cls()
        hub = dict(data.get("hub") or {})
        return cls(
            done=int(data["done"]),
            pushed=int(data["pushed"]),
            failed=int(data["failed"]),
            errors=[(str(r), str(e)) for r, e in data.get("errors", [])],
            hub=HubCounts(
                created=int(hub.get("created", 0)),
                updated=int(hub.get("updated", 0)),
                unchanged=int(hub.get("unchanged", 0)),
                errors=[(str(r), str(e)) for r, e in hub.get("errors", [])],
            ),
        )


def vendor_entity(connector: Connector, entity_type: str) -> str:
    """The vendor's name for a graph8 entity type.

    Raises:
        NoSuchEntity: the vendor has none; the message names the ones it has.
    """
    entities = connector.capabilities.entities
    for name in ENTITY_NAMES.get(entity_type, (entity_type,)):
        if name in entities:
            return name
    raise NoSuchEntity(
        f"{connector.provider} has no {entity_type}; it offers {', '.join(sorted(entities))}"
    )


def estimated_seconds(capabilities: Capabilities, records: int) -> float:
    """How long the vendor's write limit lets ``records`` take at best."""
    requests = math.ceil(records / max(capabilities.batch_size, 1))
    budget = capabilities.writes
    # A daily allowance (Salesforce's, Zoho's credits) does not pace requests; assume about
    # ten a second in flight, as the connectors' concurrency allows.
    per_second = budget.per_second if budget.seconds < 3600 else 10.0
    return requests / per_second


def renamed(record: dict[str, Any], renames: dict[str, str] | None) -> dict[str, Any]:
    """The record with the caller's field renames (``provider_fields``) applied."""
    if not renames:
        return record
    return {renames.get(key, key): value for key, value in record.items()}


def label(record: dict[str, Any], key: str, index: int) -> str:
    """How an error names a record: its match key's value, else its position."""
    value = record.get(key)
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = next(iter(value.values()), None)
    return str(value) if value not in (None, "") else f"record {index}"


async def push(
    connector: Connector,
    entity_type: str,
    records: Sequence[dict[str, Any]],
    *,
    renames: dict[str, str] | None = None,
    to_hub: Callable[[list[Accepted]], Awaitable[HubCounts]],
    tally: PushTally | None = None,
    chunk: int | None = None,
    on_chunk: Callable[[PushTally], Awaitable[None]] | None = None,
) -> PushTally:
    """Upsert ``records`` (from ``tally.done`` on) on the entity's default match key.

    Raises:
        NoSuchEntity: the vendor has no such entity.
        ConnectorError: the vendor failed the whole call (a refused record is in the tally).
    """
    entity = vendor_entity(connector, entity_type)
    key = connector.capabilities.match_keys[entity][0]
    tally = tally or PushTally()
    size = chunk or max(len(records), 1)
    while tally.done < len(records):
        start = tally.done
        part = [renamed(r, renames) for r in records[start : start + size]]
        results = await connector.upsert(entity, part, key)
        accepted: list[Accepted] = []
        for offset, (record, result) in enumerate(zip(part, results, strict=True)):
            if result.outcome is Outcome.FAILED:
                message = result.error.message if result.error else "refused"
                tally.errors.append((label(record, key, start + offset), message))
                tally.failed += 1
            else:
                accepted.append((connector.identity(entity, record), result.vendor_id))
                tally.pushed += 1
        counts = await to_hub(accepted)
        tally.hub.created += counts.created
        tally.hub.updated += counts.updated
        tally.hub.unchanged += counts.unchanged
        tally.hub.errors += counts.errors
        tally.done = start + len(part)
        if on_chunk is not None:
            await on_chunk(tally)
    return tally
