"""The Zoho CRM simulator answers as Zoho CRM does, over real HTTP on loopback.

Every API answer a test receives through ``Org.api`` is checked against Zoho's OpenAPI
description (route and response schema for its status) by the client's response hook; see
``zoho_openapi``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from simulators.kit import serve
from simulators.zoho import ZohoSim, create_app
from simulators.zoho import __main__ as entry

from tests.simulators import zoho_openapi

TOKEN = "zoho-test-token"
UPSERT = "/crm/v8/{}/upsert"


def _validated(response: httpx.Response) -> None:
    """Check an API answer against Zoho's description (control and OAuth routes are not in
    it)."""
    if response.request.url.path.startswith(("/_simulator", "/oauth/")):
        return
    response.read()
    zoho_openapi.check(response)


def _client(url: str, token: str | None, scheme: str = "Zoho-oauthtoken") -> httpx.Client:
    headers = {"Authorization": f"{scheme} {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, event_hooks={"response": [_validated]})


@dataclass
class Org:
    url: str
    sim: ZohoSim
    api: httpx.Client

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.url}/_simulator/stats").json()
        return result

    def upsert(self, module: str, *records: dict[str, Any], **body: Any) -> httpx.Response:
        return self.api.post(UPSERT.format(module), json={"data": list(records), **body})

    def contact(self, n: int) -> str:
        response = self.upsert("Contacts", _person(n))
        assert response.status_code == 200, response.text
        return str(response.json()["data"][0]["details"]["id"])


def _person(n: int, **extra: Any) -> dict[str, Any]:
    return {"Email": f"person{n}@example.com", "Last_Name": f"Person {n}", **extra}


@contextmanager
def running(**options: Any) -> Iterator[Org]:
    app = create_app(**options)
    with serve(app) as url, _client(url, TOKEN) as api:
        yield Org(url, app.state.sim, api)


@pytest.fixture(scope="module")
def served() -> Iterator[Org]:
    with running() as started:
        yield started


@pytest.fixture
def org(served: Org) -> Org:
    """The module's org, reset (records, members, faults, grants, counters)."""
    served.control("reset")
    return served


def _items(response: httpx.Response) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = response.json()["data"]
    return items


# The description itself


def test_the_descriptions_are_bundled_without_a_reference_outside_the_file() -> None:
    text = str(zoho_openapi.bundled("record.json"))
    assert "users.json" not in text.replace("users__", "")
    assert "#/components/schemas/users__Minified_User" in text
    assert zoho_openapi.spec("record.json") is zoho_openapi.spec("record.json")


def test_a_raw_github_reference_resolves_to_the_local_file() -> None:
    raw = (
        "https://raw.githubusercontent.com/Zohocorp-Pvt-Ltd/crm-oas/refs/heads/main/v8.0/users.json"
    )
    assert zoho_openapi._target(f"{raw}#/components/schemas/Minified_User", "record.json") == (
        "users.json",
        "/components/schemas/Minified_User",
    )


def test_an_answer_that_breaks_the_description_is_caught() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/crm/v8/Contacts/upsert")
    wrong = httpx.Response(200, json={"data": [{"status": "fine"}]}, request=request)
    with pytest.raises(AssertionError, match="does not match"):
        zoho_openapi.check(wrong)
    unauthorized = httpx.Response(401, json={"error": "nope"}, request=request)
    with pytest.raises(Exception, match="is not valid"):
        zoho_openapi.check(unauthorized)


# Authentication


def test_a_request_without_a_zoho_oauthtoken_fails_authentication(org: Org) -> None:
    for client in (_client(org.url, None), _client(org.url, TOKEN, scheme="Bearer")):
        with client:
            response = client.get("/crm/v8/org")
        assert response.status_code == 401
        assert response.json()["code"] == "AUTHENTICATION_FAILURE"


