"""The HubSpot simulator answers as HubSpot does, over real HTTP on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators.hubspot import HubSpotSim, create_app
from simulators.hubspot import __main__ as entry
from simulators.kit import serve

TOKEN = "hubspot-test-token"
UPSERT = "/crm/v3/objects/companies/batch/upsert"


@dataclass
class Portal:
    url: str
    sim: HubSpotSim
    api: httpx.Client

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.url}/_simulator/stats").json()
        return result

    def unique_property(self, name: str = "cardfile_id", object_type: str = "companies") -> None:
        response = self.api.post(
            f"/crm/v3/properties/{object_type}",
            json={
                "name": name,
                "label": "Cardfile id",
                "type": "string",
                "fieldType": "text",
                "groupName": "companyinformation",
                "hasUniqueValue": True,
            },
        )
        assert response.status_code == 201, response.text


@contextmanager
def running(**options: Any) -> Iterator[Portal]:
    app = create_app(**options)
    with (
        serve(app) as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as api,
    ):
        yield Portal(url, app.state.sim, api)


@pytest.fixture(scope="module")
def served() -> Iterator[Portal]:
    with running() as started:
        started.unique_property()
        yield started


@pytest.fixture
def portal(served: Portal) -> Portal:
    """The module's simulator, reset (records, lists, faults, grants, counters; the custom
    ``cardfile_id`` property stays, as a portal's schema does)."""
    served.control("reset")
    return served


def _upsert(key: str, trace: str | None = None, **properties: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"idProperty": "cardfile_id", "id": key, "properties": properties}
    if trace is not None:
        item["objectWriteTraceId"] = trace
    return item


def _inner(message: str) -> list[dict[str, Any]]:
    """The refused values listed in a "Property values were not valid" message."""
    prefix = "Property values were not valid: "
    assert message.startswith(prefix), message
    listed: list[dict[str, Any]] = json.loads(message[len(prefix) :])
    return listed


# Authentication


def test_a_request_without_a_token_is_refused_as_invalid_authentication(portal: Portal) -> None:
    response = httpx.get(f"{portal.url}/crm/v3/objects/contacts")
    assert response.status_code == 401
    body = response.json()
    assert body["category"] == "INVALID_AUTHENTICATION"
    assert body["status"] == "error"
    assert body["message"].startswith("Authentication credentials not found")
    assert body["correlationId"]


