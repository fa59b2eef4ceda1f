"""Reading Salesforce's answers: JSON bodies, and every row of a SOQL query across its pages
(``GET /query?q=…``, then each ``nextRecordsUrl`` until ``done``)."""

from __future__ import annotations

from typing import Any

import httpx

from cardfile.connectors.http import VendorClient


def json_of(response: httpx.Response) -> Any:
    """The answer's JSON (None when the body is not JSON)."""
    try:
        return response.json()
    except ValueError:
        return None


async def query_rows(client: VendorClient, api: str, text: str) -> list[dict[str, Any]]:
    """Every row a SOQL query answers, following ``nextRecordsUrl``.

    Args:
        client: The connection's client.
        api: The REST API's path prefix (``/services/data/v66.0``).
        text: The SOQL query.
    """
    response = await client.request("GET", f"{api}/query", params={"q": text})
    rows: list[dict[str, Any]] = []
    while True:
        page = json_of(response)
        page = page if isinstance(page, dict) else {}
        rows += [row for row in page.get("records") or [] if isinstance(row, dict)]
        following = page.get("nextRecordsUrl")
        if page.get("done", True) or not following:
            return rows
        response = await client.request("GET", str(following))
