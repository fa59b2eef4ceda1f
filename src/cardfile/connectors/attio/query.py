"""Finding records without writing: Attio's record query (``POST /v2/objects/{object}/records/
query``) asked for the records holding any of a few key values, oldest first.

Upserts match through Attio's assert endpoint, which compares a unique attribute the way Attio
stores it: email addresses and domains in lower case (so without case), every other value
exactly. The query here sends values in that form and reads the answer back the same way, so
``find`` names the record an upsert would update. A unique attribute has one holder per value;
should several records hold one all the same, the oldest (``created_at`` ascending) is named.
A record id is looked up with ``$in`` on ``record_id``, which Attio's filtering guide gives as
its example of that operator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from cardfile.connectors.attio.fields import listed
from cardfile.connectors.attio.records import json_of
from cardfile.connectors.http import VendorClient

QUERY_VALUES = 50
"""Key values per query: Attio documents no cap on a filter, so this keeps each one small."""

QUERY_PAGE = 500
"""Records per query page (Attio's default ``limit``)."""

CASELESS_TYPES = frozenset({"email-address", "domain"})
"""Attribute types whose values Attio keeps in lower case, and so compares without case."""

CASELESS_KEYS = frozenset({"email_addresses", "domains"})
"""The standard match keys of those types (known without reading the object's attributes)."""

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HELD = ("email_address", "domain", "value", "phone_number", "original_phone_number")


def folded(value: Any, *, caseless: bool) -> str:
    """A key value as Attio compares it: trimmed and in lower case for caseless types."""
    text = _plain(value)
    return text.strip().lower() if caseless else text


def is_record_id(value: str) -> bool:
    """Whether ``value`` can be an Attio record id (a UUID); any other cannot name a record,
    and Attio refuses to filter on it."""
    return bool(_UUID.match(value.strip()))


def key_query(match_key: str, values: Sequence[str], offset: int) -> dict[str, Any]:
    """The query body for one page of the records holding any of ``values`` (already folded)
    in ``match_key``, oldest first."""
    if match_key == "record_id":
        condition: dict[str, Any] = {"record_id": {"$in": list(values)}}
    else:
        condition = {"$or": [{match_key: value} for value in values]}
    return {
        "filter": condition,
        "sorts": [{"attribute": "created_at", "direction": "asc"}],
        "limit": QUERY_PAGE,
        "offset": offset,
    }


def held(record: dict[str, Any], match_key: str, *, caseless: bool) -> list[str]:
    """The values of ``match_key`` an answered record holds, folded as they are compared."""
    if match_key == "record_id":
        ids = record.get("id")
        found = ids.get("record_id") if isinstance(ids, dict) else None
        return [str(found)] if found else []
    values = record.get("values")
    items = values.get(match_key) if isinstance(values, dict) else None
    return [folded(item, caseless=caseless) for item in _listed(items) if _plain(item)]


async def holders(
    client: VendorClient, entity: str, match_key: str, keys: list[str]
) -> list[dict[str, Any]]:
    """Every record holding any of ``keys`` (folded) in ``match_key``, oldest first, page
    after page."""
    path = f"/v2/objects/{entity}/records/query"
    found: list[dict[str, Any]] = []
    while True:
        body = key_query(match_key, keys, offset=len(found))
        # A query is a POST that Attio counts as a read.
        page = listed(json_of(await client.request("POST", path, json=body, write=False)))
        found += page
        if len(page) < QUERY_PAGE:
            return found


def chunks(values: Sequence[str], size: int = QUERY_VALUES) -> Iterable[list[str]]:
    """``values`` in runs of ``size``."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _listed(items: Any) -> list[Any]:
    return items if isinstance(items, list) else []


def _plain(value: Any) -> str:
    """The text of a value: itself, or the main field of Attio's value object (a whole number
    stored as a float reads as the integer it is)."""
    if isinstance(value, dict):
        value = next((value[k] for k in _HELD if value.get(k) not in (None, "")), None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)
