"""One record written the only way Pipedrive allows: searched for, then patched or created
(or deleted by id).

Pipedrive has no upsert, and a create is not idempotent; so this module is where a re-sent
record is kept from becoming a second one:

* a key this connection has written is remembered, and a re-sent record goes straight to its
  record (searching again if Pipedrive says it is gone);
* otherwise an exact-match search finds the record (the oldest, where several hold the key);
* a create is sent once per request: after a failure that may have come when Pipedrive had
  already stored it (a 5xx, a dropped connection), the record is searched for again before it
  is sent again, and updated if the lost create went through. A 429 or a 401 (after which the
  shared client has refreshed the token) was refused before anything was stored, and is
  simply sent again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from cardfile.connectors.base import Outcome, RecordResult
from cardfile.connectors.errors import Action, Refused, RetryLater, TokenExpired, VendorError
from cardfile.connectors.http import RateBudget, VendorClient
from cardfile.connectors.pipedrive.matching import MAX_SEARCH_PAGES, Matcher, hits, oldest

CREATE_ATTEMPTS = 5
CREATE_BACKOFF = 0.5  # seconds before a create is looked for and tried again; it doubles
CREATE_BACKOFF_MAX = 30.0  # a longer wait asked for (the daily budget) is for a later run

Remembered = tuple[str, str, str]
"""(object, match key, key value) of a record this connection wrote."""


def answer_of(response: httpx.Response) -> dict[str, Any]:
    """A JSON object answer (an empty one when Pipedrive sent something else)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class RecordWriter:
    """Writes records of one connection one request at a time.

    Args:
        client: The connection's client (searches, reads, updates).
        creates: A client sharing its auth and budget that tries each request once, so that
            creates are retried here, where a lost one can be looked for first.
        search_budget: Pipedrive's separate search window.
    """

    def __init__(
        self, client: VendorClient, creates: VendorClient, search_budget: RateBudget
    ) -> None:
        self._client = client
        self._creates = creates
        self._search_budget = search_budget
        self._known: dict[Remembered, str] = {}

    async def write(
        self, kind: str, key: str | None, body: dict[str, Any], matcher: Matcher | None
    ) -> RecordResult:
        """Create or update one record of ``kind``: by its id when there is no ``matcher``
        (``key`` is the id, or None to create), else by its ``key`` value.

        Raises:
            ConnectorError: The classified failure of the request that ended the write.
        """
        path = f"/api/v2/{kind}"
        if matcher is None:
            if key is None:
                return await self._create(kind, body, None, None)
            response = await self._client.request("PATCH", f"{path}/{key}", json=body)
            return self._written(response, False)
        assert key is not None
        remembered = (kind, matcher.key, key)
        target = self._known.get(remembered)
        if target is not None:
            try:
                response = await self._client.request("PATCH", f"{path}/{target}", json=body)
                return self._written(response, False, remembered)
            except Refused as error:
                if error.status != 404:
                    raise
                self._known.pop(remembered, None)  # deleted since: look for it again
        target = await self.find(kind, matcher, key)
        if target is not None:
            response = await self._client.request("PATCH", f"{path}/{target}", json=body)
            return self._written(response, False, remembered)
        return await self._create(kind, body, matcher, remembered)

    async def delete(self, kind: str, record_id: str) -> None:
        """``DELETE /api/v2/{kind}/{id}``; a 404 means the record is gone already (deleted by
        an earlier request whose answer was lost, or by someone else). The keys remembered for
        it are forgotten, so that a later write of one of them searches instead of patching a
        record that is gone.

        Raises:
            ConnectorError: The classified failure of the request, but for a 404.
        """
        try:
            await self._client.request("DELETE", f"/api/v2/{kind}/{record_id}")
        except Refused as error:
            if error.status != 404:
                raise
        for remembered, target in list(self._known.items()):
            if remembered[0] == kind and target == record_id:
                del self._known[remembered]

    async def find(self, kind: str, matcher: Matcher, value: str) -> str | None:
        """The oldest record holding ``value`` in the match key, by an exact search."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(MAX_SEARCH_PAGES):
            slot = await self._search_budget.acquire()
            try:
                response = await self._client.request(
                    "GET", f"/api/v2/{kind}/search", params=matcher.params(value, cursor)
                )
            finally:
                self._search_budget.done(slot)
            page, cursor = hits(answer_of(response))
            found += page
            if cursor is None:
                break
        return oldest(found, matcher, value)

    async def _create(
        self,
        kind: str,
        body: dict[str, Any],
        matcher: Matcher | None,
        remembered: Remembered | None,
    ) -> RecordResult:
        """POST one record (see the module on retries); a record without a key cannot be
        looked for, so one that may have been stored is not sent twice."""
        path = f"/api/v2/{kind}"
        maybe_stored = False
        for attempt in range(CREATE_ATTEMPTS):
            if maybe_stored and matcher is not None and remembered is not None:
                target = await self.find(kind, matcher, remembered[2])
                if target is not None:  # the lost create stored it
                    response = await self._client.request("PATCH", f"{path}/{target}", json=body)
                    return self._written(response, True, remembered)
                maybe_stored = False  # it was not: a refusal from now on is plain again
            try:
                response = await self._creates.request("POST", path, json=body)
                return self._written(response, True, remembered)
            except TokenExpired:
                continue
            except RetryLater as error:
                waits = error.retry_after is not None and error.retry_after > CREATE_BACKOFF_MAX
                if waits or attempt == CREATE_ATTEMPTS - 1:
                    raise
                if error.error.action is Action.RATE_LIMITED:
                    continue  # the budget waits as long as Pipedrive asked
                if matcher is None:
                    raise
                maybe_stored = True
                await asyncio.sleep(CREATE_BACKOFF * 2**attempt)
        raise RetryLater(VendorError("the record could not be created", action=Action.RETRY))

    def _written(
        self, response: httpx.Response, created: bool, remembered: Remembered | None = None
    ) -> RecordResult:
        data = answer_of(response).get("data")
        found = data.get("id") if isinstance(data, dict) else None
        if found is None:
            return RecordResult.failed(VendorError("Pipedrive's answer carried no record id"))
        if remembered is not None:
            self._known[remembered] = str(found)
        return RecordResult(Outcome.CREATED if created else Outcome.UPDATED, str(found))