def test_an_unknown_token_is_refused_as_invalid_authentication(portal: Portal) -> None:
    response = httpx.get(
        f"{portal.url}/crm/v3/objects/contacts", headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert response.json()["category"] == "INVALID_AUTHENTICATION"


def test_an_expired_oauth_token_is_told_apart_and_refreshed(portal: Portal) -> None:
    grant = portal.control("tokens/grant")
    headers = {"Authorization": f"Bearer {grant['access_token']}"}
    assert httpx.get(f"{portal.url}/crm/v3/objects/contacts", headers=headers).status_code == 200

    portal.control("tokens/expire")
    expired = httpx.get(f"{portal.url}/crm/v3/objects/contacts", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    assert "expired" in expired.json()["message"]

    form = {
        "grant_type": "refresh_token",
        "client_id": "sim-client",
        "client_secret": "sim-secret",
        "refresh_token": grant["refresh_token"],
    }
    fresh = httpx.post(f"{portal.url}/oauth/v1/token", data=form)
    assert fresh.status_code == 200
    body = fresh.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert body["access_token"] != grant["access_token"]
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert httpx.get(f"{portal.url}/crm/v3/objects/contacts", headers=headers).status_code == 200
    assert portal.stats()["refreshes"] == 1

    reused = httpx.post(f"{portal.url}/oauth/v1/token", data=form)
    assert reused.status_code == 400
    assert reused.json()["status"] == "BAD_REFRESH_TOKEN"


def test_the_token_endpoint_refuses_a_wrong_client_secret(portal: Portal) -> None:
    grant = portal.control("tokens/grant")
    form = {
        "grant_type": "refresh_token",
        "client_id": "sim-client",
        "client_secret": "wrong",
        "refresh_token": grant["refresh_token"],
    }
    response = httpx.post(f"{portal.url}/oauth/v1/token", data=form)
    assert response.status_code == 400
    assert response.json()["status"] == "BAD_CLIENT_SECRET"


def test_an_authorization_code_is_exchanged_for_a_grant(portal: Portal) -> None:
    form = {
        "grant_type": "authorization_code",
        "client_id": "sim-client",
        "client_secret": "sim-secret",
        "code": "any-code",
        "redirect_uri": "http://localhost/callback",
    }
    response = httpx.post(f"{portal.url}/oauth/v1/token", data=form)
    assert response.status_code == 200
    token = response.json()["access_token"]
    details = httpx.get(
        f"{portal.url}/account-info/v3/details", headers={"Authorization": f"Bearer {token}"}
    )
    assert details.status_code == 200


# Properties


def test_properties_are_listed_with_types_field_types_and_options(portal: Portal) -> None:
    response = portal.api.get("/crm/v3/properties/contacts")
    assert response.status_code == 200
    found = {p["name"]: p for p in response.json()["results"]}
    assert {"email", "firstname", "lastname", "phone", "company", "lifecyclestage"} <= set(found)
    assert (found["email"]["type"], found["email"]["fieldType"]) == ("string", "text")
    assert found["phone"]["fieldType"] == "phonenumber"
    stage = found["lifecyclestage"]
    assert stage["type"] == "enumeration"
    assert {"label": "Lead", "value": "lead"}.items() <= stage["options"][1].items()
    assert found["hs_buying_role"]["fieldType"] == "checkbox"
    assert found["hs_object_id"]["modificationMetadata"]["readOnlyValue"] is True
    for prop in found.values():
        assert {"name", "label", "type", "fieldType", "groupName", "description", "options"} <= set(
            prop
        )

    companies = {
        p["name"]: p for p in portal.api.get("/crm/v3/properties/companies").json()["results"]
    }
    assert {"name", "domain", "industry", "numberofemployees", "annualrevenue"} <= set(companies)
    assert companies["domain"]["hasUniqueValue"] is False
    assert companies["cardfile_id"]["hasUniqueValue"] is True
    assert companies["numberofemployees"]["type"] == "number"


def test_a_custom_property_is_created_once(portal: Portal) -> None:
    again = portal.api.post(
        "/crm/v3/properties/companies",
        json={
            "name": "cardfile_id",
            "label": "Again",
            "type": "string",
            "fieldType": "text",
            "groupName": "companyinformation",
        },
    )
    assert again.status_code == 409
    assert again.json()["category"] == "OBJECT_ALREADY_EXISTS"
    one = portal.api.get("/crm/v3/properties/companies/cardfile_id")
    assert one.status_code == 200
    assert one.json()["hubspotDefined"] is False


def test_a_property_whose_field_type_does_not_fit_its_type_is_refused(portal: Portal) -> None:
    response = portal.api.post(
        "/crm/v3/properties/contacts",
        json={
            "name": "score",
            "label": "Score",
            "type": "number",
            "fieldType": "select",
            "groupName": "contactinformation",
        },
    )
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"


# Batch upsert


def test_upsert_creates_then_updates_by_a_unique_property(portal: Portal) -> None:
    first = portal.api.post(
        UPSERT, json={"inputs": [_upsert("c-1", "0", name="One"), _upsert("c-2", "1", name="Two")]}
    )
    assert first.status_code == 200
    created = {r["objectWriteTraceId"]: r for r in first.json()["results"]}
    assert first.json()["status"] == "COMPLETE"
    assert all(r["new"] is True for r in created.values())
    assert created["0"]["properties"]["cardfile_id"] == "c-1"
    assert created["0"]["id"].isdigit()
    assert created["0"]["archived"] is False

    second = portal.api.post(UPSERT, json={"inputs": [_upsert("c-1", "0", name="Renamed")]})
    assert second.status_code == 200
    result = second.json()["results"][0]
    assert result["new"] is False
    assert result["id"] == created["0"]["id"]
    assert result["properties"]["name"] == "Renamed"
    assert portal.stats()["records"]["companies"] == 2


def test_batch_results_come_in_no_promised_order(portal: Portal) -> None:
    inputs = [_upsert(f"c-{n}", str(n), name=f"Company {n}") for n in range(3)]
    response = portal.api.post(UPSERT, json={"inputs": inputs})
    traces = [r["objectWriteTraceId"] for r in response.json()["results"]]
    assert sorted(traces) == ["0", "1", "2"]
    assert traces != ["0", "1", "2"]


def test_contacts_upsert_by_email_ignoring_case(portal: Portal) -> None:
    path = "/crm/v3/objects/contacts/batch/upsert"
    first = portal.api.post(
        path, json={"inputs": [{"idProperty": "email", "id": "Ada@Example.com", "properties": {}}]}
    )
    again = portal.api.post(
        path,
        json={
            "inputs": [
                {"idProperty": "email", "id": "ada@example.com", "properties": {"firstname": "Ada"}}
            ]
        },
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["results"][0]["properties"]["email"] == "ada@example.com"
    assert again.json()["results"][0]["new"] is False
    assert again.json()["results"][0]["id"] == first.json()["results"][0]["id"]


def test_upsert_by_a_property_that_is_not_unique_is_refused(portal: Portal) -> None:
    response = portal.api.post(
        UPSERT, json={"inputs": [{"idProperty": "domain", "id": "acme.com", "properties": {}}]}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert "non-unique 0-2 property" in body["message"]
    assert portal.stats()["records"]["companies"] == 0


def test_a_partly_invalid_batch_answers_207_and_writes_the_valid_inputs(portal: Portal) -> None:
    inputs = [
        _upsert("c-0", "t0", name="Fine"),
        _upsert("c-1", "t1", no_such_property="x"),
        _upsert("c-2", "t2", industry="NOT_AN_INDUSTRY"),
        _upsert("c-3", "t3", numberofemployees="many"),
        _upsert("c-4", "t4", hs_object_id="1"),
    ]
    response = portal.api.post(UPSERT, json={"inputs": inputs})
    assert response.status_code == 207
    body = response.json()
    assert [r["objectWriteTraceId"] for r in body["results"]] == ["t0"]
    assert body["numErrors"] == 4
    errors = {e["context"]["objectWriteTraceId"][0]: e for e in body["errors"]}
    assert set(errors) == {"t1", "t2", "t3", "t4"}
    assert all(
        e["status"] == "error" and e["category"] == "VALIDATION_ERROR" for e in errors.values()
    )
    assert _inner(errors["t1"]["message"])[0]["error"] == "PROPERTY_DOESNT_EXIST"
    assert _inner(errors["t2"]["message"])[0]["error"] == "INVALID_OPTION"
    assert "was not one of the allowed options" in errors["t2"]["message"]
    assert _inner(errors["t3"]["message"])[0]["error"] == "INVALID_INTEGER"
    assert _inner(errors["t4"]["message"])[0]["error"] == "READ_ONLY_VALUE"
    assert errors["t1"]["errors"][0]["context"] == {"propertyName": ["no_such_property"]}
    assert portal.stats()["records"]["companies"] == 1


def test_an_invalid_email_is_refused_with_invalid_email(portal: Portal) -> None:
    response = portal.api.post(
        "/crm/v3/objects/contacts/batch/upsert",
        json={
            "inputs": [
                {
                    "idProperty": "email",
                    "id": "not-an-email",
                    "properties": {},
                    "objectWriteTraceId": "0",
                }
            ]
        },
    )
    assert response.status_code == 207
    message = response.json()["errors"][0]["message"]
    assert _inner(message)[0] == {
        "isValid": False,
        "message": "Email address not-an-email is invalid",
        "error": "INVALID_EMAIL",
        "name": "email",
        "localizedErrorMessage": "Email address not-an-email is invalid",
    }


def test_without_trace_ids_one_invalid_input_fails_the_whole_batch(portal: Portal) -> None:
    inputs = [_upsert("c-0", name="Fine"), _upsert("c-1", no_such_property="x")]
    response = portal.api.post(UPSERT, json={"inputs": inputs})
    assert response.status_code == 400
    body = response.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert body["message"].startswith("Property values were not valid")
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert portal.stats()["records"]["companies"] == 0


def test_more_inputs_than_the_batch_limit_are_refused() -> None:
    with running(batch_limit=3) as portal:
        portal.unique_property()
        inputs = [_upsert(f"c-{n}", str(n)) for n in range(4)]
        response = portal.api.post(UPSERT, json={"inputs": inputs})
        assert response.status_code == 400
        assert "maximum number of inputs" in response.json()["message"]
        assert portal.api.post(UPSERT, json={"inputs": inputs[:3]}).status_code == 200


def test_duplicate_ids_in_one_batch_are_refused(portal: Portal) -> None:
    inputs = [_upsert("c-1", "0"), _upsert("c-2", "1"), _upsert("c-1", "2")]
    response = portal.api.post(UPSERT, json={"inputs": inputs})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Duplicate IDs found in batch input: [c-1]. IDs must be unique"
    assert body["context"] == {"ids": ["c-1"]}
    assert portal.stats()["records"]["companies"] == 0


def test_a_record_refused_through_the_control_api_fails_alone(portal: Portal) -> None:
    portal.control("refusals", {"field": "cardfile_id", "value": "c-1", "message": "Not today"})
    inputs = [_upsert(f"c-{n}", str(n), name=f"C{n}") for n in range(3)]
    response = portal.api.post(UPSERT, json={"inputs": inputs})
    assert response.status_code == 207
    body = response.json()
    assert body["errors"][0]["message"] == "Not today"
    assert body["errors"][0]["context"]["objectWriteTraceId"] == ["1"]
    assert sorted(r["objectWriteTraceId"] for r in body["results"]) == ["0", "2"]
    assert portal.stats()["records"]["companies"] == 2


# Batch create, update, read


def test_batch_create_answers_201_and_a_second_contact_with_an_email_conflicts(
    portal: Portal,
) -> None:
    path = "/crm/v3/objects/contacts/batch/create"
    first = portal.api.post(path, json={"inputs": [{"properties": {"email": "a@example.com"}}]})
    assert first.status_code == 201
    existing = first.json()["results"][0]["id"]
    second = portal.api.post(
        path,
        json={
            "inputs": [
                {"properties": {"email": "A@example.com"}, "objectWriteTraceId": "x"},
                {"properties": {"email": "b@example.com"}, "objectWriteTraceId": "y"},
            ]
        },
    )
    assert second.status_code == 207
    error = second.json()["errors"][0]
    assert error["category"] == "CONFLICT"
    assert error["message"] == f"Contact already exists. Existing ID: {existing}"
    assert error["context"]["objectWriteTraceId"] == ["x"]
    assert portal.stats()["records"]["contacts"] == 2


def test_batch_update_by_record_id_and_a_missing_record(portal: Portal) -> None:
    created = portal.api.post(
        "/crm/v3/objects/companies/batch/create", json={"inputs": [{"properties": {"name": "A"}}]}
    ).json()["results"][0]
    response = portal.api.post(
        "/crm/v3/objects/companies/batch/update",
        json={
            "inputs": [
                {"id": created["id"], "properties": {"name": "B"}, "objectWriteTraceId": "0"},
                {"id": "999", "properties": {"name": "C"}, "objectWriteTraceId": "1"},
            ]
        },
    )
    assert response.status_code == 207
    body = response.json()
    assert body["results"][0]["properties"]["name"] == "B"
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"]["ids"] == ["999"]


def test_batch_read_reports_missing_ids(portal: Portal) -> None:
    made = portal.api.post(UPSERT, json={"inputs": [_upsert("c-1", name="A")]}).json()
    record_id = made["results"][0]["id"]
    response = portal.api.post(
        "/crm/v3/objects/companies/batch/read",
        json={"inputs": [{"id": record_id}, {"id": "12345"}], "properties": ["name"]},
    )
    assert response.status_code == 207
    body = response.json()
    assert body["results"][0]["properties"]["name"] == "A"
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"]["ids"] == ["12345"]
    by_key = portal.api.post(
        "/crm/v3/objects/companies/batch/read",
        json={"inputs": [{"id": "c-1"}], "idProperty": "cardfile_id", "properties": []},
    )
    assert by_key.status_code == 200
    assert by_key.json()["results"][0]["id"] == record_id


# Reading


def test_objects_are_listed_in_pages_and_read_one_by_one(portal: Portal) -> None:
    inputs = [_upsert(f"c-{n}", name=f"C{n}") for n in range(5)]
    portal.api.post(UPSERT, json={"inputs": inputs})
    seen: list[str] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, "properties": "name,cardfile_id"}
        if after:
            params["after"] = after
        page = portal.api.get("/crm/v3/objects/companies", params=params).json()
        seen += [r["id"] for r in page["results"]]
        assert all("cardfile_id" in r["properties"] for r in page["results"])
        after = page.get("paging", {}).get("next", {}).get("after")
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 5

    one = portal.api.get(f"/crm/v3/objects/companies/{seen[0]}")
    assert one.status_code == 200
    assert set(one.json()["properties"]) >= {"name", "domain", "hs_object_id", "createdate"}
    by_key = portal.api.get("/crm/v3/objects/companies/c-3", params={"idProperty": "cardfile_id"})
    assert by_key.json()["properties"]["name"] == "C3"
    missing = portal.api.get("/crm/v3/objects/companies/1")
    assert missing.status_code == 404
    assert missing.json()["category"] == "OBJECT_NOT_FOUND"


def test_an_unknown_object_type_is_refused(portal: Portal) -> None:
    response = portal.api.get("/crm/v3/objects/unicorns")
    assert response.status_code == 400
    assert response.json()["message"] == "Unable to infer object type from: unicorns"


def test_search_filters_sorts_and_pages(portal: Portal) -> None:
    inputs = [
        _upsert(f"c-{n}", name=f"C{n}", numberofemployees=str(n * 10), industry="RETAIL")
        for n in range(5)
    ]
    portal.api.post(UPSERT, json={"inputs": inputs})
    path = "/crm/v3/objects/companies/search"
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "numberofemployees", "operator": "GTE", "value": "20"}]},
            {"filters": [{"propertyName": "name", "operator": "EQ", "value": "c0"}]},
        ],
        "sorts": [{"propertyName": "numberofemployees", "direction": "DESCENDING"}],
        "properties": ["name", "numberofemployees"],
        "limit": 2,
    }
    first = portal.api.post(path, json=body).json()
    assert first["total"] == 4
    assert [r["properties"]["name"] for r in first["results"]] == ["C4", "C3"]
    assert "hs_lastmodifieddate" in first["results"][0]["properties"]
    after = first["paging"]["next"]["after"]
    second = portal.api.post(path, json={**body, "after": after}).json()
    assert [r["properties"]["name"] for r in second["results"]] == ["C2", "C0"]
    assert "paging" not in second

    too_many = portal.api.post(path, json={**body, "limit": 201})
    assert too_many.status_code == 400
    unknown = portal.api.post(
        path,
        json={
            "filterGroups": [
                {"filters": [{"propertyName": "nope", "operator": "EQ", "value": "1"}]}
            ]
        },
    )
    assert unknown.status_code == 400


