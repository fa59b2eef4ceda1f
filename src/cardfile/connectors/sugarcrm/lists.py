"""Target List (``ProspectLists``) memberships: relating records and unrelating them.

A Target List relates Accounts, Contacts and Leads through the links ``accounts``,
``contacts`` and ``leads``. Sugar's ids do not say their module, so the ids are first looked
up in each module (``POST /{Module}/filter`` on ``id``). Additions go as one ``POST
/ProspectLists/{id}/link`` per link (``{link_name, ids}``), which relates a record once
however often it is sent; removals as ``DELETE /ProspectLists/{id}/link/{link}/{record}``
sub-requests of ``/bulk`` envelopes, each answered on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx

from cardfile.connectors.base import ListResult
from cardfile.connectors.errors import Action, Refused, RetryLater, VendorError
from cardfile.connectors.http import VendorClient
from cardfile.connectors.sugarcrm import bulk
from cardfile.connectors.sugarcrm.records import SubRequest

LINKS = {"Accounts": "accounts", "Contacts": "contacts", "Leads": "leads"}
"""The modules a Target List holds, and the link each is related through."""

CHUNK = 100  # ids per lookup, per link call and per removal envelope


def _failure(error: RetryLater | Refused) -> VendorError:
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error


def _records(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    found = body.get("records") or body.get("related_records") if isinstance(body, dict) else []
    return [r for r in found or [] if isinstance(r, dict)]


class Memberships:
    """One list update's calls.

    Args:
        client: The connector's client.
        version: The pinned REST version (for sub-request URLs).
        envelopes: The connector's cap on envelopes in flight.
    """

    def __init__(self, client: VendorClient, version: str, envelopes: asyncio.Semaphore) -> None:
        self._client = client
        self._version = version
        self._envelopes = envelopes

    async def update(
        self, list_id: str, adds: Sequence[str], removes: Sequence[str]
    ) -> list[ListResult]:
        """Add ``adds`` and remove ``removes``; one result per id, additions first."""
        wanted = list(dict.fromkeys([*adds, *removes]))
        try:
            links = await self._locate(wanted)
        except (RetryLater, Refused) as error:
            failure = _failure(error)
            return [ListResult(i, True, False, failure) for i in adds] + [
                ListResult(i, False, False, failure) for i in removes
            ]
        added = await self._add(list_id, adds, links)
        removed = await self._remove(list_id, removes, links)
        return [added[i] for i in adds] + [removed[i] for i in removes]

    async def _locate(self, ids: list[str]) -> dict[str, str]:
        """The link of each id Sugar knows (ids it does not know are left out)."""
        found: dict[str, str] = {}
        for module, link in LINKS.items():
            remaining = [i for i in ids if i not in found]
            for start in range(0, len(remaining), CHUNK):
                chunk = remaining[start : start + CHUNK]
                body = {"filter": [{"id": {"$in": chunk}}], "fields": "id", "max_num": CHUNK}
                path = f"/{module}/filter"
                answer = await self._client.request("POST", path, json=body, write=False)
                found.update((str(r["id"]), link) for r in _records(answer) if r.get("id"))
        return found

    @staticmethod
    def _unknown(record_id: str, adding: bool) -> ListResult:
        known = ", ".join(LINKS)
        error = VendorError(
            f"SugarCRM has no {known} record with id {record_id}",
            404,
            "not_found",
            Action.REFUSE,
        )
        return ListResult(record_id, adding, False, error)

    async def _add(
        self, list_id: str, adds: Sequence[str], links: dict[str, str]
    ) -> dict[str, ListResult]:
        results = {i: self._unknown(i, True) for i in adds if i not in links}
        by_link: dict[str, list[str]] = {}
        for record_id in dict.fromkeys(adds):
            if record_id in links:
                by_link.setdefault(links[record_id], []).append(record_id)
        path = f"/ProspectLists/{list_id}/link"
        for link, ids in by_link.items():
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                body = {"link_name": link, "ids": chunk}
                try:
                    answer = await self._client.request("POST", path, json=body)
                except (RetryLater, Refused) as error:
                    failure = _failure(error)
                    results.update((i, ListResult(i, True, False, failure)) for i in chunk)
                    continue
                related = {str(r.get("id")) for r in _records(answer)}
                for record_id in chunk:
                    ok = record_id in related
                    missing = VendorError(
                        f"SugarCRM did not relate {record_id} to Target List {list_id}",
                        answer.status_code,
                    )
                    results[record_id] = ListResult(record_id, True, ok, None if ok else missing)
        return results

    async def _remove(
        self, list_id: str, removes: Sequence[str], links: dict[str, str]
    ) -> dict[str, ListResult]:
        results = {i: self._unknown(i, False) for i in removes if i not in links}
        ids = [i for i in dict.fromkeys(removes) if i in links]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            subs = [
                SubRequest("DELETE", f"ProspectLists/{list_id}/link/{links[i]}/{i}") for i in chunk
            ]
            try:
                async with self._envelopes:
                    answers = await bulk.send(self._client, self._version, subs)
            except (RetryLater, Refused) as error:
                failure = _failure(error)
                results.update((i, ListResult(i, False, False, failure)) for i in chunk)
                continue
            for record_id, answer in zip(chunk, answers, strict=True):
                ok = answer.action is None
                results[record_id] = ListResult(
                    record_id, False, ok, None if ok else answer.error()
                )
        return results
