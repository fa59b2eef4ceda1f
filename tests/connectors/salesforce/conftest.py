"""The Salesforce connector's tests run on asyncio against the simulator on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators.kit import serve
from simulators.salesforce import SalesforceSim, create_app

from cardfile.connectors.base import Connection

TOKEN = "salesforce-test-token"
API = "/services/data/v66.0"


@dataclass
class Org:
    """A running simulator: its instance URL, its state, and its control API."""

    url: str
    sim: SalesforceSim

    def connection(self, **changes: Any) -> Connection:
        options: dict[str, Any] = {"provider": "salesforce", "token": TOKEN, "base_url": self.url}
        return Connection(**{**options, **changes})

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def api(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return httpx.request(method, f"{self.url}{API}{path}", headers=headers, **options)

    def create(self, sobject: str, **values: Any) -> str:
        response = self.api("POST", f"/sobjects/{sobject}", json=values)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


@contextmanager
def running(**options: Any) -> Iterator[Org]:
    """A simulator of its own (for limits or pages other than the default)."""
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
    """The module's simulator, reset, with the org settings a test may have changed put back
    (cheaper than a simulator of its own)."""
    served.control("reset")
    served.sim.daily.limit = 100_000
    served.sim.query_page = 2000
    served.sim.accounts_as_members = True
    return served
