"""Lists as Salesforce has them: campaigns, whose members are ``CampaignMember`` records.

Adding creates members through ``POST /composite/sobjects`` (200 a request), naming the
record by the field its id's key prefix calls for: ``ContactId`` (``003``), ``LeadId``
(``00Q``) or ``AccountId`` (``001``, where the org lets accounts be members). Salesforce's
"Already a campaign member." is what was asked for. Removing finds the record's member rows in
the campaign with SOQL, then deletes them with ``DELETE /composite/sobjects?ids=…``; a record
that was no member, or whose row is already gone, is removed as asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from cardfile.connectors.base import ListResult
from cardfile.connectors.errors import Refused, RetryLater, VendorError
from cardfile.connectors.http import VendorClient
from cardfile.connectors.salesforce import soql
from cardfile.connectors.salesforce.errors import for_records
from cardfile.connectors.salesforce.query import json_of, query_rows
from cardfile.connectors.salesforce.records import failure, sobject_record

BATCH_SIZE = 200
MEMBER_FIELDS = {"003": "ContactId", "00Q": "LeadId", "001": "AccountId"}
Runner = Callable[[Sequence[Awaitable[None]]], Awaitable[None]]


def same_id(left: str, right: str) -> bool:
    """Salesforce ids compare on their first 15 characters (the 18-character form adds a
    case-insensitive checksum)."""
    return left[:15] == right[:15]


def _not_a_member(record_id: str, adding: bool) -> ListResult:
    message = f"{record_id} is not the id of a contact, lead or account"
    return ListResult(record_id, adding, False, VendorError(message))


def membership(record_id: str, adding: bool, result: Any, status: int) -> ListResult:
    """A membership change's result from a ``SaveResult`` or ``DeleteResult``; already a
    member (adding) or already gone (removing) is what was asked for."""
    if isinstance(result, dict) and result.get("success"):
        return ListResult(record_id, adding, True)
    error = failure(result.get("errors") if isinstance(result, dict) else None, status)
    settled = "DUPLICATE_VALUE" if adding else "ENTITY_IS_DELETED"
    if error.code == settled:
        return ListResult(record_id, adding, True)
    return ListResult(record_id, adding, False, error)


def _listed(answer: Any, position: int) -> Any:
    return answer[position] if isinstance(answer, list) and position < len(answer) else None


class CampaignMembers:
    """Membership changes of campaigns over one connection.

    Args:
        client: The connection's client.
        api: The REST API's path prefix.
        run: Runs requests a few at a time (the connector's concurrency).
    """

    def __init__(self, client: VendorClient, api: str, run: Runner) -> None:
        self._client = client
        self._api = api
        self._run = run

    async def add(self, campaign: str, ids: list[str]) -> list[ListResult]:
        """Make each record a member of ``campaign``; results in the order given."""
        results: dict[int, ListResult] = {}
        sendable: list[tuple[int, str, str]] = []
        for index, record_id in enumerate(ids):
            field = MEMBER_FIELDS.get(record_id[:3])
            if field is None:
                results[index] = _not_a_member(record_id, True)
            else:
                sendable.append((index, record_id, field))

        async def send(chunk: list[tuple[int, str, str]]) -> None:
            records = [
                sobject_record("CampaignMember", {"CampaignId": campaign, field: record_id})
                for _, record_id, field in chunk
            ]
            body = {"allOrNone": False, "records": records}
            try:
                response = await self._client.request(
                    "POST", f"{self._api}/composite/sobjects", json=body
                )
            except (RetryLater, Refused) as error:
                for index, record_id, _ in chunk:
                    results[index] = ListResult(record_id, True, False, for_records(error))
                return
            answer = json_of(response)
            for position, (index, record_id, _) in enumerate(chunk):
                found = _listed(answer, position)
                results[index] = membership(record_id, True, found, response.status_code)

        await self._run([send(chunk) for chunk in _chunks(sendable)])
        return [results[index] for index in range(len(ids))]

    async def remove(self, campaign: str, ids: list[str]) -> list[ListResult]:
        """End each record's membership of ``campaign``; results in the order given."""
        results: dict[str, ListResult] = {}
        rows_of: dict[str, list[str]] = {}  # record id -> its CampaignMember ids
        by_field: dict[str, list[str]] = {}
        for record_id in ids:
            field = MEMBER_FIELDS.get(record_id[:3])
            if field is None:
                results[record_id] = _not_a_member(record_id, False)
            else:
                by_field.setdefault(field, []).append(record_id)
                rows_of[record_id] = []

        async def find(field: str, chunk: list[str]) -> None:
            text = (
                f"SELECT Id, {field} FROM CampaignMember WHERE CampaignId = "
                f"{soql.literal(campaign)} AND {field} IN {soql.in_list(chunk)}"
            )
            try:
                rows = await query_rows(self._client, self._api, text)
            except (RetryLater, Refused) as error:
                for record_id in chunk:
                    results[record_id] = ListResult(record_id, False, False, for_records(error))
                return
            for row in rows:
                for record_id in chunk:
                    if row.get("Id") and same_id(str(row.get(field) or ""), record_id):
                        rows_of[record_id].append(str(row["Id"]))

        await self._run(
            [find(f, chunk) for f, group in by_field.items() for chunk in soql.chunks(group)]
        )
        owners = {row: r for r, rows in rows_of.items() if r not in results for row in rows}

        async def delete(chunk: list[str]) -> None:
            params = {"ids": ",".join(chunk), "allOrNone": "false"}
            try:
                response = await self._client.request(
                    "DELETE", f"{self._api}/composite/sobjects", params=params
                )
            except (RetryLater, Refused) as error:
                for row in chunk:
                    owner = owners[row]
                    results[owner] = ListResult(owner, False, False, for_records(error))
                return
            answer = json_of(response)
            for position, row in enumerate(chunk):
                gone = membership(owners[row], False, _listed(answer, position), 200)
                if not gone.ok:
                    results.setdefault(owners[row], gone)

        await self._run([delete(chunk) for chunk in _chunks(list(owners))])
        return [results.get(r) or ListResult(r, False, True) for r in ids]


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[start : start + BATCH_SIZE] for start in range(0, len(items), BATCH_SIZE)]
