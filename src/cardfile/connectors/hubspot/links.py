"""Links: HubSpot associations between contacts and companies, made in batches.

``POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default`` with
``{"inputs": [{"from": {"id"}, "to": {"id"}}]}`` makes the default (unlabeled) association of
each pair. An association is many-to-many and one of a kind per pair: a contact gains a company
beside those it has, and associating a pair again leaves one association.

The answer lists the pairs made in ``results`` (``{associationSpec, from: {id}, to: {id}}``),
and refusals in ``errors`` (HubSpot's ``StandardError``, with a 207 when some inputs failed):
an error names the ids it is about in its ``context`` (``fromObjectIds`` and ``toObjectIds``
for the two ends, or ``ids``), and ``OBJECT_NOT_FOUND`` there means a record that does not
exist, which fails that link as ``not_found``. HubSpot's ids are whole numbers, so an id that
is not one names no record and fails without a request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cardfile.connectors.base import Link, Outcome, RecordResult
from cardfile.connectors.errors import Action, Refused, RetryLater, VendorError
from cardfile.connectors.http import VendorClient
from cardfile.connectors.hubspot.errors import for_records

ASSOCIATION_BATCH = 2_000
"""Inputs per association batch request (see ``docs/vendors/hubspot.md`` for the source)."""

LINKS: dict[str, tuple[str, ...]] = {"contacts": ("companies",), "companies": ("contacts",)}
"""The pairs as ``Capabilities.links`` lists them."""

NOT_FOUND = "not_found"
_MISSING = frozenset({"OBJECT_NOT_FOUND"})

Pair = tuple[str, str]
"""(from id, to id)."""


@dataclass
class Batch:
    """One association request: its object types and pairs, and each pair's result."""

    entity: str
    target: str
    pairs: list[Pair]
    results: dict[Pair, RecordResult] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"/crm/v4/associations/{self.entity}/{self.target}/batch/associate/default"

    def body(self) -> dict[str, Any]:
        return {"inputs": [{"from": {"id": f}, "to": {"id": t}} for f, t in self.pairs]}


@dataclass
class Plan:
    """A call's links as batches (each pair sent once), and the results of those that were
    refused before any request."""

    links: Sequence[Link]
    refused: dict[int, RecordResult] = field(default_factory=dict)
    batches: list[Batch] = field(default_factory=list)

    def __post_init__(self) -> None:
        grouped: dict[tuple[str, str], dict[Pair, None]] = {}
        for index, link in enumerate(self.links):
            refusal = unsupported(link)
            if refusal is not None:
                self.refused[index] = refusal
                continue
            grouped.setdefault((link.entity, link.target_entity), {})[_pair(link)] = None
        for (entity, target), pairs in grouped.items():
            listed = list(pairs)
            for start in range(0, len(listed), ASSOCIATION_BATCH):
                chunk = listed[start : start + ASSOCIATION_BATCH]
                self.batches.append(Batch(entity, target, chunk))

    def results(self) -> list[RecordResult]:
        """Every link's result, in input order."""
        by_pair = {
            (batch.entity, batch.target, pair): result
            for batch in self.batches
            for pair, result in batch.results.items()
        }
        found: list[RecordResult] = []
        for index, link in enumerate(self.links):
            result = self.refused.get(index) or by_pair.get(
                (link.entity, link.target_entity, _pair(link))
            )
            found.append(result or _refused("the link was not sent"))
        return found


def _pair(link: Link) -> Pair:
    return link.vendor_id.strip(), link.target_id.strip()


def _refused(message: str, status: int | None = None, code: str | None = None) -> RecordResult:
    return RecordResult.failed(VendorError(message, status, code, Action.REFUSE))


def unsupported(link: Link) -> RecordResult | None:
    """The result of a link that cannot be sent (a pair HubSpot's connector does not link, an
    id that is no HubSpot id), or None when it can be."""
    if link.target_entity not in LINKS.get(link.entity, ()):
        pairs = ", ".join(f"{e} → {t}" for e, targets in LINKS.items() for t in targets)
        return _refused(
            f"HubSpot links {pairs}; not {link.entity} → {link.target_entity}",
            code="unsupported_link",
        )
    for entity, record in ((link.entity, link.vendor_id), (link.target_entity, link.target_id)):
        if not record.strip().isdigit():
            return _refused(
                f"HubSpot has no {entity} record {record!r}: its record ids are whole numbers",
                code=NOT_FOUND,
            )
    return None


async def associate(client: VendorClient, slots: asyncio.Semaphore, batch: Batch) -> None:
    """Send one batch and give each of its pairs a result (never raises for a refusal).

    Raises:
        ConnectorError: The connection is broken (a refused token).
    """
    async with slots:
        try:
            response = await client.request("POST", batch.path, json=batch.body())
        except (RetryLater, Refused) as error:
            failure = RecordResult.failed(for_records(error))
            batch.results = dict.fromkeys(batch.pairs, failure)
            return
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    batch.results = read_answer(answer, batch, response.status_code)


def _id_of(end: Any) -> str:
    return str(end.get("id")) if isinstance(end, dict) else ""


def read_answer(answer: Any, batch: Batch, status: int) -> dict[Pair, RecordResult]:
    """Each pair's result from an association batch answer (see the module)."""
    body = answer if isinstance(answer, dict) else {}
    found: dict[Pair, RecordResult] = {}
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    for error in errors:
        raw = error.get("context")
        context: dict[str, Any] = raw if isinstance(raw, dict) else {}
        ends = [
            {str(i) for i in context.get(key) or []} for key in ("fromObjectIds", "toObjectIds")
        ]
        either = {str(i) for i in context.get("ids") or []}
        category = str(error.get("category") or "") or None
        failure = _refused(
            str(error.get("message") or "HubSpot refused the association"),
            status,
            NOT_FOUND if category in _MISSING else category,
        )
        for pair in batch.pairs:
            if pair[0] in ends[0] | either or pair[1] in ends[1] | either:
                found.setdefault(pair, failure)
    made: set[Pair] = set()
    for result in body.get("results") or []:
        if isinstance(result, dict):
            ends_of = [_id_of(result.get("from")), _id_of(result.get("to"))]
            made |= {(ends_of[0], ends_of[1]), (ends_of[1], ends_of[0])}
    for pair in batch.pairs:
        if pair in found:
            continue
        if pair in made or not errors:
            found[pair] = RecordResult(Outcome.UPDATED, pair[0])
        else:
            found[pair] = _refused("HubSpot's answer did not mention this link", status)
    return found
