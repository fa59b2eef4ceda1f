"""The Attio connector's tests run on asyncio against the simulator on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators.attio import AttioSim, create_app
from simulators.kit import serve

from cardfile.connectors.base import Connection

TOKEN = "attio-test-token"


@dataclass
class Workspace:
    """A running simulator: its URL, its state, and its control API."""

    url: str
    sim: AttioSim

    def connection(self, **changes: Any) -> Connection:
        options: dict[str, Any] = {"provider": "attio", "token": TOKEN, "base_url": self.url}
        return Connection(**{**options, **changes})

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.url}/_simulator/stats").json()
        return result

    def api(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, **options)

    def new_list(self, slug: str = "prospects", parent: str = "companies") -> str:
        response = self.api(
            "POST",
            "/v2/lists",
            json={
                "data": {
                    "name": slug.title(),
                    "api_slug": slug,
                    "parent_object": parent,
                    "workspace_access": "full-access",
                    "workspace_member_access": [],
                }
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["data"]["id"]["list_id"])

    def entries(self, list_id: str) -> list[str]:
        response = self.api("POST", f"/v2/lists/{list_id}/entries/query", json={})
        assert response.status_code == 200, response.text
        return [str(e["parent_record_id"]) for e in response.json()["data"]]


@contextmanager
def running(**options: Any) -> Iterator[Workspace]:
    """A simulator of its own (for limits or objects other than the default)."""
    app = create_app(**options)
    with serve(app) as url:
        yield Workspace(url, app.state.sim)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def served() -> Iterator[Workspace]:
    with running() as workspace:
        yield workspace


@pytest.fixture
def ws(served: Workspace) -> Workspace:
    """The module's simulator, reset."""
    served.control("reset")
    return served
