"""The Zoho CRM connector's tests run on asyncio against the simulator on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators.kit import serve
from simulators.zoho import ZohoSim, create_app

from cardfile.connectors.base import Connection

TOKEN = "zoho-test-token"


@dataclass
class Org:
    """A running simulator: its URL, its state, and its control API."""

    url: str
    sim: ZohoSim

    def connection(self, **changes: Any) -> Connection:
        options: dict[str, Any] = {"provider": "zoho", "token": TOKEN, "base_url": self.url}
        return Connection(**{**options, **changes})

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def api(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, **options)

    def campaign(self, name: str = "Spring") -> str:
        response = self.api("POST", "/crm/v8/Campaigns", json={"data": [{"Campaign_Name": name}]})
        assert response.status_code == 201, response.text
        return str(response.json()["data"][0]["details"]["id"])


@contextmanager
def running(**options: Any) -> Iterator[Org]:
    """A simulator of its own (for limits other than the default)."""
    app = create_app(**options)
    with serve(app) as url:
        yield Org(url, app.state.sim)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def served() -> Iterator[Org]:
    with running() as org:
        yield org


@pytest.fixture
def org(served: Org) -> Org:
    """The module's simulator, reset."""
    served.control("reset")
    return served
