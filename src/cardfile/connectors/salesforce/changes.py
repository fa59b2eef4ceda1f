"""Reading changes: records ordered by ``SystemModstamp`` (the time of a record's last change,
by a person or by the system, and indexed) and then by ``Id``, read a page at a time with
SOQL.

The cursor is ``<stamp>/<last id read at that stamp>``: Salesforce stamps to the second, so
many records share a stamp, and the next page starts after the last record read rather than
after its second — ``SystemModstamp > stamp OR (SystemModstamp = stamp AND Id > last)`` — so
that no record of a busy second is skipped or read twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cardfile.connectors.errors import Refused, VendorError
from cardfile.connectors.salesforce import soql

STAMP = "SystemModstamp"
CHANGES_PAGE = 200


def page_size() -> int:
    """Records in one page of changes (a function, so tests can make pages small)."""
    return CHANGES_PAGE


def soql_datetime(value: str) -> str:
    """A datetime as a SOQL literal (``2026-01-02T03:04:05.000Z``), from Salesforce's own form
    (``…000+0000``) or ISO 8601 (a datetime without a zone is taken as UTC).

    Raises:
        ValueError: ``value`` is no datetime.
    """
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_cursor(cursor: str | None) -> tuple[str | None, str | None]:
    """``(stamp as a SOQL literal, last id read at it)`` from a change cursor.

    Accepts the connector's own cursors and ISO 8601 datetimes.

    Raises:
        Refused: The cursor is neither.
    """
    if not cursor or not cursor.strip():
        return None, None
    stamp, _, last_id = cursor.strip().partition("/")
    try:
        return soql_datetime(stamp), last_id or None
    except ValueError:
        message = f"{cursor!r} is not a Salesforce change cursor or a datetime"
        raise Refused(VendorError(message)) from None


def changes_query(sobject: str, names: list[str], stamp: str | None, last_id: str | None) -> str:
    """The SOQL of one page of changes after the cursor ``(stamp, last_id)``."""
    where = ""
    if stamp is not None and last_id is not None:
        where = f" WHERE {STAMP} > {stamp} OR ({STAMP} = {stamp} AND Id > {soql.literal(last_id)})"
    elif stamp is not None:
        where = f" WHERE {STAMP} >= {stamp}"
    return (
        f"SELECT {', '.join(names)} FROM {sobject}{where} "
        f"ORDER BY {STAMP} ASC, Id ASC LIMIT {page_size()}"
    )
