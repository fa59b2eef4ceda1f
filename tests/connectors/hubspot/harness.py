"""The HubSpot conformance harness."""

from __future__ import annotations

from collections.abc import Sequence

from cardfile.connectors.base import Record
from tests.connectors.harness_base import HarnessBase


class Harness(HarnessBase):
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

    def link_records(self, n: int) -> tuple[tuple[str, str, Record], tuple[str, str, Record]]:
        person = {"email": f"linked{n}@example.com", "firstname": f"Linked {n}"}
        company = {"cardfile_id": f"l-{n}", "name": f"Linked {n}", "domain": f"l{n}.example.com"}
        return ("contacts", "email", person), ("companies", "cardfile_id", company)

    def linked(self, entity: str, vendor_id: str, target_entity: str) -> list[str]:
        path = f"/crm/v4/objects/{entity}/{vendor_id}/associations/{target_entity}"
        with self._api() as api:
            response = api.get(path)
            response.raise_for_status()
            return [str(r["toObjectId"]) for r in response.json()["results"]]
