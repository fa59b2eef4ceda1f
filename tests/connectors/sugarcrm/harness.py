"""The SugarCRM conformance harness."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from cardfile.connectors.base import Record
from tests.connectors.harness_base import HarnessBase
from tests.connectors.sugarcrm.session import TOKEN, VERSION, login


class Harness(HarnessBase):
    """Sugar Accounts matched on website, written through /bulk envelopes."""

    provider = "sugarcrm"
    token = TOKEN
    token_path = f"/rest/{VERSION}/oauth2/token"
    entity = "companies"
    match_key = "website"
    write_path = f"/rest/{VERSION}/bulk"

    def _api(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base_url}/rest/{VERSION}", headers=login(self.base_url)
        )

    def prepare(self) -> None:
        pass

    def record(self, n: int) -> Record:
        return {"website": f"c{n}.example.com", "name": f"Company {n}", "account_type": "Customer"}

    def changed(self, record: Record) -> Record:
        return {**record, "name": f"{record['name']} (renamed)"}

    def invalid(self) -> tuple[Record, str]:
        record = {"website": "bad.example.com", "name": "Bad", "account_type": "Martian"}
        return record, "Invalid field value: account_type"

    def refusable(self, n: int) -> tuple[str, str]:
        return "website", f"c{n}.example.com"

    def rate_limited_headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}

    def create_list(self) -> str:
        with self._api() as api:
            response = api.post(
                "/ProspectLists", json={"name": "Conformance", "list_type": "default"}
            )
            response.raise_for_status()
            return str(response.json()["id"])

    def members(self, list_id: str) -> Sequence[str]:
        with self._api() as api:
            response = api.get(f"/ProspectLists/{list_id}/link/accounts", params={"max_num": 1000})
            response.raise_for_status()
            return [str(r["id"]) for r in response.json()["records"]]

    def link_records(self, n: int) -> tuple[tuple[str, str, Record], tuple[str, str, Record]]:
        person = {"email": f"l{n}@example.com", "last_name": f"Linked {n}"}
        company = {"website": f"lc{n}.example.com", "name": f"Company {n}"}
        return ("contacts", "email", person), ("companies", "website", company)

    def linked(self, entity: str, vendor_id: str, target_entity: str) -> list[str]:
        assert (entity, target_entity) == ("contacts", "companies")
        with self._api() as api:
            response = api.get(f"/Contacts/{vendor_id}", params={"fields": "account_id"})
            response.raise_for_status()
            account = response.json().get("account_id")
            return [str(account)] if account else []
