"""List memberships: a record is added to a list as an entry and removed with every entry it
has in that list.

``PUT /v2/lists/{list}/entries`` asserts an entry by its parent record, so an add is made once
however often it is sent; a record entered several times already (``POST`` allows duplicates)
makes Attio refuse to choose with ``multiple_match_results``, which still means it is a
member. Removing reads the record's entries (``GET /v2/objects/{object}/records/{id}/
entries``) and deletes those of the list.
"""

from __future__ import annotations

from cardfile.connectors.attio.errors import for_records
from cardfile.connectors.attio.fields import listed
from cardfile.connectors.attio.records import json_of
from cardfile.connectors.base import ListResult
from cardfile.connectors.errors import Refused, RetryLater
from cardfile.connectors.http import VendorClient

ENTRIES_PAGE = 1000  # the largest page of a record's list entries


async def add_member(client: VendorClient, list_id: str, parent: str, record: str) -> ListResult:
    """Enter ``record`` (of the object ``parent``) in the list, once."""
    body = {"data": {"parent_record_id": record, "parent_object": parent, "entry_values": {}}}
    try:
        await client.request("PUT", f"/v2/lists/{list_id}/entries", json=body)
    except Refused as error:
        if error.error.code == "multiple_match_results":
            # Entered more than once already (POST allows duplicates): it is a member.
            return ListResult(record, True, True)
        return ListResult(record, True, False, error.error)
    except RetryLater as error:
        return ListResult(record, True, False, for_records(error))
    return ListResult(record, True, True)


async def remove_member(
    client: VendorClient, list_id: str, real_id: str, parent: str, record: str
) -> ListResult:
    """Delete every entry ``record`` has in the list whose id is ``real_id``."""
    path = f"/v2/objects/{parent}/records/{record}/entries"
    try:
        entries: list[str] = []
        offset = 0
        while True:
            params = {"limit": ENTRIES_PAGE, "offset": offset}
            page = listed(json_of(await client.request("GET", path, params=params)))
            entries += [str(e["entry_id"]) for e in page if e.get("list_id") == real_id]
            if len(page) < ENTRIES_PAGE:
                break
            offset += len(page)
        for entry in entries:
            try:
                await client.request("DELETE", f"/v2/lists/{list_id}/entries/{entry}")
            except Refused as error:
                if error.status != 404:  # a 404: already removed, as asked
                    raise
    except (RetryLater, Refused) as error:
        return ListResult(record, False, False, for_records(error))
    return ListResult(record, False, True)