def test_search_finds_records_by_their_last_modified_date(portal: Portal) -> None:
    made = portal.api.post(UPSERT, json={"inputs": [_upsert("c-1", name="A")]}).json()
    modified = made["results"][0]["properties"]["hs_lastmodifieddate"]
    path = "/crm/v3/objects/companies/search"

    def count(operator: str, value: str) -> int:
        filters = [{"propertyName": "hs_lastmodifieddate", "operator": operator, "value": value}]
        total: int = portal.api.post(path, json={"filterGroups": [{"filters": filters}]}).json()[
            "total"
        ]
        return total

    from simulators.hubspot.properties import to_ms

    ms = to_ms(modified)
    assert ms is not None
    assert count("EQ", str(ms)) == 1
    assert count("GTE", modified) == 1
    assert count("GT", str(ms)) == 0


# Lists


def test_manual_list_memberships_are_added_removed_and_read(portal: Portal) -> None:
    made = portal.api.post(UPSERT, json={"inputs": [_upsert(f"c-{n}") for n in range(3)]}).json()
    ids = sorted(r["id"] for r in made["results"])
    created = portal.api.post(
        "/crm/v3/lists",
        json={"name": "Customers", "objectTypeId": "0-2", "processingType": "MANUAL"},
    )
    assert created.status_code == 200
    listed = created.json()["list"]
    assert listed["processingType"] == "MANUAL"
    assert listed["objectTypeId"] == "0-2"
    list_id = listed["listId"]
    base = f"/crm/v3/lists/{list_id}/memberships"

    added = portal.api.put(f"{base}/add", json=[ids[0], ids[1], "999"]).json()
    assert added == {
        "recordsIdsAdded": [ids[0], ids[1]],
        "recordIdsRemoved": [],
        "recordIdsMissing": ["999"],
    }
    again = portal.api.put(f"{base}/add", json=[ids[0]]).json()
    assert again == {"recordsIdsAdded": [], "recordIdsRemoved": [], "recordIdsMissing": []}
    removed = portal.api.put(f"{base}/remove", json=[ids[0]]).json()
    assert removed["recordIdsRemoved"] == [ids[0]]
    both = portal.api.put(
        f"{base}/add-and-remove", json={"recordIdsToAdd": [ids[2]], "recordIdsToRemove": [ids[1]]}
    ).json()
    assert both == {
        "recordsIdsAdded": [ids[2]],
        "recordIdsRemoved": [ids[1]],
        "recordIdsMissing": [],
    }

    members = portal.api.get(base).json()
    assert [m["recordId"] for m in members["results"]] == [ids[2]]
    assert members["results"][0]["membershipTimestamp"]
    assert portal.api.get(f"/crm/v3/lists/{list_id}").json()["list"]["size"] == 1
    by_name = portal.api.get("/crm/v3/lists/object-type-id/0-2/name/Customers")
    assert by_name.json()["list"]["listId"] == list_id