def test_an_unknown_or_expired_token_is_an_invalid_oauth_token(org: Org) -> None:
    with _client(org.url, "1000.not-a-token") as client:
        response = client.get("/crm/v8/org")
    assert response.status_code == 401
    assert response.json() == {
        "code": "INVALID_TOKEN",
        "details": {},
        "message": "invalid oauth token",
        "status": "error",
    }
    grant = org.control("tokens/grant")
    with _client(org.url, grant["access_token"]) as client:
        assert client.get("/crm/v8/org").status_code == 200
        org.control("tokens/expire")
        assert client.get("/crm/v8/org").json()["code"] == "INVALID_TOKEN"


# OAuth


def test_the_token_endpoint_grants_and_refreshes_keeping_the_refresh_token(org: Org) -> None:
    client = {"client_id": "sim-client", "client_secret": "sim-secret"}
    first = httpx.post(
        f"{org.url}/oauth/v2/token",
        data={**client, "grant_type": "authorization_code", "code": "1000.code"},
    ).json()
    assert first["api_domain"] == org.url
    assert first["token_type"] == "Bearer"
    assert first["expires_in"] > 3500
    for _ in range(2):  # Zoho's refresh token lives on: it refreshes again and again
        renewed = httpx.post(
            f"{org.url}/oauth/v2/token",
            params={
                **client,
                "grant_type": "refresh_token",
                "refresh_token": first["refresh_token"],
            },
        ).json()
        assert "refresh_token" not in renewed
        with _client(org.url, renewed["access_token"]) as api:
            assert api.get("/crm/v8/org").status_code == 200
    with _client(org.url, first["access_token"]) as api:
        assert api.get("/crm/v8/org").status_code == 401
    assert org.stats()["refreshes"] == 2


def test_the_token_endpoint_refuses_with_200_and_an_error(org: Org) -> None:
    url = f"{org.url}/oauth/v2/token"
    wrong_client = httpx.post(url, data={"client_id": "x", "client_secret": "y"})
    assert (wrong_client.status_code, wrong_client.json()) == (200, {"error": "invalid_client"})
    unknown = httpx.post(
        url,
        data={
            "client_id": "sim-client",
            "client_secret": "sim-secret",
            "grant_type": "refresh_token",
            "refresh_token": "1000.unknown",
        },
    )
    assert unknown.json() == {"error": "invalid_code"}


# Org and fields


def test_the_org_is_described(org: Org) -> None:
    response = org.api.get("/crm/v8/org")
    assert response.status_code == 200
    assert response.json()["org"][0]["company_name"] == "Cardfile Simulated Org"


def test_fields_list_mandatory_unique_and_picklist_fields(org: Org) -> None:
    contacts = {
        f["api_name"]: f
        for f in org.api.get("/crm/v8/settings/fields?module=Contacts").json()["fields"]
    }
    assert contacts["Last_Name"]["system_mandatory"] is True
    assert contacts["Email"]["data_type"] == "email"
    assert [v["actual_value"] for v in contacts["Lead_Source"]["pick_list_values"]][:2] == [
        "-None-",
        "Advertisement",
    ]
    assert contacts["Interests"]["data_type"] == "multiselectpicklist"
    assert contacts["Full_Name"]["read_only"] is True
    accounts = org.api.get("/crm/v8/settings/fields", params={"module": "Accounts"}).json()
    unique = [f["api_name"] for f in accounts["fields"] if f["unique"]]
    assert unique == ["Cardfile_ID"]


