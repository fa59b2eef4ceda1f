"""Deleting records: ``DELETE /v2/objects/{object}/records/{record_id}``, one a request.

Attio has neither an archive nor a batch delete. It answers 200 ``{}``, or 404 ``not_found``
for a record it does not have, which is the state asked for: that record counts as removed.
(A 404 for an object that is not activated breaks the connection instead; see ``errors``.)
"""

from __future__ import annotations

from cardfile.connectors.attio.errors import for_records
from cardfile.connectors.attio.records import refused
from cardfile.connectors.base import Outcome, RecordResult
from cardfile.connectors.errors import Refused, RetryLater
from cardfile.connectors.http import VendorClient


async def delete_record(client: VendorClient, entity: str, record: str) -> RecordResult:
    """Delete one record: removed, or failed with Attio's words.

    Raises:
        ConnectorError: The connection is broken (a refused token, an object Attio lost).
    """
    if not record:
        return refused("no record id to delete")
    try:
        await client.request("DELETE", f"/v2/objects/{entity}/records/{record}")
    except Refused as error:
        if error.status != 404:
            return RecordResult.failed(error.error)
    except RetryLater as error:
        return RecordResult.failed(for_records(error))
    return RecordResult(Outcome.REMOVED, record)