def test_a_dynamic_list_takes_no_membership_changes(portal: Portal) -> None:
    listed = portal.api.post(
        "/crm/v3/lists", json={"name": "Smart", "objectTypeId": "0-1", "processingType": "DYNAMIC"}
    ).json()["list"]
    response = portal.api.put(f"/crm/v3/lists/{listed['listId']}/memberships/add", json=["1"])
    assert response.status_code == 400
    assert "MANUAL or SNAPSHOT" in response.json()["message"]
    assert portal.api.get("/crm/v3/lists/999").status_code == 404


# Account


def test_account_details_name_the_portal(portal: Portal) -> None:
    body = portal.api.get("/account-info/v3/details").json()
    assert body["portalId"] == portal.sim.portal_id
    assert body["accountType"] == "STANDARD"
    assert {"timeZone", "companyCurrency", "uiDomain", "dataHostingLocation"} <= set(body)


# Limits


def test_every_answer_carries_the_rate_limit_headers(portal: Portal) -> None:
    first = portal.api.get("/crm/v3/objects/contacts")
    second = portal.api.get("/crm/v3/objects/contacts")
    headers = second.headers
    assert headers["X-HubSpot-RateLimit-Max"] == "190"
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert int(headers["X-HubSpot-RateLimit-Remaining"]) == (
        int(first.headers["X-HubSpot-RateLimit-Remaining"]) - 1
    )
    assert headers["X-HubSpot-RateLimit-Daily"] == "1000000"
    assert int(headers["X-HubSpot-RateLimit-Daily-Remaining"]) < 1_000_000


