"""The Pipedrive conformance harness."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from cardfile.connectors.base import Record
from tests.connectors.harness_base import HarnessBase


class Harness(HarnessBase):
    """Pipedrive persons (Cardfile's contacts) matched by email, searched before each write."""

    provider = "pipedrive"
    token = "pipedrive-test-token"
    token_path = "/oauth/token"
    entity = "contacts"
    match_key = "emails"
    write_path = "/api/v2/persons"

    def _api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers={"x-api-token": self.token})

    def prepare(self) -> None:
        pass

    def record(self, n: int) -> Record:
        return {
            "name": f"Person {n}",
            "emails": [{"value": f"p{n}@example.com", "primary": True, "label": "work"}],
        }

    def changed(self, record: Record) -> Record:
        return {**record, "name": f"{record['name']} (renamed)"}

    def invalid(self) -> tuple[Record, str]:
        return {"name": "Bad", "emails": "bad@example.com", "no_such_field": "x"}, "no_such_field"

    def refusable(self, n: int) -> tuple[str, str]:
        return "emails", f"p{n}@example.com"

    def rate_limited_headers(self) -> dict[str, str]:
        return {"x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"}

    def create_list(self) -> str:
        with self._api() as api:
            response = api.post(
                "/api/v2/personFields/label_ids/options", json=[{"label": "Conformance"}]
            )
            response.raise_for_status()
            return str(response.json()["data"][0]["id"])

    def members(self, list_id: str) -> Sequence[str]:
        with self._api() as api:
            response = api.get("/api/v2/persons", params={"limit": 500})
            response.raise_for_status()
            return [str(p["id"]) for p in response.json()["data"] if int(list_id) in p["label_ids"]]

    def link_records(self, n: int) -> tuple[tuple[str, str, Record], tuple[str, str, Record]]:
        person = {"name": f"Linked {n}", "emails": [{"value": f"l{n}@example.com"}]}
        return ("contacts", "emails", person), ("companies", "name", {"name": f"Company {n}"})

    def linked(self, entity: str, vendor_id: str, target_entity: str) -> list[str]:
        assert (entity, target_entity) == ("contacts", "companies")
        with self._api() as api:
            response = api.get(f"/api/v2/persons/{vendor_id}")
            response.raise_for_status()
            org = response.json()["data"].get("org_id")
            return [] if org is None else [str(org)]
