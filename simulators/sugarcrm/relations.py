"""A record's account, as Sugar keeps it for contacts and opportunities.

``account_id`` and ``account_name`` of Contacts (and Opportunities) are non-db ``relate``
fields over the accounts relationship: saving a record with another ``account_id`` drops its
relationship to the account the field showed and relates it to the new one, which is what
the UI's single "Account Name" field does (Sugar's relationship is many-to-many underneath;
the simulator keeps the one account the field shows). Sugar does not refuse an
``account_id`` naming no account: it logs that it could not load the related record and
saves the rest, so the record ends up with no account. Reads show the related account's id
and name; deleting an account drops its relationships, so records that showed it show none.
"""

from __future__ import annotations

from typing import Any

RELATED_ACCOUNT = frozenset({"Contacts", "Opportunities"})
"""Modules whose records carry their account in ``account_id``."""


def resolved(accounts: dict[str, dict[str, Any]], module: str, submitted: Any) -> Any:
    """``submitted`` with its ``account_id`` resolved: the account's id and name when it
    exists, both empty otherwise (also when no account is named)."""
    if module not in RELATED_ACCOUNT or not isinstance(submitted, dict):
        return submitted
    if "account_id" not in submitted:
        return submitted
    wanted = submitted.get("account_id")
    account = accounts.get(str(wanted)) if wanted not in (None, "") else None
    if account is None:
        return {**submitted, "account_id": "", "account_name": ""}
    return {**submitted, "account_id": account["id"], "account_name": account.get("name", "")}


def unrelate(records: dict[str, dict[str, Any]], account_id: str) -> None:
    """Drop every record's relationship to a deleted account."""
    for record in records.values():
        if record.get("account_id") == account_id:
            record["account_id"] = ""
            record["account_name"] = ""