def test_oauth_answers_carry_no_daily_headers(portal: Portal) -> None:
    grant = portal.control("tokens/grant")
    response = httpx.get(
        f"{portal.url}/crm/v3/objects/contacts",
        headers={"Authorization": f"Bearer {grant['access_token']}"},
    )
    assert "X-HubSpot-RateLimit-Remaining" in response.headers
    assert "X-HubSpot-RateLimit-Daily" not in response.headers


def test_a_full_window_answers_429_with_hubspots_body() -> None:
    with running(ten_second_limit=2) as portal:
        assert portal.api.get("/crm/v3/objects/contacts").status_code == 200
        assert portal.api.get("/crm/v3/objects/contacts").status_code == 200
        refused = portal.api.get("/crm/v3/objects/contacts")
        assert refused.status_code == 429
        body = refused.json()
        assert body["status"] == "error"
        assert body["errorType"] == "RATE_LIMIT"
        assert body["policyName"] == "TEN_SECONDLY_ROLLING"
        assert body["correlationId"] and body["requestId"]
        assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        assert portal.stats()["rate_limited"] == 1


def test_the_daily_limit_answers_429_daily() -> None:
    with running(daily_limit=1) as portal:
        assert portal.api.get("/crm/v3/objects/contacts").status_code == 200
        refused = portal.api.get("/crm/v3/objects/contacts")
        assert refused.status_code == 429
        assert refused.json()["policyName"] == "DAILY"
        assert refused.json()["message"] == "You have reached your daily limit."
        assert refused.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


