"""The Salesforce simulator answers as Salesforce does, over real HTTP on loopback."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from simulators.kit import serve
from simulators.salesforce import SalesforceSim, create_app
from simulators.salesforce import __main__ as entry
from simulators.salesforce.records import full_id

TOKEN = "salesforce-test-token"
API = "/services/data/v66.0"
CLIENT = {"client_id": "sim-client", "client_secret": "sim-secret"}


@dataclass
class Org:
    url: str
    sim: SalesforceSim
    api: httpx.Client

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def create(self, records: list[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
        response = self.api.post("/composite/sobjects", json={"records": records, **options})
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()
        return result

    def query(self, soql: str) -> httpx.Response:
        return self.api.get("/query", params={"q": soql})


def _contact(n: int, **extra: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Contact"}, "LastName": f"P{n}", **extra}


@contextmanager
def running(**options: Any) -> Iterator[Org]:
    app = create_app(**options)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with serve(app) as url, httpx.Client(base_url=f"{url}{API}", headers=headers) as api:
        yield Org(url, app.state.sim, api)


@pytest.fixture(scope="module")
def served() -> Iterator[Org]:
    with running() as org:
        yield org


@pytest.fixture
def org(served: Org) -> Org:
    served.control("reset")
    return served


# Sessions, versions and limits


def test_a_missing_or_unknown_session_is_refused_as_salesforce_words_it(org: Org) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {TOKEN}"}):
        response = httpx.get(f"{org.url}{API}/limits", headers=headers)
        assert response.status_code == 401
        assert response.json() == [
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ]


def test_versions_are_listed_without_a_session_and_others_are_not_found(org: Org) -> None:
    versions = httpx.get(f"{org.url}/services/data/").json()
    assert {"label": "v66.0", "url": "/services/data/v66.0", "version": "66.0"} in versions
    assert versions[0]["version"] == "46.0"
    response = httpx.get(f"{org.url}/services/data/v30.0/limits")
    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"
    assert org.api.get("/no/such/resource").status_code == 404


def test_every_answer_counts_against_the_day_and_says_so(org: Org) -> None:
    first = org.api.get("/limits")
    second = org.api.get("/sobjects/Account/describe")
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/100000"
    assert second.headers["Sforce-Limit-Info"] == "api-usage=2/100000"
    assert first.json()["DailyApiRequests"] == {"Max": 100000, "Remaining": 99999}


def test_past_the_daily_allocation_requests_are_refused_with_403() -> None:
    with running(daily_limit=1) as org:
        assert org.api.get("/limits").status_code == 200
        refused = org.api.get("/limits")
        assert refused.status_code == 403
        assert refused.json() == [
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ]
        assert refused.headers["Sforce-Limit-Info"] == "api-usage=1/1"
        assert httpx.get(f"{org.url}/_simulator/stats").json()["rate_limited"] == 1


def test_injected_faults_carry_salesforces_bodies(org: Org) -> None:
    for status, code in (
        (429, "REQUEST_LIMIT_EXCEEDED"),
        (403, "API_DISABLED_FOR_ORG"),
        (503, "SERVER_UNAVAILABLE"),
        (500, "UNKNOWN_EXCEPTION"),
    ):
        org.control("faults", {"status": status, "path": "/limits"})
        response = org.api.get("/limits")
        assert response.status_code == status
        assert response.json()[0]["errorCode"] == code
    assert org.api.get("/limits").status_code == 200


# OAuth


def _token(org: Org, **form: str) -> httpx.Response:
    return httpx.post(f"{org.url}/services/oauth2/token", data=form)


def test_the_code_exchange_names_the_instance_and_no_expiry(org: Org) -> None:
    grant = _token(org, grant_type="authorization_code", code="c", **CLIENT).json()
    assert grant["instance_url"] == org.url
    assert grant["token_type"] == "Bearer"
    assert grant["id"] == f"{org.url}/id/{org.sim.org_id}/{org.sim.user_id}"
    assert grant["issued_at"].isdigit() and grant["signature"] and grant["refresh_token"]
    assert "expires_in" not in grant
    headers = {"Authorization": f"Bearer {grant['access_token']}"}
    assert httpx.get(f"{org.url}{API}/limits", headers=headers).status_code == 200


def test_a_refresh_keeps_the_refresh_token_and_an_ended_session_is_401(org: Org) -> None:
    grant = _token(org, grant_type="authorization_code", code="c", **CLIENT).json()
    org.control("tokens/expire")
    old = {"Authorization": f"Bearer {grant['access_token']}"}
    assert httpx.get(f"{org.url}{API}/limits", headers=old).json()[0]["errorCode"] == (
        "INVALID_SESSION_ID"
    )
    for _ in range(2):
        refreshed = _token(
            org, grant_type="refresh_token", refresh_token=grant["refresh_token"], **CLIENT
        ).json()
        assert "refresh_token" not in refreshed
        headers = {"Authorization": f"Bearer {refreshed['access_token']}"}
        assert httpx.get(f"{org.url}{API}/limits", headers=headers).status_code == 200
    assert org.sim.tokens.refreshes == 2


def test_the_token_endpoint_refuses_in_oauths_words(org: Org) -> None:
    bad_client = _token(
        org, grant_type="refresh_token", refresh_token="x", client_id="c", client_secret="s"
    )
    assert (bad_client.status_code, bad_client.json()["error"]) == (400, "invalid_client")
    bad_refresh = _token(org, grant_type="refresh_token", refresh_token="x", **CLIENT)
    assert bad_refresh.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }
    assert _token(org, grant_type="password", **CLIENT).json()["error"] == (
        "unsupported_grant_type"
    )
    basic = base64.b64encode(b"sim-client:sim-secret").decode()
    by_basic = httpx.post(
        f"{org.url}/services/oauth2/token",
        data={"grant_type": "authorization_code", "code": "c"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert by_basic.status_code == 200


# Describe


def test_describe_reports_the_flags_required_is_derived_from(org: Org) -> None:
    body = org.api.get("/sobjects/Contact/describe").json()
    assert (body["name"], body["keyPrefix"]) == ("Contact", "003")
    fields = {f["name"]: f for f in body["fields"]}
    last = fields["LastName"]
    assert (last["createable"], last["nillable"], last["defaultedOnCreate"]) == (True, False, False)
    assert fields["Cardfile_Id__c"]["externalId"] and fields["Cardfile_Id__c"]["unique"]
    assert fields["Cardfile_Id__c"]["custom"]
    assert [p["value"] for p in fields["LeadSource"]["picklistValues"]][:2] == [
        "Web",
        "Phone Inquiry",
    ]
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    unknown = org.api.get("/sobjects/Widget__c/describe")
    assert unknown.status_code == 404 and unknown.json()[0]["errorCode"] == "NOT_FOUND"


# sObject Collections


def test_create_answers_save_results_in_order_with_salesforces_refusals(org: Org) -> None:
    results = org.create(
        [
            _contact(0, Email="a@example.com"),
            _contact(1, Email="nope"),
            {"attributes": {"type": "Contact"}, "FirstName": "No last name"},
            _contact(3, Title="x" * 129),
            _contact(4, Title=["a"]),
            _contact(5, Interests__c="Product;Gossip"),
            _contact(6, Name="Computed"),
            _contact(7, Id="003000000000001AAA"),
            _contact(8, AccountId="001000000000999AAA"),
            {"attributes": {"type": "Account"}, "Name": "Mixed types are fine"},
        ]
    )
    assert results[0]["success"] and results[0]["id"].startswith("003")
    assert len(results[0]["id"]) == 18
    codes = [r["errors"][0]["statusCode"] if r["errors"] else None for r in results]
    assert codes == [
        None,
        "INVALID_EMAIL_ADDRESS",
        "REQUIRED_FIELD_MISSING",
        "STRING_TOO_LONG",
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "INVALID_FIELD",
        "INVALID_CROSS_REFERENCE_KEY",
        None,
    ]
    assert results[1]["errors"][0] == {
        "statusCode": "INVALID_EMAIL_ADDRESS",
        "message": "Email: invalid email address: nope",
        "fields": ["Email"],
    }
    assert results[2]["errors"][0]["message"] == "Required fields are missing: [LastName]"
    assert results[7]["errors"][0]["message"] == "cannot specify Id in an insert call"
    stored = org.sim.records("Contact")
    assert [(r["Name"], r["HasOptedOutOfEmail"]) for r in stored] == [("P0", False)]


def test_a_malformed_collection_is_refused_whole(org: Org) -> None:
    cases = [
        ({"records": [_contact(n) for n in range(201)]}, "EXCEEDED_ID_LIMIT"),
        ({"records": [_contact(0), _contact(1, Nickname__c="x")]}, "INVALID_FIELD"),
        ({"records": [{"LastName": "no type"}]}, "INVALID_TYPE"),
        ({"records": [_contact(0), _contact(1, Score__c="high")]}, "JSON_PARSER_ERROR"),
        ({"records": [_contact(0, Birthdate="2026-13-01")]}, "JSON_PARSER_ERROR"),
        ({"records": [{"attributes": {"type": "Widget__c"}}]}, "INVALID_TYPE"),
        ({"allOrNone": False}, "JSON_PARSER_ERROR"),
    ]
    for body, code in cases:
        response = org.api.post("/composite/sobjects", json=body)
        assert response.status_code == 400, body
        assert response.json()[0]["errorCode"] == code
    unknown = org.api.post("/composite/sobjects", json={"records": [_contact(1, Nick__c=1)]})
    assert unknown.json()[0]["message"] == "No such column 'Nick__c' on sobject of type Contact"
    text = org.api.post("/composite/sobjects", json={"records": [_contact(1, Score__c="hi")]})
    assert text.json()[0]["message"] == (
        "Cannot deserialize instance of double from VALUE_STRING value hi or request may be "
        "missing a required field"
    )
    garbled = org.api.post("/composite/sobjects", content=b"{not json")
    assert garbled.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert org.sim.records("Contact") == []


def test_all_or_none_rolls_every_record_back(org: Org) -> None:
    results = org.create([_contact(0), _contact(1, Email="bad")], allOrNone=True)
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert org.sim.records("Contact") == []


def test_update_by_id_and_its_refusals(org: Org) -> None:
    [made] = org.create([_contact(0, Cardfile_Id__c="p-0")])
    [other] = org.create([_contact(1, Cardfile_Id__c="p-1")])
    records = [
        {"attributes": {"type": "Contact"}, "Id": made["id"], "FirstName": "Ann"},
        {"attributes": {"type": "Contact"}, "FirstName": "No id"},
        {"attributes": {"type": "Contact"}, "Id": "bad"},
        {"attributes": {"type": "Contact"}, "Id": "003000000000404AAA"},
        {"attributes": {"type": "Contact"}, "Id": made["id"][:15], "LastName": None},
        {"attributes": {"type": "Contact"}, "Id": other["id"], "Cardfile_Id__c": "P-0"},
    ]
    results = org.api.patch("/composite/sobjects", json={"records": records}).json()
    assert results[0] == {"id": made["id"], "success": True, "errors": []}
    codes = [r["errors"][0]["statusCode"] for r in results[1:]]
    assert codes == [
        "MISSING_ARGUMENT",
        "MALFORMED_ID",
        "ENTITY_IS_DELETED",
        "REQUIRED_FIELD_MISSING",
        "DUPLICATE_VALUE",
    ]
    assert results[5]["errors"][0]["message"] == (
        f"duplicate value found: Cardfile_Id__c duplicates value on record with id: {made['id']}"
    )
    assert org.sim.records("Contact")[0]["Name"] == "Ann P0"


def test_upsert_by_external_id_creates_then_updates(org: Org) -> None:
    path = "/composite/sobjects/Contact/Cardfile_Id__c"
    body = {"records": [_contact(0, Cardfile_Id__c="p-0"), _contact(1, Cardfile_Id__c="p-1")]}
    first = org.api.patch(path, json=body).json()
    assert [(r["success"], r["created"]) for r in first] == [(True, True), (True, True)]
    body["records"][0]["Cardfile_Id__c"] = "P-0"  # external ids ignore case
    body["records"][1] = _contact(2)
    again = org.api.patch(path, json=body).json()
    assert (again[0]["id"], again[0]["created"]) == (first[0]["id"], False)
    assert again[1]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert len(org.sim.records("Contact")) == 2


def test_upsert_refuses_fields_that_are_no_external_id(org: Org) -> None:
    body = {"records": [_contact(0)]}
    not_external = org.api.patch("/composite/sobjects/Contact/Email", json=body)
    assert not_external.status_code == 400
    assert not_external.json()[0]["errorCode"] == "INVALID_FIELD"
    missing = org.api.patch("/composite/sobjects/Contact/Nope__c", json=body)
    assert missing.status_code == 404
    mixed = {"records": [{"attributes": {"type": "Account"}, "Name": "A"}]}
    wrong = org.api.patch("/composite/sobjects/Contact/Cardfile_Id__c", json=mixed)
    assert wrong.json()[0]["errorCode"] == "INVALID_TYPE"


def test_delete_answers_each_id_in_order(org: Org) -> None:
    [made] = org.create([_contact(0)])
    ids = f"{made['id']},003000000000404AAA,junk"
    results = org.api.delete("/composite/sobjects", params={"ids": ids}).json()
    assert results[0] == {"id": made["id"], "success": True, "errors": []}
    assert results[1]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert results[2]["errors"][0]["statusCode"] == "MALFORMED_ID"
    many = ",".join(["003000000000404AAA"] * 201)
    assert org.api.delete("/composite/sobjects", params={"ids": many}).status_code == 400


def test_delete_takes_records_out_of_queries_and_stats(org: Org) -> None:
    made = org.create([_contact(0), _contact(1)])
    answer = org.api.delete("/composite/sobjects", params={"ids": made[0]["id"][:15]})
    assert answer.json() == [{"id": made[0]["id"], "success": True, "errors": []}]
    rows = org.query("SELECT Id FROM Contact").json()["records"]
    assert [r["Id"] for r in rows] == [made[1]["id"]]
    assert httpx.get(f"{org.url}/_simulator/stats").json()["records"]["contacts"] == 1


def test_delete_refusals_asked_for_come_back_as_a_trigger_would(org: Org) -> None:
    kept, gone = (r["id"] for r in org.create([_contact(0), _contact(1)]))
    org.control("refusals", {"field": "LastName", "value": "P0", "message": "Keep P0"})
    results = org.api.delete("/composite/sobjects", params={"ids": f"{kept},{gone}"}).json()
    assert results[0] == {
        "id": kept,
        "success": False,
        "errors": [
            {"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Keep P0", "fields": []}
        ],
    }
    assert results[1] == {"id": gone, "success": True, "errors": []}
    assert [r["Id"] for r in org.sim.records("Contact")] == [kept]


def test_delete_all_or_none_puts_every_record_back(org: Org) -> None:
    [made] = org.create([_contact(0)])
    ids = f"{made['id']},003000000000404AAA"
    results = org.api.delete("/composite/sobjects", params={"ids": ids, "allOrNone": "true"}).json()
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert len(org.sim.records("Contact")) == 1


def test_deleting_a_contact_deletes_its_campaign_memberships(org: Org) -> None:
    campaign = org.api.post("/sobjects/Campaign", json={"Name": "Spring"}).json()["id"]
    gone, stays = (r["id"] for r in org.create([_contact(0), _contact(1)]))
    member = {"attributes": {"type": "CampaignMember"}, "CampaignId": campaign}
    org.create([{**member, "ContactId": gone}, {**member, "ContactId": stays}])
    org.api.delete("/composite/sobjects", params={"ids": gone})
    assert [m["ContactId"] for m in org.sim.records("CampaignMember")] == [stays]


def test_refusals_asked_for_come_back_as_a_validation_rule_would(org: Org) -> None:
    org.control("refusals", {"field": "Email", "value": "x@example.com", "message": "No thanks"})
    results = org.create([_contact(0, Email="x@example.com"), _contact(1)])
    assert results[0]["errors"] == [
        {"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "No thanks", "fields": []}
    ]
    assert results[1]["success"]


# Campaign members


def test_a_campaign_takes_each_member_once(org: Org) -> None:
    campaign = org.api.post("/sobjects/Campaign", json={"Name": "Spring"}).json()["id"]
    [contact] = org.create([_contact(0)])
    member = {"attributes": {"type": "CampaignMember"}, "CampaignId": campaign}
    results = org.create(
        [
            {**member, "ContactId": contact["id"]},
            {**member, "ContactId": contact["id"]},
            member,
        ]
    )
    assert results[0]["success"] and results[0]["id"].startswith("00v")
    assert results[1]["errors"][0] == {
        "statusCode": "DUPLICATE_VALUE",
        "message": "Already a campaign member.",
        "fields": [],
    }
    assert results[2]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    refused = org.api.post("/sobjects/Campaign", json={"IsActive": True})
    assert refused.status_code == 400
    assert refused.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


# SOQL


def test_queries_filter_without_case_order_limit_and_page() -> None:
    with running(query_page=2) as org:
        org.create([_contact(n, Email=f"p{n}@example.com") for n in range(5)])
        first = org.query(
            "SELECT Id, Email FROM Contact WHERE Email IN ('P1@example.com', 'p3@example.com', "
            "'p4@EXAMPLE.com') ORDER BY Email DESC"
        ).json()
        assert (first["totalSize"], first["done"]) == (3, False)
        assert [r["Email"] for r in first["records"]] == ["p4@example.com", "p3@example.com"]
        assert first["records"][0]["attributes"]["type"] == "Contact"
        rest = httpx.get(
            f"{org.url}{first['nextRecordsUrl']}", headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()
        assert (rest["done"], [r["Email"] for r in rest["records"]]) == (True, ["p1@example.com"])
        limited = org.query("SELECT Id FROM Contact WHERE LastName != 'P0' LIMIT 1").json()
        assert limited["totalSize"] == 1
        escaped = org.query(r"SELECT Id FROM Contact WHERE LastName = 'O\'Neil'").json()
        assert escaped["records"] == []


def test_queries_combine_comparisons_with_or_and_parentheses(org: Org) -> None:
    made = [r["id"] for r in org.create([_contact(n, Score__c=n) for n in range(4)])]
    stamp = org.sim.records("Contact")[0]["SystemModstamp"]
    assert stamp.endswith(".000+0000")
    soql = (
        "SELECT Id FROM Contact WHERE SystemModstamp > 2099-01-01T00:00:00Z "
        f"OR (SystemModstamp >= 2000-01-01T00:00:00.000+0000 AND Id > '{made[1]}') "
        "OR Score__c <= 0 ORDER BY Id"
    )
    found = [r["Id"] for r in org.query(soql).json()["records"]]
    assert found == [made[0], made[2], made[3]]
    dates = org.query("SELECT Id FROM Contact WHERE Birthdate = null AND Score__c > 2.5").json()
    assert [r["Id"] for r in dates["records"]] == [made[3]]


def test_ids_match_in_either_form(org: Org) -> None:
    [made] = org.create([_contact(0)])
    assert full_id(made["id"][:15]) == made["id"]
    found = org.query(f"SELECT Id FROM Contact WHERE Id = '{made['id'][:15]}'").json()
    assert [r["Id"] for r in found["records"]] == [made["id"]]


def test_queries_salesforce_cannot_read_are_refused_in_its_words(org: Org) -> None:
    malformed = org.query("SELECT FROM Contact")
    assert (malformed.status_code, malformed.json()[0]["errorCode"]) == (400, "MALFORMED_QUERY")
    column = org.query("SELECT Id, Nope FROM Contact").json()[0]
    assert column["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Nope' on entity 'Contact'" in column["message"]
    sobject = org.query("SELECT Id FROM Widget").json()[0]
    assert sobject["errorCode"] == "INVALID_TYPE"
    assert org.api.get("/query").json()[0]["errorCode"] == "MALFORMED_QUERY"


# Control API and command line


def test_stats_count_records_by_cardfile_entity(org: Org) -> None:
    org.create([_contact(0), {"attributes": {"type": "Account"}, "Name": "A"}])
    stats = httpx.get(f"{org.url}/_simulator/stats").json()
    assert stats["records"] == {"companies": 1, "contacts": 1, "leads": 0, "deals": 0}
    assert stats["sobjects"]["Contact"] == 1
    assert stats["requests"] == stats["daily_used"] == 1


def test_the_command_line_serves_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        seen.update(options, app=app)

    monkeypatch.setattr(uvicorn, "run", run)
    entry.main(["--port", "8113", "--token", "t-1", "--daily-limit", "50"])
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8113)
    assert seen["app"].state.sim.static_tokens == {"t-1"}
    assert seen["app"].state.sim.daily.limit == 50


# Links: a contact's account


def test_an_update_links_a_contact_to_an_account_checked_and_shown_by_queries(org: Org) -> None:
    [contact, other, gone] = org.create([_contact(0), _contact(1), _contact(2)])
    [account] = org.create([{"attributes": {"type": "Account"}, "Name": "Acme"}])
    org.api.delete("/composite/sobjects", params={"ids": gone["id"]})

    def linking(record_id: str, account_id: str | None) -> dict[str, Any]:
        return {"attributes": {"type": "Contact"}, "Id": record_id, "AccountId": account_id}

    records = [
        linking(contact["id"], account["id"]),
        linking(other["id"], "001000000000404AAA"),
        linking(other["id"][:15], "junk"),
        linking(other["id"], contact["id"]),
        linking(gone["id"], account["id"]),
    ]
    results = org.api.patch("/composite/sobjects", json={"records": records}).json()
    assert results[0] == {"id": contact["id"], "success": True, "errors": []}
    assert [r["errors"][0]["statusCode"] for r in results[1:]] == [
        "INVALID_CROSS_REFERENCE_KEY",
        "MALFORMED_ID",
        "INVALID_CROSS_REFERENCE_KEY",
        "ENTITY_IS_DELETED",
    ]
    assert results[1]["errors"][0] == {
        "statusCode": "INVALID_CROSS_REFERENCE_KEY",
        "message": "invalid cross reference id: 001000000000404AAA",
        "fields": ["AccountId"],
    }
    rows = org.query("SELECT Id, AccountId FROM Contact ORDER BY CreatedDate").json()["records"]
    assert [(r["Id"], r["AccountId"]) for r in rows] == [
        (contact["id"], account["id"]),
        (other["id"], None),
    ]
    cleared = org.api.patch("/composite/sobjects", json={"records": [linking(contact["id"], None)]})
    assert cleared.json()[0]["success"]
    linked = org.query(f"SELECT AccountId FROM Contact WHERE Id = '{contact['id']}'").json()
    assert linked["records"][0]["AccountId"] is None
