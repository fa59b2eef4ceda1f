"""How a record is found in Pipedrive before it is written: an exact-match search on the
match key, and a check of each hit, since a search looks into every field of its kind at once
(an organization "Acme" whose address is "Acme" is a hit for the name "Acme").

``GET /api/v2/{persons|organizations}/search?term=…&fields=…&exact_match=true`` returns hits as
``{result_score, item: {id, name, emails: [text], custom_fields: [text], …}}``; where several
records hold the key (made before Cardfile kept it unique), the oldest — the lowest id — is
the one updated, so that every run picks the same one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cardfile.connectors.pipedrive.records import key_text

SEARCH_PAGE = 100
MAX_SEARCH_PAGES = 5  # an exact match on a key kept unique has one hit, rarely a few


@dataclass(frozen=True)
class Matcher:
    """What a match key is searched in and compared with.

    Attributes:
        key: The body key the value is read from (``emails``, ``name``, a custom field hash).
        search_field: The search endpoint's ``fields`` value.
    """

    key: str
    search_field: str

    def params(self, value: str, cursor: str | None) -> dict[str, Any]:
        """The search's query parameters."""
        params: dict[str, Any] = {
            "term": value,
            "fields": self.search_field,
            "exact_match": "true",
            "limit": SEARCH_PAGE,
        }
        if cursor:
            params["cursor"] = cursor
        return params

    def holds(self, item: Mapping[str, Any], value: str) -> bool:
        """Whether a search hit really holds ``value`` in the match key."""
        match self.search_field:
            case "email":
                held = item.get("emails")
            case "custom_fields":
                held = item.get("custom_fields")
            case _:
                held = item.get(self.key)
        texts = held if isinstance(held, list) else [held]
        return any(key_text(text) == value for text in texts)


def hits(body: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The items of a search answer, and its next cursor."""
    data = body.get("data") if isinstance(body, dict) else None
    listed = data.get("items") if isinstance(data, dict) else None
    items = [
        hit["item"]
        for hit in listed or []
        if isinstance(hit, dict) and isinstance(hit.get("item"), dict)
    ]
    more = body.get("additional_data") if isinstance(body, dict) else None
    cursor = more.get("next_cursor") if isinstance(more, dict) else None
    return items, str(cursor) if cursor else None


def oldest(items: list[dict[str, Any]], matcher: Matcher, value: str) -> str | None:
    """The lowest id among the hits that hold ``value``."""
    ids = [int(i["id"]) for i in items if matcher.holds(i, value) and str(i.get("id")).isdigit()]
    return str(min(ids)) if ids else None