def test_search_requests_are_outside_the_burst_window_but_have_their_own() -> None:
    with running(ten_second_limit=2) as portal:
        path = "/crm/v3/objects/contacts/search"
        statuses = [portal.api.post(path, json={}).status_code for _ in range(5)]
        assert statuses[:4] == [200] * 4
        assert statuses[4] == 429
        assert portal.api.post(path, json={}).json()["policyName"] == "SECONDLY"
        assert portal.api.get("/crm/v3/objects/contacts").status_code == 200


# Faults and the control API


def test_injected_faults_answer_with_hubspots_body(portal: Portal) -> None:
    portal.control("faults", {"status": 503, "times": 2, "path": "/batch/upsert"})
    inputs = {"inputs": [_upsert("c-1")]}
    first, second, third = (portal.api.post(UPSERT, json=inputs) for _ in range(3))
    assert first.status_code == second.status_code == 503
    assert first.json()["status"] == "error"
    assert third.status_code == 200

    portal.control("faults", {"status": 429, "path": "/crm/v3/objects/contacts"})
    limited = portal.api.get("/crm/v3/objects/contacts")
    assert limited.status_code == 429
    assert limited.json()["policyName"] == "TEN_SECONDLY_ROLLING"


def test_reset_forgets_records_and_lists_but_keeps_custom_properties(portal: Portal) -> None:
    portal.api.post(UPSERT, json={"inputs": [_upsert("c-1")]})
    portal.api.post(
        "/crm/v3/lists", json={"name": "L", "objectTypeId": "0-2", "processingType": "MANUAL"}
    )
    portal.control("reset")
    stats = portal.stats()
    assert stats["records"] == {"companies": 0, "contacts": 0}
    assert stats["lists"] == 0
    assert stats["requests"] == 0
    names = [p["name"] for p in portal.api.get("/crm/v3/properties/companies").json()["results"]]
    assert "cardfile_id" in names


