"""The Pipedrive connector's tests run on asyncio against the simulator on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators.kit import serve
from simulators.pipedrive import PipedriveSim, create_app

from cardfile.connectors.base import Connection

TOKEN = "pipedrive-test-token"


@dataclass
class Company:
    """A running simulator: its URL, its state, and its control API."""

    url: str
    sim: PipedriveSim

    def connection(self, **changes: Any) -> Connection:
        options: dict[str, Any] = {"provider": "pipedrive", "token": TOKEN, "base_url": self.url}
        return Connection(**{**options, **changes})

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {}, verify=False)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def api(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"x-api-token": TOKEN}
        return httpx.request(method, f"{self.url}{path}", headers=headers, verify=False, **options)

    def persons(self) -> list[dict[str, Any]]:
        response = self.api("GET", "/api/v2/persons", params={"limit": 500})
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["data"]
        return found


@contextmanager
def running(**options: Any) -> Iterator[Company]:
    """A simulator of its own (for limits other than the default)."""
    app = create_app(**options)
    with serve(app) as url:
        yield Company(url, app.state.sim)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def served() -> Iterator[Company]:
    with running() as company:
        yield company


@pytest.fixture
def co(served: Company) -> Company:
    """The module's simulator, reset."""
    served.control("reset")
    return served
