"""Removing records: ``DELETE /{Module}/{id}`` sub-requests of ``/bulk`` envelopes.

Sugar deletes softly (it marks the record deleted and drops its relationships) and answers
200 ``{"id": …}``. A record it does not have, never or no longer, is 404 ``not_found``: for a
removal that is the state wished for, so it counts as removed. That also makes a delete safe
to send again, so a sub-request that failed in passing (its answer lost, the instance busy)
is re-sent in a later round; a refusal (403 ``not_authorized`` for a record the user's role
may not delete) fails that record alone, in Sugar's words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import quote

from cardfile.connectors.base import Outcome, RecordResult
from cardfile.connectors.errors import Action, Refused, RetryLater, VendorError
from cardfile.connectors.http import VendorClient
from cardfile.connectors.sugarcrm import bulk
from cardfile.connectors.sugarcrm.records import SubRequest, refused

ROUNDS = 3  # envelopes for ids whose delete failed in passing
ROUND_PAUSE = 0.25  # seconds before another round, doubled each time
_RETRYABLE = {Action.RETRY, Action.RATE_LIMITED, Action.REFRESH}


def _failure(error: RetryLater | Refused) -> VendorError:
    """What each id of a failed envelope carries: one that outlasted the client's retries is
    for a later run."""
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error


def _result(record_id: str, answer: bulk.SubAnswer) -> RecordResult | None:
    """One delete's result; None when it failed in passing and may be sent again."""
    if answer.action is None:
        return RecordResult(Outcome.REMOVED, record_id)
    error = answer.error()
    if answer.status == 404 and error.code == "not_found":
        return RecordResult(Outcome.REMOVED, record_id)  # already gone
    if answer.status == 403:
        # The shared table reads a 403 as a connection that cannot work; here it is one
        # record's ACL, and the other records may well be deleted.
        return RecordResult.failed(replace(error, action=Action.REFUSE))
    if answer.action in _RETRYABLE:
        return None
    return RecordResult.failed(error)


class Removal:
    """One ``remove`` call's envelopes.

    Args:
        client: The connector's client (it paces and retries each envelope).
        version: The pinned REST version (for sub-request URLs).
        size: Sub-requests per envelope.
        envelopes: The connector's cap on envelopes in flight.
    """

    def __init__(
        self, client: VendorClient, version: str, size: int, envelopes: asyncio.Semaphore
    ) -> None:
        self._client = client
        self._version = version
        self._size = size
        self._envelopes = envelopes
        self._results: dict[str, RecordResult] = {}
        self._passing: dict[str, VendorError] = {}  # the last failure in passing, per id

    async def remove(self, module: str, ids: Sequence[str]) -> list[RecordResult]:
        """Delete the records of ``module`` named by ``ids``; one result per id, in order (an
        id given twice is deleted once and given the same result twice).

        Raises:
            ConnectionBroken: Sugar broke the connection mid-way.
        """
        pending = list(dict.fromkeys(i for i in ids if i.strip()))
        for round_number in range(ROUNDS):
            if not pending:
                break
            if round_number:
                await asyncio.sleep(ROUND_PAUSE * 2 ** (round_number - 1))
            await self._round(module, pending)
            pending = [i for i in pending if i not in self._results]
        return [self._final(i) for i in ids]

    def _final(self, record_id: str) -> RecordResult:
        if not record_id.strip():
            return refused("the record has no SugarCRM id to delete it by")
        found = self._results.get(record_id)
        if found is not None:
            return found
        last = self._passing.get(record_id) or VendorError("SugarCRM did not answer the delete")
        return RecordResult.failed(replace(last, action=Action.RETRY))

    async def _round(self, module: str, ids: list[str]) -> None:
        chunks = [ids[s : s + self._size] for s in range(0, len(ids), self._size)]
        try:
            async with asyncio.TaskGroup() as group:
                for chunk in chunks:
                    group.create_task(self._envelope(module, chunk))
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None

    async def _envelope(self, module: str, ids: list[str]) -> None:
        # Sugar's ids are UUIDs; quoting keeps any other text one path segment.
        subs = [SubRequest("DELETE", f"{module}/{quote(i, safe='')}") for i in ids]
        async with self._envelopes:
            try:
                answers = await bulk.send(self._client, self._version, subs)
            except (RetryLater, Refused) as error:
                failure = _failure(error)
                self._results.update((i, RecordResult.failed(failure)) for i in ids)
                return
        for record_id, answer in zip(ids, answers, strict=True):
            result = _result(record_id, answer)
            if result is None:
                self._passing[record_id] = answer.error()
            else:
                self._results[record_id] = result
