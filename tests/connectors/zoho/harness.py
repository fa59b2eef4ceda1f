"""The Zoho CRM conformance harness."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from cardfile.connectors.base import Record
from tests.connectors.harness_base import HarnessBase


class Harness(HarnessBase):
    """Zoho contacts upserted by email (the Contacts module's duplicate-check field), so that
    the list case can link them to a campaign, Zoho's list."""

    provider = "zoho"
    token = "zoho-test-token"
    token_path = "/oauth/v2/token"
    entity = "contacts"
    match_key = "Email"
    write_path = "/crm/v8/Contacts/upsert"

    def _api(self) -> httpx.Client:
        headers = {"Authorization": f"Zoho-oauthtoken {self.token}"}
        return httpx.Client(base_url=self.base_url, headers=headers)

    def prepare(self) -> None:
        pass

    def record(self, n: int) -> Record:
        return {"Email": f"person{n}@example.com", "First_Name": "Person", "Last_Name": f"No. {n}"}

    def changed(self, record: Record) -> Record:
        return {**record, "Title": "Renamed"}

    def invalid(self) -> tuple[Record, str]:
        return {"Email": "not-an-email", "Last_Name": "Bad"}, "expected email"

    def refusable(self, n: int) -> tuple[str, str]:
        return "Email", f"person{n}@example.com"

    def rate_limited_headers(self) -> dict[str, str]:
        return {}

    def create_list(self) -> str:
        with self._api() as api:
            response = api.post(
                "/crm/v8/Campaigns", json={"data": [{"Campaign_Name": "Conformance"}]}
            )
            response.raise_for_status()
            return str(response.json()["data"][0]["details"]["id"])

    def members(self, list_id: str) -> Sequence[str]:
        with self._api() as api:
            response = api.get(f"/crm/v8/Campaigns/{list_id}/Contacts")
            response.raise_for_status()
            if response.status_code == 204:
                return []
            return [str(r["id"]) for r in response.json()["data"]]

    def link_records(self, n: int) -> tuple[tuple[str, str, Record], tuple[str, str, Record]]:
        person = {"Email": f"linked{n}@example.com", "Last_Name": f"Linked {n}"}
        company = {"Account_Name": f"Company {n}"}
        return ("contacts", "Email", person), ("companies", "Account_Name", company)

    def linked(self, entity: str, vendor_id: str, target_entity: str) -> list[str]:
        assert (entity, target_entity) == ("contacts", "companies")
        params = {"ids": vendor_id, "fields": "Account_Name"}
        with self._api() as api:
            response = api.get("/crm/v8/Contacts", params=params)
            response.raise_for_status()
            if response.status_code == 204:
                return []
            account = response.json()["data"][0].get("Account_Name")
            return [str(account["id"])] if isinstance(account, dict) else []