def test_fields_need_a_module_zoho_has(org: Org) -> None:
    missing = org.api.get("/crm/v8/settings/fields")
    assert (missing.status_code, missing.json()["code"]) == (400, "REQUIRED_PARAM_MISSING")
    unknown = org.api.get("/crm/v8/settings/fields", params={"module": "Widgets"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "INVALID_MODULE")


# Upsert


def test_upsert_inserts_then_updates_by_email_ignoring_case(org: Org) -> None:
    first = org.upsert("Contacts", _person(1), duplicate_check_fields=["Email"])
    assert first.status_code == 200
    [added] = _items(first)
    assert (added["action"], added["message"], added["duplicate_field"]) == (
        "insert",
        "record added",
        "Email",
    )
    again = org.upsert("Contacts", {"Email": "PERSON1@example.com", "Title": "CEO"})
    [updated] = _items(again)
    assert (updated["action"], updated["message"]) == ("update", "record updated")
    assert updated["details"]["id"] == added["details"]["id"]
    [stored] = org.sim.records("Contacts")
    assert (stored["Title"], stored["Last_Name"], stored["Full_Name"]) == (
        "CEO",
        "Person 1",
        "Person 1",
    )
    assert org.stats()["records"]["contacts"] == 1


def test_each_record_is_answered_in_input_order_with_207_for_mixed_results(org: Org) -> None:
    response = org.upsert(
        "Contacts",
        _person(0),
        _person(1, Email="not-an-email"),
        {"Email": "person2@example.com"},
        _person(3, Title="x" * 101),
        _person(5, Lead_Source="Carrier Pigeon", Cardfile_Score="high", Unknown_Field="ignored"),
    )
    assert response.status_code == 207
    items = _items(response)
    assert [i["status"] for i in items] == ["success", "error", "error", "error", "error"]
    assert items[1]["details"] == {
        "api_name": "Email",
        "json_path": "$.data[1].Email",
        "expected_data_type": "email",
    }
    assert (items[2]["code"], items[2]["message"]) == (
        "MANDATORY_NOT_FOUND",
        "required field not found",
    )
    assert items[2]["details"]["api_name"] == "Last_Name"
    assert items[3]["details"]["maximum_length"] == "100"
    assert items[4]["details"]["api_name"] == "Lead_Source"
    assert len(org.sim.records("Contacts")) == 1


def test_an_injected_refusal_fails_its_record_with_the_message_given(org: Org) -> None:
    org.control(
        "refusals", {"field": "Email", "value": "person1@example.com", "message": "Blocked"}
    )
    # The message is the test's, not one of Zoho's: the answer is not checked against the list.
    response = httpx.post(
        f"{org.url}{UPSERT.format('Contacts')}",
        headers={"Authorization": f"Zoho-oauthtoken {TOKEN}"},
        json={"data": [_person(0), _person(1)]},
    )
    assert response.status_code == 207
    assert _items(response)[1] == {
        "code": "INVALID_DATA",
        "details": {"json_path": "$.data[1]"},
        "message": "Blocked",
        "status": "error",
    }


def test_a_write_whose_every_record_fails_is_a_400_with_each_error(org: Org) -> None:
    response = org.upsert("Contacts", {"Email": "a@example.com"}, {"Email": "b@example.com"})
    assert response.status_code == 400
    assert [i["code"] for i in _items(response)] == ["MANDATORY_NOT_FOUND"] * 2


def test_more_than_100_records_are_refused_whole(org: Org) -> None:
    response = org.upsert("Contacts", *[_person(n) for n in range(101)])
    assert response.status_code == 400
    assert response.json()["code"] == "LIMIT_EXCEEDED"
    assert response.json()["details"] == {"limit": 100}
    assert org.sim.records("Contacts") == []


def test_only_duplicate_check_or_unique_fields_may_be_matched_on(org: Org) -> None:
    response = org.upsert("Contacts", _person(1), duplicate_check_fields=["Title"])
    assert response.status_code == 400
    assert response.json()["details"]["api_name"] == "Title"


def test_a_trigger_names_only_zohos_automations(org: Org) -> None:
    assert org.upsert("Contacts", _person(1), trigger=["workflow"]).status_code == 200
    response = org.upsert("Contacts", _person(2), trigger=["cleanup"])
    assert response.status_code == 400
    assert response.json()["details"] == {"param": "trigger"}
    assert len(org.sim.records("Contacts")) == 1


def test_a_unique_value_held_by_another_record_is_duplicate_data(org: Org) -> None:
    first = org.upsert("Accounts", {"Account_Name": "Acme", "Cardfile_ID": "c-1"})
    acme = _items(first)[0]["details"]["id"]
    response = org.upsert(
        "Accounts",
        {"Account_Name": "Globex", "Cardfile_ID": "C-1"},
        {"Account_Name": "Initech", "Cardfile_ID": "c-2"},
        duplicate_check_fields=["Account_Name"],
    )
    assert response.status_code == 207
    refused = _items(response)[0]
    assert (refused["code"], refused["message"]) == ("DUPLICATE_DATA", "duplicate data")
    assert refused["details"]["duplicate_record"]["id"] == acme
    matched = org.upsert(
        "Accounts",
        {"Account_Name": "Renamed", "Cardfile_ID": "c-2"},
        duplicate_check_fields=["Cardfile_ID"],
    )
    assert _items(matched)[0]["action"] == "update"


def test_lookups_must_point_at_records_that_exist(org: Org) -> None:
    account = _items(org.upsert("Accounts", {"Account_Name": "Acme"}))[0]["details"]["id"]
    response = org.upsert(
        "Contacts",
        _person(1, Account_Name={"id": account}),
        _person(2, Account_Name={"id": "1234"}),
    )
    assert response.status_code == 207
    assert org.sim.records("Contacts")[0]["Account_Name"] == {"name": "Acme", "id": account}
    assert _items(response)[1]["details"]["expected_data_type"] == "jsonobject"


def test_an_unknown_module_is_invalid_module_in_data(org: Org) -> None:
    response = org.upsert("Widgets", {"Name": "x"})
    assert response.status_code == 400
    assert _items(response)[0]["code"] == "INVALID_MODULE"


def test_insert_creates_with_201(org: Org) -> None:
    response = org.api.post("/crm/v8/Campaigns", json={"data": [{"Campaign_Name": "Spring"}]})
    assert response.status_code == 201
    assert _items(response)[0]["message"] == "record added"
    assert org.stats()["records"]["campaigns"] == 1


# Campaign members


def test_contacts_are_linked_to_a_campaign_once_and_delinked(org: Org) -> None:
    campaign = _items(org.api.post("/crm/v8/Campaigns", json={"data": [{"Campaign_Name": "Q3"}]}))[
        0
    ]["details"]["id"]
    path = f"/crm/v8/Campaigns/{campaign}/Contacts"
    assert org.api.get(path).status_code == 204
    ids = [org.contact(n) for n in range(2)]
    linked = org.api.put(path, json={"data": [{"id": i} for i in [*ids, ids[0], "999"]]})
    assert linked.status_code == 207
    assert [i["message"] for i in _items(linked)] == [
        "relation added",
        "relation added",
        "relation added",
        "the related id given seems to be invalid",
    ]
    assert sorted(r["id"] for r in _items(org.api.get(path))) == sorted(ids)
    removed = org.api.delete(path, params={"ids": ids[1]})
    assert _items(removed)[0]["message"] == "relation removed"
    single = org.api.delete(f"{path}/{ids[0]}")
    assert single.status_code == 200
    assert org.api.get(path).status_code == 204


def test_a_related_list_zoho_does_not_have_is_refused(org: Org) -> None:
    campaign = _items(org.api.post("/crm/v8/Campaigns", json={"data": [{"Campaign_Name": "Q3"}]}))[
        0
    ]["details"]["id"]
    response = org.api.put(f"/crm/v8/Campaigns/{campaign}/Widgets", json={"data": [{"id": "1"}]})
    assert response.status_code == 400
    assert response.json()["message"] == "The relation name given seems to be invalid"
    missing = org.api.get("/crm/v8/Campaigns/404/Contacts")
    assert (missing.status_code, missing.json()["code"]) == (400, "INVALID_DATA")


# Reading, searching and deleting records


def _ids_of(response: httpx.Response) -> list[str]:
    return [str(r["id"]) for r in _items(response)]


def test_a_read_by_ids_answers_the_records_that_exist_with_the_fields_asked(org: Org) -> None:
    first, second = org.contact(1), org.contact(2)
    response = org.api.get(
        "/crm/v8/Contacts", params={"ids": f"{second},6112000000999999,{first}", "fields": "Email"}
    )
    assert response.status_code == 200
    assert _items(response) == [
        {"id": second, "Email": "person2@example.com"},
        {"id": first, "Email": "person1@example.com"},
    ]
    assert org.api.get("/crm/v8/Contacts", params={"ids": "6112000000999999"}).status_code == 204
    wrong = org.api.get("/crm/v8/Contacts", params={"ids": "abc"})
    assert (wrong.status_code, wrong.json()["message"]) == (400, "the id given seems to be invalid")
    many = ",".join(str(6112000000300000 + n) for n in range(101))
    too_many = org.api.get("/crm/v8/Contacts", params={"ids": many})
    assert (too_many.status_code, too_many.json()["code"]) == (400, "LIMIT_EXCEEDED")


def test_a_search_matches_criteria_without_case_newest_first(org: Org) -> None:
    first, second, _ = org.contact(1), org.contact(2), org.contact(3)
    query = "((Email:equals:PERSON1@example.com)or(Email:equals:person2@EXAMPLE.com))"
    response = org.api.get("/crm/v8/Contacts/search", params={"criteria": query})
    assert response.status_code == 200
    assert _ids_of(response) == [second, first]
    assert response.json()["info"] == {
        "per_page": 200,
        "count": 2,
        "page": 1,
        "more_records": False,
    }
    single = org.api.get(
        "/crm/v8/Contacts/search", params={"criteria": "(Email:equals:person1@example.com)"}
    )
    assert _ids_of(single) == [first]
    both = "((Last_Name:starts_with:person)and(Email:equals:person2@example.com))"
    assert _ids_of(org.api.get("/crm/v8/Contacts/search", params={"criteria": both})) == [second]
    by_email = org.api.get("/crm/v8/Contacts/search", params={"email": "Person1@Example.com"})
    assert _ids_of(by_email) == [first]
    none = org.api.get("/crm/v8/Contacts/search", params={"criteria": "(Email:equals:no@x.com)"})
    assert (none.status_code, none.content) == (204, b"")


def test_a_search_reads_escaped_values_and_pages(org: Org) -> None:
    name = "Smith, Jones (UK)"
    created = org.upsert("Accounts", {"Account_Name": name})
    assert created.status_code == 200
    query = "(Account_Name:equals:smith\\, jones \\(uk\\))"
    found = org.api.get(
        "/crm/v8/Accounts/search", params={"criteria": query, "fields": "Account_Name"}
    )
    assert _items(found) == [
        {"id": created.json()["data"][0]["details"]["id"], "Account_Name": name}
    ]
    for n in range(5):
        org.contact(n)
    params = {"criteria": "(Last_Name:starts_with:Person)", "per_page": "2", "page": "3"}
    last = org.api.get("/crm/v8/Contacts/search", params=params)
    assert last.json()["info"]["more_records"] is False and len(_items(last)) == 1
    params["page"] = "2"
    assert org.api.get("/crm/v8/Contacts/search", params=params).json()["info"]["more_records"]


def test_criteria_zoho_cannot_read_are_an_invalid_query(org: Org) -> None:
    for query in (
        "(Nickname:equals:x)",
        "(Email:resembles:x)",
        "(Email:equals:x",
        "((Email:equals:a)or(Email:equals:b)and(Email:equals:c))",
        "(" + "or".join(f"(Email:equals:{n})" for n in range(11)) + ")",
    ):
        response = org.api.get("/crm/v8/Contacts/search", params={"criteria": query})
        assert (response.status_code, response.json()["code"]) == (400, "INVALID_QUERY"), query
    missing = org.api.get("/crm/v8/Contacts/search")
    assert (missing.status_code, missing.json()["code"]) == (400, "REQUIRED_PARAM_MISSING")


def test_a_delete_takes_records_out_and_answers_each_id(org: Org) -> None:
    first, second, third = org.contact(1), org.contact(2), org.contact(3)
    response = org.api.delete("/crm/v8/Contacts", params={"ids": f"{first},{third}"})
    assert response.status_code == 200
    assert _items(response) == [
        {
            "code": "SUCCESS",
            "details": {"id": first},
            "message": "record deleted",
            "status": "success",
        },
        {
            "code": "SUCCESS",
            "details": {"id": third},
            "message": "record deleted",
            "status": "success",
        },
    ]
    assert [r["id"] for r in org.sim.records("Contacts")] == [second]
    assert org.stats()["records"]["contacts"] == 1
    again = org.api.delete("/crm/v8/Contacts", params={"ids": f"{first},{second}"})
    assert again.status_code == 207
    assert _items(again)[0] == {
        "code": "INVALID_DATA",
        "details": {"id": first},
        "message": "the id given seems to be invalid",
        "status": "error",
    }
    assert org.sim.records("Contacts") == []
    gone = org.api.delete("/crm/v8/Contacts", params={"ids": first})
    assert gone.status_code == 400 and _items(gone)[0]["code"] == "INVALID_DATA"


def test_a_refused_delete_keeps_the_record_and_says_why(org: Org) -> None:
    kept = org.contact(1)
    message = "record not deletable"
    org.control("refusals", {"field": "Email", "value": "person1@example.com", "message": message})
    response = org.api.delete("/crm/v8/Contacts", params={"ids": kept})
    assert response.status_code == 400
    assert _items(response) == [
        {"code": "INVALID_DATA", "details": {"id": kept}, "message": message, "status": "error"}
    ]
    assert [r["id"] for r in org.sim.records("Contacts")] == [kept]


def test_a_delete_needs_ids_at_most_100_and_spends_a_credit(org: Org) -> None:
    missing = org.api.delete("/crm/v8/Contacts")
    assert (missing.status_code, missing.json()["code"]) == (400, "REQUIRED_PARAM_MISSING")
    many = ",".join(str(6112000000300000 + n) for n in range(101))
    too_many = org.api.delete("/crm/v8/Contacts", params={"ids": many})
    assert (too_many.status_code, too_many.json()["code"]) == (400, "LIMIT_EXCEEDED")
    before = org.stats()["credits_used"]
    org.api.delete("/crm/v8/Contacts", params={"ids": "6112000000999999"})
    assert org.stats()["credits_used"] == before + 1


def test_a_deleted_record_leaves_the_campaigns_it_was_in(org: Org) -> None:
    contact = org.contact(1)
    created = org.api.post("/crm/v8/Campaigns", json={"data": [{"Campaign_Name": "Spring"}]})
    campaign = created.json()["data"][0]["details"]["id"]
    linked = org.api.put(f"/crm/v8/Campaigns/{campaign}/Contacts", json={"data": [{"id": contact}]})
    assert linked.status_code == 200 and org.stats()["members"] == 1
    assert org.api.delete("/crm/v8/Contacts", params={"ids": contact}).status_code == 200
    assert org.stats()["members"] == 0
    assert org.api.get(f"/crm/v8/Campaigns/{campaign}/Contacts").status_code == 204
    assert org.api.delete("/crm/v8/Campaigns", params={"ids": campaign}).status_code == 200
    assert org.sim.members == {}


# Limits and faults


def test_requests_over_the_concurrency_are_throttled() -> None:
    with running(concurrency=1, latency=0.3) as org:

        async def both() -> list[httpx.Response]:
            headers = {"Authorization": f"Zoho-oauthtoken {TOKEN}"}
            async with httpx.AsyncClient(base_url=org.url, headers=headers) as client:
                return list(
                    await asyncio.gather(client.get("/crm/v8/org"), client.get("/crm/v8/org"))
                )

        statuses = sorted(r.status_code for r in asyncio.run(both()))
        assert statuses == [200, 429]
        assert org.stats()["rate_limited"] == 1


def test_writes_spend_a_credit_per_ten_records_and_run_out() -> None:
    with running(credits=4) as org:
        assert org.upsert("Contacts", *[_person(n) for n in range(25)]).status_code == 200
        assert org.stats()["credits_used"] == 3
        assert org.api.get("/crm/v8/org").status_code == 200
        throttled = org.api.get("/crm/v8/org")
        assert throttled.status_code == 429
        assert throttled.json()["code"] == "TOO_MANY_REQUESTS"
        assert float(throttled.headers["Retry-After"]) > 3600


def test_injected_faults_carry_zohos_bodies(org: Org) -> None:
    org.control("faults", {"status": 429, "path": "/crm/v8/org"})
    org.control("faults", {"status": 503, "path": "/crm/v8/org"})
    assert org.api.get("/crm/v8/org").json()["code"] == "TOO_MANY_REQUESTS"
    assert org.api.get("/crm/v8/org").json()["code"] == "INTERNAL_ERROR"
    assert org.api.get("/crm/v8/org").status_code == 200


def test_a_path_zoho_does_not_serve_is_invalid_url_pattern(org: Org) -> None:
    response = httpx.get(f"{org.url}/crm/v2/nothing/here/at/all/ever")
    assert (response.status_code, response.json()["code"]) == (404, "INVALID_URL_PATTERN")


def test_the_command_line_serves_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        seen.update(options, app=app)

    monkeypatch.setattr(uvicorn, "run", run)
    entry.main(["--port", "8115", "--token", "t-1", "--concurrency", "5"])
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8115)
    assert seen["app"].state.sim.static_tokens == {"t-1"}
    assert seen["app"].state.sim.limits.concurrency == 5


