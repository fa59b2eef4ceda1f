"""Campaign members from Zoho's related-list answers.

Linking (``PUT …/Campaigns/{id}/Contacts``) and delinking (``DELETE …?ids=``) answer one item
of ``data`` per id: ``relation added``/``relation removed``, or Zoho's error for that id. Items
are matched to ids by the ``details.id`` Zoho names, else by position.
"""

from __future__ import annotations

from typing import Any

from cardfile.connectors.base import ListResult
from cardfile.connectors.errors import Action, VendorError
from cardfile.connectors.zoho.errors import message_of


def membership_results(
    body: dict[str, Any], ids: list[str], *, adding: bool, status: int
) -> list[ListResult]:
    """One result per id, in the order of ``ids``, from a link or delink answer."""
    data = body.get("data")
    answered = [i for i in data if isinstance(i, dict)] if isinstance(data, list) else []
    by_id: dict[str, dict[str, Any]] = {}
    for item in answered:
        details = item.get("details")
        if isinstance(details, dict) and details.get("id") is not None:
            by_id.setdefault(str(details["id"]), item)
    results: list[ListResult] = []
    for position, record_id in enumerate(ids):
        found = by_id.get(record_id)
        if found is None and position < len(answered):
            found = answered[position]
        if found is not None and found.get("status") == "success":
            results.append(ListResult(record_id, adding, True))
            continue
        message = message_of(found) if found else "Zoho's answer did not mention this id"
        code = found.get("code") if found else None
        refusal = VendorError(message, status, str(code) if code else None, Action.REFUSE)
        results.append(ListResult(record_id, adding, False, refusal))
    return results
