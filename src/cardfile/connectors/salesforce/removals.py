"""Removing records: ``DELETE /composite/sobjects?ids=…``, 200 ids a request, which moves the
records to the org's recycle bin (and their campaign memberships with them).

Salesforce answers one ``DeleteResult`` per id in the order named. ``ENTITY_IS_DELETED`` (the
record is already in the recycle bin, or was never there) is what a removal asks for; any
other error (a trigger's refusal, ``INSUFFICIENT_ACCESS_OR_READONLY``…) fails the id in
Salesforce's words. Ids are checked before sending: one that is no record id, or names a
record of another object, is refused without a request, so a removal of contacts can never
delete an account.
"""

from __future__ import annotations

from cardfile.connectors.base import Outcome, RecordResult
from cardfile.connectors.errors import Refused, RetryLater
from cardfile.connectors.http import VendorClient
from cardfile.connectors.salesforce.campaigns import Runner
from cardfile.connectors.salesforce.errors import for_records
from cardfile.connectors.salesforce.lookups import KEY_PREFIXES
from cardfile.connectors.salesforce.query import json_of
from cardfile.connectors.salesforce.records import is_record_id, refused, removal_of

BATCH_SIZE = 200


async def remove_records(
    client: VendorClient, api: str, run: Runner, sobject: str, ids: list[str]
) -> list[RecordResult]:
    """Delete the ``sobject`` records ``ids`` names; one result per id, in the order given.

    An id given twice (or in its 15- and its 18-character form) is sent once and shares the
    result.
    """
    prefix = KEY_PREFIXES[sobject]
    results: dict[str, RecordResult] = {}  # by the id's first 15 characters
    sending: list[str] = []
    for record_id in ids:
        short = record_id[:15]
        if short in results:
            continue
        if not is_record_id(record_id):
            results[short] = refused(f"{record_id!r} is not a Salesforce record id")
        elif not record_id.startswith(prefix):
            results[short] = refused(f"{record_id} is not the id of a {sobject} record")
        else:
            sending.append(record_id)
            results[short] = refused("the record was not sent")  # until its answer

    async def delete(chunk: list[str]) -> None:
        params = {"ids": ",".join(chunk), "allOrNone": "false"}
        try:
            response = await client.request("DELETE", f"{api}/composite/sobjects", params=params)
        except (RetryLater, Refused) as error:
            for record_id in chunk:
                results[record_id[:15]] = RecordResult.failed(for_records(error))
            return
        answer = json_of(response)
        listed = answer if isinstance(answer, list) else []
        for position, record_id in enumerate(chunk):
            found = listed[position] if position < len(listed) else None
            results[record_id[:15]] = removal_of(found, record_id, status=response.status_code)

    await run([delete(sending[i : i + BATCH_SIZE]) for i in range(0, len(sending), BATCH_SIZE)])
    return [_as_given(results[record_id[:15]], record_id) for record_id in ids]


def _as_given(result: RecordResult, record_id: str) -> RecordResult:
    """A removal naming the id in the form it was given."""
    if result.outcome is Outcome.REMOVED:
        return RecordResult(Outcome.REMOVED, record_id)
    return result
