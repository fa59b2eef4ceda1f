"""The Salesforce conformance harness."""

from __future__ import annotations

from collections.abc import Sequence

from cardfile.connectors.base import Record
from tests.connectors.harness_base import HarnessBase

API = "/services/data/v66.0"
# Where a link is read back: the object queried and the lookup field holding the target.
LINK_FIELDS = {("contacts", "companies"): ("Contact", "AccountId")}


class Harness(HarnessBase):
    """Salesforce contacts upserted by the custom external id field ``Cardfile_Id__c``, and
    campaign members as the list."""

    provider = "salesforce"
    token = "salesforce-test-token"
    token_path = "/services/oauth2/token"
    entity = "contacts"
    match_key = "Cardfile_Id__c"
    write_path = "/composite/sobjects"

    def prepare(self) -> None:
        pass  # the simulated org's schema has the external id field from the start

    def record(self, n: int) -> Record:
        return {"Cardfile_Id__c": f"p-{n}", "LastName": f"Person {n}", "Email": f"p{n}@example.com"}

    def changed(self, record: Record) -> Record:
        return {**record, "LastName": f"{record['LastName']} (renamed)"}

    def invalid(self) -> tuple[Record, str]:
        return {"Cardfile_Id__c": "bad-1", "No_Such_Field__c": "x"}, "No_Such_Field__c"

    def refusable(self, n: int) -> tuple[str, str]:
        return "Cardfile_Id__c", f"p-{n}"

    def rate_limited_headers(self) -> dict[str, str]:
        return {}  # Salesforce sends no Retry-After; its body names the limit

    def create_list(self) -> str:
        with self._api() as api:
            response = api.post(f"{API}/sobjects/Campaign", json={"Name": "Conformance"})
            response.raise_for_status()
            return str(response.json()["id"])

    def members(self, list_id: str) -> Sequence[str]:
        query = f"SELECT ContactId FROM CampaignMember WHERE CampaignId = '{list_id}'"
        with self._api() as api:
            response = api.get(f"{API}/query", params={"q": query})
            response.raise_for_status()
            return [str(r["ContactId"]) for r in response.json()["records"]]

    def link_records(self, n: int) -> tuple[tuple[str, str, Record], tuple[str, str, Record]]:
        person = {"Cardfile_Id__c": f"lp-{n}", "LastName": f"Linked {n}"}
        company = {"Cardfile_Id__c": f"lc-{n}", "Name": f"Company {n}"}
        return ("contacts", "Cardfile_Id__c", person), ("companies", "Cardfile_Id__c", company)

    def linked(self, entity: str, vendor_id: str, target_entity: str) -> list[str]:
        sobject, field = LINK_FIELDS[(entity, target_entity)]
        query = f"SELECT {field} FROM {sobject} WHERE Id = '{vendor_id}'"
        with self._api() as api:
            response = api.get(f"{API}/query", params={"q": query})
            response.raise_for_status()
            return [str(r[field]) for r in response.json()["records"] if r.get(field)]