# Links: a contact's account, set by a record update


def test_an_update_sets_a_contacts_account_lookup_and_reads_show_it(org: Org) -> None:
    ann, bob = org.contact(1), org.contact(2)
    made = org.upsert("Accounts", {"Account_Name": "Acme"}, {"Account_Name": "Globex"})
    acme, globex = (item["details"]["id"] for item in _items(made))
    linked = org.api.put(
        "/crm/v8/Contacts",
        json={
            "data": [
                {"id": ann, "Account_Name": {"id": acme}},
                {"id": bob, "Account_Name": {"id": globex}},
            ]
        },
    )
    assert linked.status_code == 200
    assert [(i["code"], i["message"], i["details"]["id"]) for i in _items(linked)] == [
        ("SUCCESS", "record updated", ann),
        ("SUCCESS", "record updated", bob),
    ]
    assert "action" not in _items(linked)[0]
    moved = org.api.put(
        "/crm/v8/Contacts", json={"data": [{"id": ann, "Account_Name": {"id": globex}}]}
    )
    assert moved.status_code == 200
    read = org.api.get("/crm/v8/Contacts", params={"ids": f"{ann},{bob}", "fields": "Account_Name"})
    assert [r["Account_Name"] for r in _items(read)] == [
        {"name": "Globex", "id": globex},
        {"name": "Globex", "id": globex},
    ]
    assert {r["Last_Name"] for r in org.sim.records("Contacts")} == {"Person 1", "Person 2"}