def test_stats_and_helpers_say_what_the_simulator_did(portal: Portal) -> None:
    portal.api.post(UPSERT, json={"inputs": [_upsert("c-1", name="A")]})
    stats = portal.stats()
    assert stats["records"] == {"companies": 1, "contacts": 0}
    assert stats["requests"] == 1
    assert stats["rate_limited"] == 0
    assert portal.sim.records("companies")[0]["name"] == "A"
    assert [call.status for call in portal.sim.calls_to("batch/upsert")] == [200]


def test_the_command_line_serves_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        seen.update(options, app=app)

    monkeypatch.setattr(entry.uvicorn, "run", run)
    entry.main(["--port", "8111", "--token", "t-1"])
    assert seen["host"] == "127.0.0.1"
    assert seen["port"] == 8111
    assert seen["app"].state.sim.static_tokens == {"t-1"}


# Associations (v4)

ASSOCIATE = "/crm/v4/associations/{}/{}/batch/associate/default"


def _made(portal: Portal, object_type: str, *properties: dict[str, str]) -> list[str]:
    response = portal.api.post(
        f"/crm/v3/objects/{object_type}/batch/create",
        json={"inputs": [{"properties": p} for p in properties]},
    )
    assert response.status_code == 201, response.text
    return sorted((r["id"] for r in response.json()["results"]), key=int)


def _pairs(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"inputs": [{"from": {"id": f}, "to": {"id": t}} for f, t in pairs]}


def _read(portal: Portal, object_type: str, record: str, to_type: str, **params: Any) -> Any:
    path = f"/crm/v4/objects/{object_type}/{record}/associations/{to_type}"
    response = portal.api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_default_associations_are_made_and_read_from_both_sides(portal: Portal) -> None:
    (contact,) = _made(portal, "contacts", {"email": "a@example.com"})
    (company,) = _made(portal, "companies", {"name": "A"})
    response = portal.api.post(
        ASSOCIATE.format("contacts", "companies"), json=_pairs((contact, company))
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "COMPLETE"
    assert body["results"] == [
        {
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279},
            "from": {"id": contact},
            "to": {"id": company},
        }
    ]
    assert "errors" not in body
    assert body["startedAt"] and body["completedAt"]
    assert _read(portal, "contacts", contact, "companies")["results"] == [
        {
            "toObjectId": company,
            "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}],
        }
    ]
    back = _read(portal, "0-2", company, "contact")["results"]
    assert [(r["toObjectId"], r["associationTypes"][0]["typeId"]) for r in back] == [(contact, 280)]
    v3 = portal.api.get(
        f"/crm/v3/objects/companies/{company}", params={"associations": "contacts"}
    ).json()
    assert v3["associations"] == {
        "contacts": {"results": [{"id": contact, "type": "company_to_contact_unlabeled"}]}
    }
    plain = portal.api.get(f"/crm/v3/objects/companies/{company}").json()
    assert "associations" not in plain


