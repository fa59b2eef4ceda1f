"""Conformance harnesses: each registered connector beside a running simulator of its vendor."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from email.utils import formatdate
from typing import Any

import httpx

from cardfile.connectors.base import Connection, OAuthClient, OAuthTokens, Record
from cardfile.connectors.conformance import SimulatorControl


class _Base:
    provider = ""
    token = ""
    token_path = ""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.control = SimulatorControl(base_url)

    def _api(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.base_url, headers=headers)

    def connection(self) -> Connection:
        return Connection(provider=self.provider, token=self.token, base_url=self.base_url)

    def bad_connection(self) -> Connection:
        return Connection(provider=self.provider, token="not-a-valid-token", base_url=self.base_url)

    def oauth_connection(self, on_tokens: Callable[[OAuthTokens], None]) -> Connection:
        grant = self.control.grant()
        return Connection(
            provider=self.provider,
            oauth=OAuthTokens(
                grant["access_token"],
                grant["refresh_token"],
                time.time() + float(grant["expires_in"]),
            ),
            oauth_client=OAuthClient(
                "sim-client", "sim-secret", token_url=f"{self.base_url}{self.token_path}"
            ),
            base_url=self.base_url,
            on_tokens=on_tokens,
        )


class HubSpotHarness(_Base):
    """HubSpot companies upserted by a custom unique property, as the issue asks."""

    provider = "hubspot"
    token = "hubspot-test-token"
    token_path = "/oauth/v1/token"
    entity = "companies"
    match_key = "cardfile_id"
    write_path = "/crm/v3/objects/companies/batch"

    def prepare(self) -> None:
        with self._api() as api:
            response = api.post(
                "/crm/v3/properties/companies",
                json={
                    "name": "cardfile_id",
                    "label": "Cardfile id",
                    "type": "string",
                    "fieldType": "text",
                    "groupName": "companyinformation",
                    "hasUniqueValue": True,
                },
            )
            if response.status_code != 409:  # already there: a reset keeps the schema
                response.raise_for_status()

    def record(self, n: int) -> Record:
        return {"cardfile_id": f"c-{n}", "name": f"Company {n}", "domain": f"c{n}.example.com"}

    def changed(self, record: Record) -> Record:
        return {**record, "name": f"{record['name']} (renamed)"}

    def invalid(self) -> tuple[Record, str]:
        return {"cardfile_id": "bad-1", "no_such_property": "x"}, "no_such_property"

    def refusable(self, n: int) -> tuple[str, str]:
        return "cardfile_id", f"c-{n}"

    def rate_limited_headers(self) -> dict[str, str]:
        return {}

    def create_list(self) -> str:
        with self._api() as api:
            response = api.post(
                "/crm/v3/lists",
                json={"name": "Conformance", "objectTypeId": "0-2", "processingType": "MANUAL"},
            )
            response.raise_for_status()
            return str(response.json()["list"]["listId"])

    def members(self, list_id: str) -> Sequence[str]:
        with self._api() as api:
            response = api.get(f"/crm/v3/lists/{list_id}/memberships")
            response.raise_for_status()
            return [str(m["recordId"]) for m in response.json()["results"]]


class AttioHarness(_Base):
    """Attio companies asserted by domain."""

    provider = "attio"
    token = "attio-test-token"
    token_path = "/oauth/token"
    entity = "companies"
    match_key = "domains"
    write_path = "/v2/objects/companies/records"

    def prepare(self) -> None:
        pass

    def record(self, n: int) -> Record:
        return {"domains": [f"c{n}.example.com"], "name": f"Company {n}"}

    def changed(self, record: Record) -> Record:
        return {**record, "name": f"{record['name']} (renamed)"}

    def invalid(self) -> tuple[Record, str]:
        return {"domains": ["bad.example.com"], "no_such_attribute": "x"}, "no_such_attribute"

    def refusable(self, n: int) -> tuple[str, str]:
        return "domains", f"c{n}.example.com"

    def rate_limited_headers(self) -> dict[str, str]:
        return {"Retry-After": formatdate(time.time() + 1, usegmt=True)}

    def create_list(self) -> str:
        with self._api() as api:
            response = api.post(
                "/v2/lists",
                json={
                    "data": {
                        "name": "Conformance",
                        "api_slug": "conformance",
                        "parent_object": "companies",
                        "workspace_access": "full-access",
                        "workspace_member_access": [],
                    }
                },
            )
            response.raise_for_status()
            return str(response.json()["data"]["id"]["list_id"])

    def members(self, list_id: str) -> Sequence[str]:
        with self._api() as api:
            response = api.post(f"/v2/lists/{list_id}/entries/query", json={})
            response.raise_for_status()
            return [str(e["parent_record_id"]) for e in response.json()["data"]]


_HARNESSES: dict[str, tuple[str, type[_Base]]] = {
    "hubspot": ("simulators.hubspot", HubSpotHarness),
    "attio": ("simulators.attio", AttioHarness),
}


PROVIDERS = tuple(_HARNESSES)


@contextmanager
def running(provider: str) -> Iterator[Any]:
    """The provider's harness, its simulator serving on a loopback port."""
    from simulators.kit import serve

    module, harness_class = _HARNESSES[provider]
    make_app: Callable[[], Any] = importlib.import_module(module).create_app
    with serve(make_app()) as base_url:
        harness = harness_class(base_url)
        harness.prepare()
        yield harness