def test_an_update_refuses_missing_records_and_lookups_record_by_record(org: Org) -> None:
    ann = org.contact(1)
    [acme] = [i["details"]["id"] for i in _items(org.upsert("Accounts", {"Account_Name": "Acme"}))]
    data = [
        {"id": ann, "Account_Name": {"id": "6112000000999999"}},
        {"id": "6112000000999998", "Account_Name": {"id": acme}},
        {"Account_Name": {"id": acme}},
        {"id": ann, "Last_Name": ""},
        {"id": ann, "Account_Name": {"id": acme}},
    ]
    answer = org.api.put("/crm/v8/Contacts", json={"data": data})
    assert answer.status_code == 207
    items = _items(answer)
    assert [(i["code"], i["details"].get("api_name")) for i in items] == [
        ("INVALID_DATA", "Account_Name"),
        ("INVALID_DATA", "id"),
        ("MANDATORY_NOT_FOUND", "id"),
        ("MANDATORY_NOT_FOUND", "Last_Name"),
        ("SUCCESS", None),
    ]
    assert items[1]["message"] == "the id given seems to be invalid"
    assert items[1]["details"]["json_path"] == "$.data[1].id"
    none = org.api.put("/crm/v8/Contacts", json={"data": [{"id": "6112000000999998"}]})
    assert none.status_code == 400
    too_many = org.api.put("/crm/v8/Contacts", json={"data": [{"id": ann}] * 101})
    assert (too_many.status_code, too_many.json()["code"]) == (400, "LIMIT_EXCEEDED")
    assert org.sim.records("Contacts")[0]["Account_Name"] == {"name": "Acme", "id": acme}
