"""The HubSpot connector's tests run on asyncio against the simulator on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators.hubspot import HubSpotSim, create_app
from simulators.kit import serve

from cardfile.connectors.base import Connection

TOKEN = "hubspot-test-token"


@dataclass
class Portal:
    """A running simulator: its URL, its state, and its control API."""

    url: str
    sim: HubSpotSim

    def connection(self, **changes: Any) -> Connection:
        options: dict[str, Any] = {"provider": "hubspot", "token": TOKEN, "base_url": self.url}
        return Connection(**{**options, **changes})

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def api(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, **options)

    def unique_property(self, object_type: str = "companies", name: str = "cardfile_id") -> None:
        response = self.api(
            "POST",
            f"/crm/v3/properties/{object_type}",
            json={
                "name": name,
                "label": "Cardfile id",
                "type": "string",
                "fieldType": "text",
                "groupName": "companyinformation",
                "hasUniqueValue": True,
            },
        )
        assert response.status_code in (201, 409), response.text


@contextmanager
def running(**options: Any) -> Iterator[Portal]:
    """A simulator of its own (for limits or clocks other than the default)."""
    app = create_app(**options)
    with serve(app) as url:
        portal = Portal(url, app.state.sim)
        portal.unique_property()
        yield portal


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def served() -> Iterator[Portal]:
    with running() as portal:
        yield portal


@pytest.fixture
def portal(served: Portal) -> Portal:
    """The module's simulator, reset; the custom unique ``cardfile_id`` property stays."""
    served.control("reset")
    return served
