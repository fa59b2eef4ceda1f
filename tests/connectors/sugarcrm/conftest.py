"""The SugarCRM connector's tests run on asyncio against the simulator on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from simulators.kit import serve
from simulators.sugarcrm import SugarSim, create_app

from cardfile.connectors.base import Connection
from tests.connectors.sugarcrm.session import TOKEN, VERSION, login

FAST = {"requests_per_second": "50"}  # tests about anything but pacing need not wait


@dataclass
class Instance:
    """A running simulator: its URL, its state, and its control API."""

    url: str
    sim: SugarSim
    http: httpx.Client  # one for the simulator's life: building one per call costs more
    _session: dict[str, str] = field(default_factory=dict)

    def connection(self, **changes: Any) -> Connection:
        options: dict[str, Any] = {
            "provider": "sugarcrm",
            "token": TOKEN,
            "base_url": self.url,
            "settings": FAST,
        }
        return Connection(**{**options, **changes})

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def api(self, method: str, path: str, **options: Any) -> httpx.Response:
        url = f"{self.url}/rest/{VERSION}{path}"
        if not self._session:  # one login per test: a reset ends every session
            self._session.update(login(self.url, self.http))
        return self.http.request(method, url, headers=self._session, **options)

    def create(self, module: str, values: dict[str, Any]) -> str:
        response = self.api("POST", f"/{module}", json=values)
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def new_list(self, name: str = "Prospects") -> str:
        return self.create("ProspectLists", {"name": name, "list_type": "default"})

    def members(self, list_id: str, link: str) -> list[str]:
        response = self.api("GET", f"/ProspectLists/{list_id}/link/{link}")
        assert response.status_code == 200, response.text
        return [str(r["id"]) for r in response.json()["records"]]


@contextmanager
def running(**options: Any) -> Iterator[Instance]:
    """A simulator of its own (for limits other than the default)."""
    app = create_app(**options)
    with serve(app) as url, httpx.Client() as http:
        yield Instance(url, app.state.sim, http)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def served() -> Iterator[Instance]:
    with running() as instance:
        yield instance


@pytest.fixture
def crm(served: Instance) -> Instance:
    """The module's simulator, reset."""
    served.sim.reset()
    served._session.clear()
    return served
