"""The Attio conformance harness."""

from __future__ import annotations

import time
from collections.abc import Sequence
from email.utils import formatdate

from cardfile.connectors.attio.links import ATTRIBUTES
from cardfile.connectors.base import Record
from tests.connectors.harness_base import HarnessBase


class Harness(HarnessBase):
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

    def link_records(self, n: int) -> tuple[tuple[str, str, Record], tuple[str, str, Record]]:
        person = {"email_addresses": [f"linked{n}@example.com"], "name": f"Linked {n}"}
        company = {"domains": [f"l{n}.example.com"], "name": f"Linked {n}"}
        return ("people", "email_addresses", person), ("companies", "domains", company)

    def linked(self, entity: str, vendor_id: str, target_entity: str) -> list[str]:
        attribute, _ = ATTRIBUTES[(entity, target_entity)]
        with self._api() as api:
            response = api.get(f"/v2/objects/{entity}/records/{vendor_id}")
            response.raise_for_status()
            values = response.json()["data"]["values"].get(attribute, [])
            return [
                str(v["target_record_id"]) for v in values if v["target_object"] == target_entity
            ]
