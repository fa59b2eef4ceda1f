"""Request bodies from records, the ``/bulk`` envelope's sub-requests, and per-record results
from its sub-answers.

Records arrive in Sugar's field names. Values are sent as JSON: dates as ISO 8601, decimals as
numbers, sets and tuples as lists (a multienum takes a list). The ``email`` field of contacts
and leads takes a list of ``{email_address, primary_address}``; a plain address (or a list of
them) is turned into that list, the first one primary.

A ``/bulk`` sub-request is ``{"url": "/{version}/{path}", "method", "data": "<JSON text>"}``
(``data`` is a string in Sugar's envelope); its answer ``{"contents", "headers", "status"}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cardfile.connectors.base import Outcome, Record, RecordResult
from cardfile.connectors.errors import Action, VendorError
from cardfile.connectors.values import JsonForm, utc_seconds

FORM = JsonForm("Sugar", utc_seconds)
json_ready = FORM.value


def email_list(value: Any) -> list[dict[str, Any]]:
    """An ``email`` value as Sugar's list of addresses, the first primary unless one is."""
    items = value if isinstance(value, list | tuple) else [value]
    addresses: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Mapping):
            addresses.append({str(k): json_ready(v) for k, v in item.items()})
        elif item not in (None, ""):
            addresses.append({"email_address": str(item).strip()})
    if addresses and not any(a.get("primary_address") for a in addresses):
        addresses[0]["primary_address"] = True
    return addresses


def values_of(record: Record, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """The record's values for Sugar, leaving out ``without``.

    Raises:
        UnsendableValue: A value has no JSON form (the message names the field).
    """
    return FORM.values(record, without=without, special={"email": email_list})


def key_texts(match_key: str, value: Any) -> list[str]:
    """A match key's values as compared: without case (Sugar's database compares text so),
    every address of an ``email`` list, the primary one first."""
    if match_key in ("email", "email1"):
        addresses = sorted(email_list(value), key=lambda a: not a.get("primary_address"))
        return [str(a.get("email_address", "")).strip().lower() for a in addresses]
    if value is None or value == "":
        return []
    if match_key == "id":
        return [str(value).strip()]
    return [str(json_ready(value)).strip().lower()]


def domain_of(website: Any) -> str | None:
    """The host of a website value (``https://www.acme.com/about`` → ``acme.com``)."""
    if website in (None, ""):
        return None
    text = str(website).strip()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.")
    return host or None


@dataclass(frozen=True)
class SubRequest:
    """One sub-request of an envelope."""

    method: str
    path: str
    body: dict[str, Any] | None = None

    def envelope_item(self, version: str) -> dict[str, Any]:
        """The sub-request as the envelope carries it."""
        item: dict[str, Any] = {"url": f"/{version}/{self.path}", "method": self.method}
        if self.body is not None:
            item["data"] = json.dumps(self.body)
        return item


def refused(
    message: str,
    *,
    status: int | None = None,
    code: str | None = None,
    action: Action = Action.REFUSE,
) -> RecordResult:
    """A record Sugar refused (or that could not be sent)."""
    return RecordResult.failed(VendorError(message, status, code, action))


def written(contents: Any, *, created: bool) -> RecordResult:
    """The result of a create or update Sugar accepted."""
    found = contents.get("id") if isinstance(contents, dict) else None
    if not found:
        return refused("SugarCRM's answer carried no record id")
    return RecordResult(Outcome.CREATED if created else Outcome.UPDATED, str(found))
