"""Finding records without writing: the oldest record holding each key (what an upsert by a
non-unique key updates, and what ``find`` answers), and which ids name records.

Both are SOQL queries, in ``IN`` lists small enough for a GET. SOQL compares text without
case; record ids compare on their first 15 characters, which are case-sensitive (the
18-character form only adds a checksum of their case).
"""

from __future__ import annotations

from cardfile.connectors.http import VendorClient
from cardfile.connectors.salesforce import soql
from cardfile.connectors.salesforce.campaigns import Runner
from cardfile.connectors.salesforce.query import query_rows
from cardfile.connectors.salesforce.records import is_record_id, key_text

# The key prefixes of the objects' record ids, fixed for standard objects: an id of another
# object is never found or removed as one of these.
KEY_PREFIXES = {"Contact": "003", "Account": "001", "Lead": "00Q", "Opportunity": "006"}


async def oldest(
    client: VendorClient, api: str, sobject: str, match_key: str, keys: list[str]
) -> dict[str, str]:
    """The id of the oldest record holding each of ``keys`` in ``match_key``, by the key as
    :func:`~cardfile.connectors.salesforce.records.key_text` folds it (one query).

    Args:
        client: The connection's client.
        api: The REST API's path prefix.
        sobject: The object to look in.
        match_key: The field holding the keys.
        keys: Folded keys, few enough for one ``IN`` list (see ``soql.chunks``).
    """
    text = (
        f"SELECT Id, {match_key} FROM {sobject} WHERE {match_key} IN "
        f"{soql.in_list(keys)} ORDER BY CreatedDate ASC, Id ASC"
    )
    found: dict[str, str] = {}
    for row in await query_rows(client, api, text):
        held = row.get(match_key)
        if held not in (None, "") and row.get("Id"):
            found.setdefault(key_text(held), str(row["Id"]))  # rows come oldest first
    return found


async def existing(
    client: VendorClient, api: str, run: Runner, sobject: str, given: list[str]
) -> dict[str, str]:
    """Which of ``given`` name a record of ``sobject``: each such id as given, answered with
    Salesforce's 18-character form of it."""
    prefix = KEY_PREFIXES[sobject]
    shaped = {v.strip()[:15] for v in given if is_record_id(v.strip())}
    # A malformed id would fail the whole query; one of another object cannot match.
    ids = sorted(i for i in shaped if i.startswith(prefix))
    found: dict[str, str] = {}

    async def look(chunk: list[str]) -> None:
        text = f"SELECT Id FROM {sobject} WHERE Id IN {soql.in_list(chunk)}"
        for row in await query_rows(client, api, text):
            if row.get("Id"):
                found[str(row["Id"])[:15]] = str(row["Id"])

    await run([look(chunk) for chunk in soql.chunks(ids)])
    return {v: found[v.strip()[:15]] for v in given if v.strip()[:15] in found}
