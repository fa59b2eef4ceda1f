"""Finding records without writing: Zoho's search criteria, and the oldest of what it answers.

``GET /crm/v8/{module}/search?criteria=((Email:equals:a)or(Email:equals:b))`` takes at most
ten criteria, with ``(``, ``)`` and ``,`` in a value escaped by a backslash (and so the
backslash itself). Zoho's ``equals`` ignores case, as its upsert's duplicate check does; the
values are compared again here, with the upsert's folding, so that a looser match of the
vendor's never names a record the upsert would not. When several records hold a value, the
oldest (by ``Created_Time``, then by id, since Zoho's ids grow) is the one an upsert updates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

CRITERIA_PER_SEARCH = 10  # Zoho's cap on the criteria of one search
PER_PAGE = 200  # the most records one page of a search or a read holds
IDS_PER_READ = 100  # the most ids one ``GET /crm/v8/{module}?ids=`` takes
_ESCAPED = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)", ",": "\\,"})


def criteria(match_key: str, values: Iterable[str]) -> str:
    """The criteria matching ``match_key`` equal to any of ``values`` (up to ten)."""
    terms = [f"({match_key}:equals:{value.translate(_ESCAPED)})" for value in values]
    return terms[0] if len(terms) == 1 else f"({'or'.join(terms)})"


def record_id(text: str) -> bool:
    """Whether ``text`` can be a Zoho record id (digits only: Zoho refuses a read naming
    anything else, so such a value is known absent without asking)."""
    return text.isascii() and text.isdigit()


def _age(record: Mapping[str, Any]) -> tuple[float, int]:
    """A record's place in time: its creation, then its id (later records have larger ids,
    and Zoho's times have no fraction of a second to tell apart records of one second)."""
    try:
        created = datetime.fromisoformat(str(record.get("Created_Time")))
    except ValueError:
        when = math.inf  # no time: after every record that has one
    else:
        when = created.replace(tzinfo=created.tzinfo or UTC).timestamp()
    raw_id = str(record.get("id", ""))
    return when, int(raw_id) if record_id(raw_id) else 0


def oldest_first(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``records`` from the oldest to the newest."""
    return sorted(records, key=_age)
