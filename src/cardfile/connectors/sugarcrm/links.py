"""Links as Sugar holds them: a contact's account is its ``account_id``, the one account the
Contacts "Account Name" field shows, so linking again replaces it.

Sugar's accounts-to-contacts relationship is many-to-many underneath, and it offers two calls:
``POST /Contacts/{id}/link/accounts/{account}`` *adds* a relationship (the contact would then
hold the old account and the new one, the field showing either), while saving the contact
with another ``account_id`` (``PUT /Contacts/{id}``) drops the relationship the field showed
and relates the new account: that is "replace the contact's account", so links are made
that way, as ``PUT`` sub-requests of ``/bulk`` envelopes (the connector's batch call).

Sugar does not refuse an ``account_id`` naming no account: it logs that it could not load
the related record and saves the contact with no account at all. So the accounts are looked
up first (one ``POST /Accounts/filter`` per 100 ids), and a link to one that does not exist
fails as ``not_found`` without touching the contact; the answer's ``account_id`` is checked
too. A contact that does not exist is Sugar's 404 ``not_found``. A sub-request that failed
in passing is sent again in a later round (a ``PUT`` of the same value is harmless).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from urllib.parse import quote

from cardfile.connectors.base import Link, Outcome, RecordResult, link_rounds
from cardfile.connectors.errors import Action, Refused, RetryLater, VendorError
from cardfile.connectors.http import VendorClient
from cardfile.connectors.sugarcrm import bulk
from cardfile.connectors.sugarcrm.records import SubRequest

LINK_FIELDS: Mapping[tuple[str, str], tuple[str, str, str]] = {
    ("contacts", "companies"): ("Contacts", "account_id", "Accounts")
}
"""(module, field, target module) of each supported link, by (entity, target entity)."""

LINKS: Mapping[str, tuple[str, ...]] = {"contacts": ("companies",)}
"""``Capabilities.links``: what each entity can be linked to."""

NOT_FOUND = "not_found"
ROUNDS = 3  # envelopes for links whose sub-request failed in passing
ROUND_PAUSE = 0.25  # seconds before another round, doubled each time
_RETRYABLE = {Action.RETRY, Action.RATE_LIMITED, Action.REFRESH}

Existing = Callable[[str, list[str]], Awaitable[set[str]]]
"""Which of the ids name records of a module."""


def _not_found(message: str, status: int | None = None) -> RecordResult:
    return RecordResult.failed(VendorError(message, status, NOT_FOUND, Action.REFUSE))


def refusal(link: Link) -> RecordResult | None:
    """Why a link cannot be sent (a pair the connector does not link, a blank id), or None."""
    if (link.entity, link.target_entity) not in LINK_FIELDS:
        pairs = ", ".join(f"{e} to {t}" for (e, t) in LINK_FIELDS)
        message = f"SugarCRM cannot link {link.entity} to {link.target_entity} (it links {pairs})"
        return RecordResult.failed(VendorError(message))
    if not link.vendor_id.strip():
        return _not_found("the link names no SugarCRM record")
    if not link.target_id.strip():
        return _not_found("the link names no SugarCRM record to link to")
    return None


def _for_links(error: RetryLater | Refused) -> VendorError:
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error


class Linking:
    """One ``link`` call's lookups and envelopes.

    Args:
        client: The connector's client (it paces and retries each request).
        version: The pinned REST version (for sub-request URLs).
        size: Sub-requests per envelope.
        envelopes: The connector's cap on envelopes in flight.
        existing: The connector's lookup of which ids name records.
    """

    def __init__(
        self,
        client: VendorClient,
        version: str,
        size: int,
        envelopes: asyncio.Semaphore,
        existing: Existing,
    ) -> None:
        self._client = client
        self._version = version
        self._size = size
        self._envelopes = envelopes
        self._existing = existing
        self._passing: dict[int, VendorError] = {}  # the last failure in passing, per link

    async def link(self, links: Sequence[Link]) -> list[RecordResult]:
        """Make each link; one result per link, in order.

        Raises:
            ConnectionBroken: Sugar broke the connection mid-way.
        """
        results = [refusal(link) for link in links]
        await self._check_targets(links, results)
        for chosen in link_rounds(links, [i for i, r in enumerate(results) if r is None]):
            pending = chosen
            for round_number in range(ROUNDS):
                if not pending:
                    break
                if round_number:
                    await asyncio.sleep(ROUND_PAUSE * 2 ** (round_number - 1))
                await self._round(links, pending, results)
                pending = [i for i in pending if results[i] is None]
            for index in pending:
                last = self._passing.get(index) or VendorError("SugarCRM did not answer")
                results[index] = RecordResult.failed(replace(last, action=Action.RETRY))
        return [r or RecordResult.failed(VendorError("the link was not sent")) for r in results]

    async def _check_targets(
        self, links: Sequence[Link], results: list[RecordResult | None]
    ) -> None:
        """Fail the links whose target does not exist (Sugar would unlink the contact)."""
        wanted: dict[str, list[int]] = {}  # target module -> positions
        for index, link in enumerate(links):
            if results[index] is None:
                _, _, module = LINK_FIELDS[(link.entity, link.target_entity)]
                wanted.setdefault(module, []).append(index)
        for module, indices in wanted.items():
            ids = list(dict.fromkeys(links[i].target_id.strip() for i in indices))
            try:
                found = await self._existing(module, ids)
            except (RetryLater, Refused) as error:
                for index in indices:
                    results[index] = RecordResult.failed(_for_links(error))
                continue
            for index in indices:
                target = links[index].target_id.strip()
                if target not in found:
                    results[index] = _not_found(f"SugarCRM has no {module} record {target}")

    async def _round(
        self, links: Sequence[Link], indices: list[int], results: list[RecordResult | None]
    ) -> None:
        chunks = [indices[s : s + self._size] for s in range(0, len(indices), self._size)]
        try:
            async with asyncio.TaskGroup() as group:
                for chunk in chunks:
                    group.create_task(self._envelope(links, chunk, results))
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None

    async def _envelope(
        self, links: Sequence[Link], indices: list[int], results: list[RecordResult | None]
    ) -> None:
        subs = []
        for index in indices:
            link = links[index]
            module, field, _ = LINK_FIELDS[(link.entity, link.target_entity)]
            # Sugar's ids are UUIDs; quoting keeps any other text one path segment.
            path = f"{module}/{quote(link.vendor_id.strip(), safe='')}"
            subs.append(SubRequest("PUT", path, {field: link.target_id.strip()}))
        async with self._envelopes:
            try:
                answers = await bulk.send(self._client, self._version, subs)
            except (RetryLater, Refused) as error:
                for index in indices:
                    results[index] = RecordResult.failed(_for_links(error))
                return
        for index, answer in zip(indices, answers, strict=True):
            result = _result(links[index], answer)
            if result is None:
                self._passing[index] = answer.error()
            results[index] = result


def _result(link: Link, answer: bulk.SubAnswer) -> RecordResult | None:
    """One link's result from its sub-answer; None when it failed in passing."""
    _, field, module = LINK_FIELDS[(link.entity, link.target_entity)]
    if answer.action is None:
        held = answer.contents.get(field) if isinstance(answer.contents, dict) else None
        if held != link.target_id.strip():
            return _not_found(f"SugarCRM did not relate {module} record {link.target_id}")
        return RecordResult(Outcome.UPDATED, link.vendor_id)
    error = answer.error()
    if answer.status == 404 and error.code == NOT_FOUND:
        return RecordResult.failed(replace(error, action=Action.REFUSE))
    if answer.status == 403:
        # One record's ACL, as for removals: the other links may well be made.
        return RecordResult.failed(replace(error, action=Action.REFUSE))
    if answer.action in _RETRYABLE:
        return None
    return RecordResult.failed(error)