def test_associating_a_pair_again_keeps_one_association(portal: Portal) -> None:
    (contact,) = _made(portal, "contacts", {"email": "a@example.com"})
    first, second = _made(portal, "companies", {"name": "A"}, {"name": "B"})
    path = ASSOCIATE.format("contacts", "companies")
    for _ in range(2):
        assert portal.api.post(path, json=_pairs((contact, first))).status_code == 200
    portal.api.post(ASSOCIATE.format("companies", "contacts"), json=_pairs((first, contact)))
    portal.api.post(path, json=_pairs((contact, second)))
    ids = [r["toObjectId"] for r in _read(portal, "contacts", contact, "companies")["results"]]
    assert ids == [first, second]
    assert portal.stats()["associations"] == 2


def test_records_that_do_not_exist_are_named_in_errors_with_a_207(portal: Portal) -> None:
    (contact,) = _made(portal, "contacts", {"email": "a@example.com"})
    (company,) = _made(portal, "companies", {"name": "A"})
    response = portal.api.post(
        ASSOCIATE.format("contacts", "companies"),
        json=_pairs((contact, "111"), ("222", company), (contact, company)),
    )
    assert response.status_code == 207
    body = response.json()
    assert [(r["from"]["id"], r["to"]["id"]) for r in body["results"]] == [(contact, company)]
    assert body["numErrors"] == 2
    from_error, to_error = body["errors"]
    assert from_error["category"] == to_error["category"] == "OBJECT_NOT_FOUND"
    assert from_error["context"] == {"fromObjectIds": ["222"]}
    assert to_error["context"] == {"toObjectIds": ["111"]}
    assert "CONTACT" in from_error["message"]
    assert "COMPANY" in to_error["message"]
    assert from_error["status"] == "error"
    assert portal.stats()["associations"] == 1


def test_an_association_batch_over_the_limit_or_malformed_is_refused() -> None:
    with running(association_batch_limit=2) as portal:
        path = ASSOCIATE.format("contacts", "companies")
        over = portal.api.post(path, json=_pairs(("1", "2"), ("3", "4"), ("5", "6")))
        assert over.status_code == 400
        assert "maximum number of inputs" in over.json()["message"]
        assert portal.api.post(path, json={"inputs": [{"from": {"id": "1"}}]}).status_code == 400
        assert portal.api.post(path, json=[]).status_code == 400
        unsupported = portal.api.post(ASSOCIATE.format("contacts", "contacts"), json=_pairs())
        assert unsupported.status_code == 400
        assert (
            portal.api.post(ASSOCIATE.format("planets", "companies"), json=_pairs()).status_code
            == 400
        )


def test_associations_are_read_in_pages(portal: Portal) -> None:
    contacts = _made(portal, "contacts", *({"email": f"p{n}@example.com"} for n in range(5)))
    (company,) = _made(portal, "companies", {"name": "A"})
    portal.api.post(
        ASSOCIATE.format("companies", "contacts"), json=_pairs(*((company, c) for c in contacts))
    )
    seen: list[str] = []
    after: str | None = None
    while True:
        page = _read(
            portal, "companies", company, "contacts", limit=2, **({"after": after} if after else {})
        )
        seen += [r["toObjectId"] for r in page["results"]]
        after = (page.get("paging") or {}).get("next", {}).get("after")
        if after is None:
            break
    assert seen == contacts
    assert _read(portal, "contacts", "404404", "companies") == {"results": []}


def test_archiving_a_record_ends_its_associations_and_reset_forgets_them(portal: Portal) -> None:
    (contact,) = _made(portal, "contacts", {"email": "a@example.com"})
    first, second = _made(portal, "companies", {"name": "A"}, {"name": "B"})
    portal.api.post(
        ASSOCIATE.format("contacts", "companies"), json=_pairs((contact, first), (contact, second))
    )
    archived = portal.api.post(
        "/crm/v3/objects/companies/batch/archive", json={"inputs": [{"id": first}]}
    )
    assert archived.status_code == 204
    ids = [r["toObjectId"] for r in _read(portal, "contacts", contact, "companies")["results"]]
    assert ids == [second]
    again = portal.api.post(
        ASSOCIATE.format("contacts", "companies"), json=_pairs((contact, first))
    )
    assert again.json()["errors"][0]["context"] == {"toObjectIds": [first]}
    portal.control("reset")
    assert portal.stats()["associations"] == 0
