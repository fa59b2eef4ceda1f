"""The Attio simulator answers as Attio does, over real HTTP on loopback.

Every API answer a test receives is checked against Attio's OpenAPI description (route and
response schema for its status) by the client's response hook; see ``attio_openapi``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

import httpx
import pytest
from simulators.attio import AttioSim, create_app
from simulators.attio import __main__ as entry
from simulators.kit import serve

from tests.simulators import attio_openapi

TOKEN = "attio-test-token"
RECORDS = "/v2/objects/{}/records"
GHOST = "891dcbfc-9141-415d-9b2a-2238a6cc012d"  # a record id no record has


def _validated(response: httpx.Response) -> None:
    """Check an API answer against Attio's description (control and OAuth routes are not in
    it)."""
    if response.request.url.path.startswith(("/_simulator", "/oauth/")):
        return
    response.read()
    attio_openapi.check(response)


@dataclass
class Workspace:
    url: str
    sim: AttioSim
    api: httpx.Client

    def client(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(
            base_url=self.url, headers=headers, event_hooks={"response": [_validated]}
        )

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.url}/_simulator/stats").json()
        return result

    def assert_record(self, entity: str, matching: str, **values: Any) -> httpx.Response:
        return self.api.put(
            RECORDS.format(entity),
            params={"matching_attribute": matching},
            json={"data": {"values": values}},
        )

    def create(self, entity: str, **values: Any) -> httpx.Response:
        return self.api.post(RECORDS.format(entity), json={"data": {"values": values}})

    def company(self, domain: str, **values: Any) -> str:
        response = self.assert_record("companies", "domains", domains=[domain], **values)
        assert response.status_code == 200, response.text
        return str(response.json()["data"]["id"]["record_id"])

    def new_list(self, slug: str = "prospects", parent: str = "companies") -> str:
        response = self.api.post(
            "/v2/lists",
            json={
                "data": {
                    "name": slug.title(),
                    "api_slug": slug,
                    "parent_object": parent,
                    "workspace_access": "full-access",
                    "workspace_member_access": [],
                }
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["data"]["id"]["list_id"])


@contextmanager
def running(**options: Any) -> Iterator[Workspace]:
    app = create_app(**options)
    with (
        serve(app) as url,
        httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {TOKEN}"},
            event_hooks={"response": [_validated]},
        ) as api,
    ):
        yield Workspace(url, app.state.sim, api)


@pytest.fixture(scope="module")
def served() -> Iterator[Workspace]:
    with running() as started:
        yield started


@pytest.fixture
def ws(served: Workspace) -> Workspace:
    """The module's workspace, reset (records, lists, faults, grants, counters)."""
    served.control("reset")
    return served


def _values(response: httpx.Response) -> dict[str, list[dict[str, Any]]]:
    values: dict[str, list[dict[str, Any]]] = response.json()["data"]["values"]
    return values


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status
    assert body["code"] == code, body
    return str(body["message"])


# The description itself


def test_the_description_is_parsed_once_per_session() -> None:
    assert attio_openapi.spec() is attio_openapi.spec()


def test_an_answer_that_breaks_the_description_is_caught() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/v2/objects/people")
    wrong = httpx.Response(200, json={"data": {"api_slug": "people"}}, request=request)
    with pytest.raises(AssertionError, match="does not match"):
        attio_openapi.check(wrong)
    nowhere = httpx.Request("GET", "http://127.0.0.1/v2/no/such/route/here")
    with pytest.raises(AssertionError, match="not in Attio's OpenAPI description"):
        attio_openapi.check(httpx.Response(200, json={}, request=nowhere))


def test_an_undocumented_error_status_must_still_have_attios_error_shape() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/v2/objects")
    with pytest.raises(Exception, match="required property"):
        attio_openapi.check(httpx.Response(401, json={"error": "nope"}, request=request))


# Tokens and /v2/self


def test_self_describes_the_api_keys_workspace(ws: Workspace) -> None:
    body = ws.api.get("/v2/self").json()
    assert body["active"] is True
    assert body["workspace_name"] == "Cardfile Simulated Workspace"
    assert body["workspace_id"] == body["sub"]
    assert body["iss"] == "attio.com" and body["token_type"] == "Bearer"
    assert body["exp"] is None  # an API key does not expire


def test_self_answers_inactive_for_a_token_it_does_not_know(ws: Workspace) -> None:
    with ws.client("not-a-token") as stranger:
        response = stranger.get("/v2/self")
    assert response.status_code == 200
    assert response.json() == {"active": False}


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_a_missing_or_unknown_token_is_refused_with_attios_auth_error(
    ws: Workspace, token: str | None
) -> None:
    with ws.client(token) as client:
        response = client.get("/v2/objects")
    assert _error(response, 401, "unauthorized")
    assert response.json()["type"] == "auth_error"
    assert ws.stats()["requests"] == 1


def test_an_expired_oauth_token_is_refused_until_refreshed(ws: Workspace) -> None:
    grant = ws.control("tokens/grant")
    with ws.client(grant["access_token"]) as client:
        assert client.get("/v2/objects").status_code == 200
        self_body = client.get("/v2/self").json()
        assert self_body["active"] is True and isinstance(self_body["exp"], int)
        ws.control("tokens/expire")
        expired = client.get("/v2/objects")
        assert "expired" in _error(expired, 401, "unauthorized")
        assert client.get("/v2/self").json() == {"active": False}
    refreshed = httpx.post(
        f"{ws.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": grant["refresh_token"],
            "client_id": "sim-client",
            "client_secret": "sim-secret",
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    fresh = refreshed.json()
    assert fresh["token_type"] == "Bearer" and fresh["expires_in"] > 0
    with ws.client(fresh["access_token"]) as client:
        assert client.get("/v2/objects").status_code == 200
    assert ws.stats()["refreshes"] == 1


def test_a_token_of_zero_lifetime_is_expired_at_once(ws: Workspace) -> None:
    grant = ws.control("tokens/grant", {"lifetime": 0})
    with ws.client(grant["access_token"]) as client:
        assert "expired" in _error(client.get("/v2/objects"), 401, "unauthorized")


def test_the_token_endpoint_takes_basic_client_credentials_and_refuses_reuse(
    ws: Workspace,
) -> None:
    code = httpx.post(
        f"{ws.url}/oauth/token",
        data={"grant_type": "authorization_code", "code": "c-1", "redirect_uri": "https://x"},
        auth=("sim-client", "sim-secret"),
    )
    assert code.status_code == 200, code.text
    refresh = code.json()["refresh_token"]
    body = {"grant_type": "refresh_token", "refresh_token": refresh}
    first = httpx.post(f"{ws.url}/oauth/token", data=body, auth=("sim-client", "sim-secret"))
    again = httpx.post(f"{ws.url}/oauth/token", data=body, auth=("sim-client", "sim-secret"))
    stranger = httpx.post(f"{ws.url}/oauth/token", data=body, auth=("sim-client", "wrong"))
    odd = httpx.post(
        f"{ws.url}/oauth/token",
        data={"grant_type": "password"},
        auth=("sim-client", "sim-secret"),
    )
    assert first.status_code == 200
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert (stranger.status_code, stranger.json()["error"]) == (401, "invalid_client")
    assert (odd.status_code, odd.json()["error"]) == (400, "unsupported_grant_type")


# Objects, attributes, options and statuses


def test_objects_are_the_activated_standard_objects(ws: Workspace) -> None:
    found = {o["api_slug"]: o for o in ws.api.get("/v2/objects").json()["data"]}
    assert set(found) == {"people", "companies", "users", "workspaces", "deals"}
    assert (found["people"]["singular_noun"], found["people"]["plural_noun"]) == (
        "Person",
        "People",
    )
    one = ws.api.get("/v2/objects/companies").json()["data"]
    assert one["id"]["object_id"] == found["companies"]["id"]["object_id"]
    by_id = ws.api.get(f"/v2/objects/{one['id']['object_id']}").json()["data"]
    assert by_id["api_slug"] == "companies"
    missing = ws.api.get("/v2/objects/planets")
    assert _error(missing, 404, "not_found") == 'Object with slug/ID "planets" not found.'


def test_objects_that_are_not_activated_are_not_found() -> None:
    with running(activated={"people", "companies"}) as ws:
        listed = {o["api_slug"] for o in ws.api.get("/v2/objects").json()["data"]}
        assert listed == {"people", "companies"}
        for path in ("/v2/objects/users", "/v2/objects/workspaces/attributes"):
            assert _error(ws.api.get(path), 404, "not_found").startswith("Object with slug/ID")
        write = ws.assert_record("users", "user_id", user_id="u-1")
        assert _error(write, 404, "not_found") == 'Object with slug/ID "users" not found.'
        assert ws.stats()["records"]["users"] == 0


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        (
            "people",
            {
                "name": ("personal-name", False, False),
                "email_addresses": ("email-address", True, True),
                "phone_numbers": ("phone-number", True, False),
                "job_title": ("text", False, False),
                "company": ("record-reference", False, False),
                "primary_location": ("location", False, False),
            },
        ),
        (
            "companies",
            {
                "name": ("text", False, False),
                "domains": ("domain", True, True),
                "description": ("text", False, False),
                "categories": ("select", True, False),
                "employee_range": ("select", False, False),
                "team": ("record-reference", True, False),
            },
        ),
        (
            "users",
            {
                "user_id": ("text", False, True),
                "primary_email_address": ("email-address", False, True),
                "person": ("record-reference", False, False),
                "workspace": ("record-reference", True, False),
            },
        ),
        (
            "workspaces",
            {
                "workspace_id": ("text", False, True),
                "name": ("text", False, False),
                "company": ("record-reference", False, False),
                "users": ("record-reference", True, False),
            },
        ),
        (
            "deals",
            {
                "name": ("text", False, False),
                "stage": ("status", False, False),
                "value": ("currency", False, False),
                "owner": ("actor-reference", False, False),
                "associated_company": ("record-reference", False, False),
                "associated_people": ("record-reference", True, False),
            },
        ),
    ],
)
def test_standard_attributes_have_attios_slugs_and_types(
    ws: Workspace, entity: str, expected: dict[str, tuple[str, bool, bool]]
) -> None:
    listed = ws.api.get(f"/v2/objects/{entity}/attributes").json()["data"]
    found = {a["api_slug"]: (a["type"], a["is_multiselect"], a["is_unique"]) for a in listed}
    assert {slug: found.get(slug) for slug in expected} == expected
    record_id = next(a for a in listed if a["api_slug"] == "record_id")
    assert record_id["is_unique"] and not record_id["is_writable"]


def test_record_references_name_the_objects_they_point_at(ws: Workspace) -> None:
    company = ws.api.get("/v2/objects/people/attributes/company").json()["data"]
    companies = ws.api.get("/v2/objects/companies").json()["data"]["id"]["object_id"]
    assert company["config"]["record_reference"]["allowed_object_ids"] == [companies]
    deal_name = ws.api.get("/v2/objects/deals/attributes/name").json()["data"]
    assert deal_name["is_required"] is True
    missing = ws.api.get("/v2/objects/people/attributes/nope")
    assert _error(missing, 404, "not_found") == 'Attribute with slug/ID "nope" not found.'


def test_select_options_and_statuses_are_listed_and_can_be_added(ws: Workspace) -> None:
    base = "/v2/objects/companies/attributes"
    titles = [o["title"] for o in ws.api.get(f"{base}/categories/options").json()["data"]]
    assert {"SaaS", "B2B", "E-commerce"} <= set(titles)
    stages = ws.api.get("/v2/objects/deals/attributes/stage/statuses").json()["data"]
    assert [s["title"] for s in stages] == ["Lead", "In Progress", "Won 🎉", "Lost"]
    added = ws.api.post(f"{base}/categories/options", json={"data": {"title": "Robotics"}})
    assert added.status_code == 200, added.text
    assert added.json()["data"]["title"] == "Robotics"
    again = ws.api.post(f"{base}/categories/options", json={"data": {"title": "robotics"}})
    assert _error(again, 409, "slug_conflict").startswith("There is already another select")
    not_select = ws.api.post(f"{base}/name/options", json={"data": {"title": "X"}})
    assert _error(not_select, 400, "validation_type") == "This attribute is not a select attribute."
    status = ws.api.post(
        "/v2/objects/deals/attributes/stage/statuses",
        json={"data": {"title": "Negotiation", "target_time_in_status": "P0Y0M7DT0H0M0S"}},
    )
    assert status.status_code == 200, status.text
    assert status.json()["data"]["target_time_in_status"] == "P0Y0M7DT0H0M0S"
    assert ws.api.get(f"{base}/name/options").json()["data"] == []


def test_custom_attributes_are_created_and_written(ws: Workspace) -> None:
    base = "/v2/objects/companies/attributes"
    definition = {
        "title": "External id",
        "description": None,
        "api_slug": "external_id",
        "type": "text",
        "is_required": False,
        "is_unique": True,
        "is_multiselect": False,
        "config": {},
    }
    made = ws.api.post(base, json={"data": definition})
    assert made.status_code == 200, made.text
    assert made.json()["data"]["is_system_attribute"] is False
    clash = ws.api.post(base, json={"data": definition})
    assert _error(clash, 409, "slug_conflict").startswith("An attribute with the same API slug")
    bad_type = ws.api.post(base, json={"data": {**definition, "api_slug": "x", "type": "blob"}})
    assert _error(bad_type, 400, "validation_type")
    first = ws.assert_record("companies", "external_id", external_id="e-1", name="One")
    second = ws.assert_record("companies", "external_id", external_id="e-1", name="Uno")
    assert first.json()["data"]["id"] == second.json()["data"]["id"]
    assert _values(second)["name"][0]["value"] == "Uno"


def test_attribute_lists_page_and_hide_archived_attributes(ws: Workspace) -> None:
    everything = ws.api.get("/v2/objects/companies/attributes").json()["data"]
    page = ws.api.get("/v2/objects/companies/attributes", params={"limit": 2, "offset": 1})
    assert [a["api_slug"] for a in page.json()["data"]] == [a["api_slug"] for a in everything[1:3]]
    ws.sim.objects["companies"].attributes["twitter"].is_archived = True
    try:
        shown = ws.api.get("/v2/objects/companies/attributes").json()["data"]
        archived = ws.api.get(
            "/v2/objects/companies/attributes", params={"show_archived": "true"}
        ).json()["data"]
    finally:
        ws.sim.objects["companies"].attributes["twitter"].is_archived = False
    assert "twitter" not in {a["api_slug"] for a in shown}
    assert "twitter" in {a["api_slug"] for a in archived}


# Records: assert, create, update, read, delete


def test_assert_creates_then_updates_the_record_holding_the_unique_value(ws: Workspace) -> None:
    created = ws.assert_record("companies", "domains", domains=["acme.com"], name="Acme")
    assert created.status_code == 200, created.text
    data = created.json()["data"]
    assert data["web_url"].startswith("https://app.attio.com/")
    name = _values(created)["name"][0]
    assert name["value"] == "Acme" and name["attribute_type"] == "text"
    assert name["active_until"] is None and name["active_from"] == data["created_at"]
    updated = ws.assert_record("companies", "domains", domains=["ACME.com"], name="Acme Inc")
    assert updated.json()["data"]["id"] == data["id"]
    assert _values(updated)["name"][0]["value"] == "Acme Inc"
    assert _values(updated)["name"][0]["active_from"] > data["created_at"]
    assert ws.stats()["records"]["companies"] == 1


def test_an_unchanged_value_keeps_when_it_became_active(ws: Workspace) -> None:
    first = ws.assert_record("companies", "domains", domains=["keep.com"], name="Keep")
    again = ws.assert_record("companies", "domains", domains=["keep.com"], name="Keep")
    assert _values(again)["name"] == _values(first)["name"]


def test_assert_appends_to_the_matching_multiselect_and_replaces_the_others(
    ws: Workspace,
) -> None:
    ws.assert_record(
        "companies", "domains", domains=["one.com"], categories=["SaaS", "B2B"], name="One"
    )
    after = ws.assert_record(
        "companies", "domains", domains=["one.com", "one.io"], categories="B2C"
    )
    domains = [v["domain"] for v in _values(after)["domains"]]
    categories = [v["option"]["title"] for v in _values(after)["categories"]]
    assert sorted(domains) == ["one.com", "one.io"]
    assert categories == ["B2C"]
    assert _values(after)["name"][0]["value"] == "One"


def test_assert_refuses_a_matching_attribute_that_is_unknown_or_not_unique(
    ws: Workspace,
) -> None:
    unknown = ws.assert_record("companies", "my-attribute", name="x")
    assert _error(unknown, 400, "value_not_found") == (
        'No attribute was found for matching_attribute slug/ID "my-attribute".'
    )
    not_unique = ws.assert_record("companies", "name", name="x")
    assert "not unique" in _error(not_unique, 400, "validation_type")
    without = ws.assert_record("companies", "domains", name="x")
    assert "domains" in _error(without, 400, "missing_value")
    no_param = ws.api.put(RECORDS.format("companies"), json={"data": {"values": {}}})
    assert _error(no_param, 400, "value_not_found")
    assert ws.stats()["records"]["companies"] == 0


def test_assert_refuses_to_choose_between_several_matching_records(ws: Workspace) -> None:
    ws.company("a.com")
    ws.company("b.com")
    both = ws.assert_record("companies", "domains", domains=["a.com", "b.com"])
    assert "Multiple records" in _error(both, 400, "multiple_match_results")


def test_create_refuses_a_unique_value_another_record_holds(ws: Workspace) -> None:
    assert ws.create("people", email_addresses=["ada@example.com"]).status_code == 200
    again = ws.create("people", email_addresses=["ADA@example.com"])
    assert "ada@example.com" in _error(again, 409, "uniqueness_conflict")
    assert ws.stats()["records"]["people"] == 1


def test_patch_appends_multiselect_values_and_put_overwrites_them(ws: Workspace) -> None:
    record_id = ws.company("multi.com", categories=["SaaS"])
    path = f"{RECORDS.format('companies')}/{record_id}"
    patched = ws.api.patch(path, json={"data": {"values": {"categories": ["B2B"]}}})
    titles = [v["option"]["title"] for v in _values(patched)["categories"]]
    assert titles == ["B2B", "SaaS"]  # prepended, as Attio's PATCH does
    put = ws.api.put(path, json={"data": {"values": {"categories": ["Media"]}}})
    assert [v["option"]["title"] for v in _values(put)["categories"]] == ["Media"]
    cleared = ws.api.put(path, json={"data": {"values": {"categories": None}}})
    assert _values(cleared)["categories"] == []
    missing = ws.api.patch(
        f"{RECORDS.format('companies')}/00000000-0000-4000-8000-000000000000",
        json={"data": {"values": {"name": "x"}}},
    )
    assert _error(missing, 404, "not_found").startswith("Record with ID")


def test_records_are_read_and_deleted(ws: Workspace) -> None:
    record_id = ws.company("gone.com", name="Gone")
    path = f"{RECORDS.format('companies')}/{record_id}"
    got = ws.api.get(path)
    assert _values(got)["record_id"][0]["value"] == record_id
    assert _values(got)["created_by"][0]["referenced_actor_type"] == "api-token"
    deleted = ws.api.delete(path)
    assert (deleted.status_code, deleted.json()) == (200, {})
    assert _error(ws.api.get(path), 404, "not_found") == f'Record with ID "{record_id}" not found.'
    assert _error(ws.api.delete(path), 404, "not_found")


def test_a_deleted_record_leaves_records_stats_queries_and_references(ws: Workspace) -> None:
    kept = ws.company("kept.com")
    gone = ws.company("gone.com")
    person = ws.assert_record(
        "people",
        "email_addresses",
        email_addresses=["p@example.com"],
        company=[{"target_object": "companies", "target_record_id": gone}],
    )
    person_id = person.json()["data"]["id"]["record_id"]
    deleted = ws.api.delete(f"{RECORDS.format('companies')}/{gone}")
    assert (deleted.status_code, deleted.json()) == (200, {})
    assert [r["record_id"][0]["value"] for r in ws.sim.records("companies")] == [kept]
    stats = ws.stats()
    assert stats["records"]["companies"] == 1
    assert stats["deleted"]["companies"] == 1 and stats["deleted"]["people"] == 0
    query = ws.api.post(
        f"{RECORDS.format('companies')}/query",
        json={"filter": {"record_id": {"$in": [kept, gone]}}},
    )
    assert [r["id"]["record_id"] for r in query.json()["data"]] == [kept]
    # Attio clears a reference to a deleted record.
    read = ws.api.get(f"{RECORDS.format('people')}/{person_id}")
    assert _values(read)["company"] == []
    ws.control("reset")
    assert ws.stats()["deleted"]["companies"] == 0


def test_a_delete_the_test_refuses_keeps_the_record_with_the_message(ws: Workspace) -> None:
    record_id = ws.company("keep.com")
    ws.control("refusals", {"field": "domains", "value": "keep.com", "message": "Not this one"})
    path = f"{RECORDS.format('companies')}/{record_id}"
    assert _error(ws.api.delete(path), 400, "validation_type") == "Not this one"
    assert ws.api.get(path).status_code == 200
    assert ws.stats()["deleted"]["companies"] == 0


def test_a_query_finds_key_values_without_case_oldest_first(ws: Workspace) -> None:
    first = ws.company("one.com")
    second = ws.company("two.com")
    ws.company("three.com")
    response = ws.api.post(
        f"{RECORDS.format('companies')}/query",
        json={
            "filter": {"$or": [{"domains": "TWO.com"}, {"domains": "One.COM"}]},
            "sorts": [{"attribute": "created_at", "direction": "asc"}],
            "limit": 500,
            "offset": 0,
        },
    )
    assert [r["id"]["record_id"] for r in response.json()["data"]] == [first, second]
    assert ws.stats()["records"]["companies"] == 3


# Values: formats and validation


def test_every_value_format_of_the_attio_table_is_accepted(ws: Workspace) -> None:
    company = ws.company("app.attio.com", name="Attio")
    person = ws.assert_record(
        "people",
        "email_addresses",
        email_addresses="person@example.com",
        name="Bloggs, Joe",
        phone_numbers=["+15558675309"],
        primary_location="1 Infinite Loop, Cupertino, CA, US",
        company="app.attio.com",
    )
    assert person.status_code == 200, person.text
    values = _values(person)
    assert {k: values["name"][0][k] for k in ("first_name", "last_name", "full_name")} == {
        "first_name": "Joe",
        "last_name": "Bloggs",
        "full_name": "Joe Bloggs",
    }
    assert values["phone_numbers"][0]["country_code"] == "US"
    location = values["primary_location"][0]
    assert (location["line_1"], location["locality"], location["region"]) == (
        "1 Infinite Loop",
        "Cupertino",
        "CA",
    )
    assert location["country_code"] == "US"
    assert values["company"][0]["target_record_id"] == company
    email = values["email_addresses"][0]
    assert (email["email_domain"], email["email_local_specifier"]) == ("example.com", "person")
    deal = ws.create(
        "deals",
        name="Big one",
        stage="In Progress",
        owner="owner@cardfile.example",
        value=29.9999,
        associated_company=company,
    )
    assert deal.status_code == 200, deal.text
    dv = _values(deal)
    assert dv["stage"][0]["status"]["title"] == "In Progress"
    assert dv["value"][0] == {**dv["value"][0], "currency_value": 29.9999, "currency_code": "USD"}
    assert dv["owner"][0]["referenced_actor_type"] == "workspace-member"
    rating = ws.api.post(
        "/v2/objects/companies/attributes",
        json={
            "data": {
                "title": "Fit",
                "description": None,
                "api_slug": "fit",
                "type": "rating",
                "is_required": False,
                "is_unique": False,
                "is_multiselect": False,
                "config": {},
            }
        },
    )
    assert rating.status_code == 200, rating.text
    for slug, kind in (("seen", "timestamp"), ("paying", "checkbox"), ("staff", "number")):
        made = ws.api.post(
            "/v2/objects/companies/attributes",
            json={
                "data": {
                    "title": slug.title(),
                    "description": None,
                    "api_slug": slug,
                    "type": kind,
                    "is_required": False,
                    "is_unique": False,
                    "is_multiselect": False,
                    "config": {},
                }
            },
        )
        assert made.status_code == 200, made.text
    more = ws.assert_record(
        "companies",
        "domains",
        domains=["app.attio.com"],
        foundation_date="2023-09-28",
        seen="2023-09-28T04:39:17",
        paying="true",
        staff=42.192,
        fit=5,
        categories=["SaaS"],
    )
    assert more.status_code == 200, more.text
    mv = _values(more)
    assert mv["foundation_date"][0]["value"] == "2023-09-28"
    assert mv["seen"][0]["value"] == "2023-09-28T04:39:17.000000000Z"
    assert mv["paying"][0]["value"] is True
    assert (mv["staff"][0]["value"], mv["fit"][0]["value"]) == (42.192, 5)


def test_object_forms_and_references_by_id_are_accepted(ws: Workspace) -> None:
    company = ws.company("ref.com")
    response = ws.assert_record(
        "people",
        "email_addresses",
        email_addresses=[{"email_address": "obj@example.com"}],
        name=[{"first_name": "Ada", "last_name": "Lovelace", "full_name": "Ada Lovelace"}],
        company=[{"target_object": "companies", "target_record_id": company}],
        job_title=[{"value": "Countess"}],
    )
    assert response.status_code == 200, response.text
    by_domain = ws.assert_record(
        "people",
        "email_addresses",
        email_addresses=["obj@example.com"],
        company=[{"target_object": "companies", "domains": [{"domain": "ref.com"}]}],
    )
    assert _values(by_domain)["company"][0]["target_record_id"] == company


def test_references_by_email_and_user_id_link_records_as_segment_sends_them(
    ws: Workspace,
) -> None:
    person = ws.assert_record("people", "email_addresses", email_addresses="u@example.com")
    user = ws.assert_record(
        "users",
        "user_id",
        user_id="coolUser123",
        primary_email_address="u@example.com",
        person="u@example.com",
    )
    assert user.status_code == 200, user.text
    person_id = person.json()["data"]["id"]["record_id"]
    assert _values(user)["person"][0]["target_record_id"] == person_id
    workspace = ws.assert_record(
        "workspaces", "workspace_id", workspace_id="w-1", users=["coolUser123"]
    )
    assert workspace.status_code == 200, workspace.text
    user_id = user.json()["data"]["id"]["record_id"]
    assert _values(workspace)["users"][0]["target_record_id"] == user_id


def test_null_unsets_a_value(ws: Workspace) -> None:
    ws.company("null.com", description="Something")
    cleared = ws.assert_record("companies", "domains", domains=["null.com"], description=None)
    assert _values(cleared)["description"] == []


@pytest.mark.parametrize(
    ("values", "status", "code", "fragment"),
    [
        ({"no_such_attribute": "x"}, 400, "value_not_found", '"no_such_attribute"'),
        ({"name": 42}, 400, "validation_type", 'attribute with slug "name"'),
        ({"categories": ["Not an option"]}, 400, "value_not_found", '"Not an option"'),
        ({"domains": ["not a domain"]}, 400, "validation_type", "not a valid domain"),
        ({"name": ["A", "B"]}, 400, "validation_type", "single value"),
        ({"logo_url": "https://x"}, 400, "validation_type", "read-only"),
        ({"funding_raised_usd": 1.23456}, 400, "validation_type", "4 decimal places"),
        ({"foundation_date": "yesterday"}, 400, "validation_type", "not a date"),
        ({"team": ["nobody@example.com"]}, 400, "value_not_found", "nobody@example.com"),
        (
            {"team": [{"target_object": "people", "target_record_id": GHOST}]},
            400,
            "value_not_found",
            "not found",
        ),
    ],
)
def test_values_of_the_wrong_shape_type_or_target_are_refused(
    ws: Workspace, values: dict[str, Any], status: int, code: str, fragment: str
) -> None:
    response = ws.assert_record("companies", "domains", **{"domains": ["v.com"], **values})
    assert fragment in _error(response, status, code)
    assert ws.stats()["records"]["companies"] == 0


def test_a_bad_email_is_refused(ws: Workspace) -> None:
    response = ws.assert_record("people", "email_addresses", email_addresses=["not-an-email"])
    assert "not a valid email address" in _error(response, 400, "validation_type")


def test_a_new_record_needs_its_required_attributes(ws: Workspace) -> None:
    response = ws.create("deals", name="No stage", owner="owner@cardfile.example")
    stage_id = ws.api.get("/v2/objects/deals/attributes/stage").json()["data"]["id"]
    assert _error(response, 400, "missing_value") == (
        f'Required value for attribute with ID "{stage_id["attribute_id"]}" was not provided.'
    )
    unknown_member = ws.create("deals", name="x", stage="Lead", owner="who@example.com")
    assert "who@example.com" in _error(unknown_member, 400, "value_not_found")


def test_a_malformed_body_is_refused(ws: Workspace) -> None:
    no_values = ws.api.post(RECORDS.format("companies"), json={"data": {}})
    assert "data.values" in _error(no_values, 400, "validation_type")
    not_json = ws.api.post(
        RECORDS.format("companies"),
        content=b"{oops",
        headers={"Content-Type": "application/json"},
    )
    assert _error(not_json, 400, "validation_type")


# Queries


def test_records_are_queried_with_shorthand_and_verbose_filters(ws: Workspace) -> None:
    for n, size in ((1, "1-10"), (2, "11-50"), (3, "11-50")):
        ws.company(f"q{n}.com", name=f"Q{n}", employee_range=size)
    query = f"{RECORDS.format('companies')}/query"

    def names(body: dict[str, Any]) -> list[str]:
        response = ws.api.post(query, json=body)
        assert response.status_code == 200, response.text
        return [r["values"]["name"][0]["value"] for r in response.json()["data"]]

    assert names({"filter": {"domains": "q2.com"}}) == ["Q2"]
    assert names({"filter": {"domains": {"domain": {"$eq": "Q3.com"}}}}) == ["Q3"]
    assert names({"filter": {"employee_range": "11-50"}}) == ["Q2", "Q3"]
    assert names({"filter": {"$or": [{"name": "Q1"}, {"name": {"$eq": "Q3"}}]}, "sorts": []}) == [
        "Q1",
        "Q3",
    ]
    assert names({"filter": {"$not": {"name": "Q1"}}}) == ["Q2", "Q3"]
    assert names({"sorts": [{"attribute": "name", "direction": "desc"}], "limit": 2}) == [
        "Q3",
        "Q2",
    ]
    assert names({"sorts": [{"attribute": "name", "direction": "asc"}], "offset": 2}) == ["Q3"]
    assert names({}) == ["Q1", "Q2", "Q3"]
    bad = ws.api.post(query, json={"filter": {"nope": 1}})
    assert "nope" in _error(bad, 400, "filter_error")
    odd = ws.api.post(query, json={"filter": {"name": {"$like": "Q"}}})
    assert "$like" in _error(odd, 400, "filter_error")


# Lists and entries


def test_lists_are_created_listed_and_read_with_their_parent_object(ws: Workspace) -> None:
    list_id = ws.new_list()
    listed = ws.api.get("/v2/lists").json()["data"]
    assert [item["id"]["list_id"] for item in listed] == [list_id]
    one = ws.api.get(f"/v2/lists/{list_id}").json()["data"]
    assert one["parent_object"] == ["companies"] and one["api_slug"] == "prospects"
    assert ws.api.get("/v2/lists/prospects").json()["data"]["id"]["list_id"] == list_id
    clash = ws.api.post(
        "/v2/lists",
        json={
            "data": {
                "name": "Again",
                "api_slug": "prospects",
                "parent_object": "companies",
                "workspace_access": "full-access",
                "workspace_member_access": [],
            }
        },
    )
    assert _error(clash, 409, "slug_conflict") == 'A list with api_slug "prospects" already exists.'
    nowhere = ws.api.get("/v2/lists/nowhere")
    assert _error(nowhere, 404, "not_found") == 'List with slug/ID "nowhere" not found.'


def test_entries_may_repeat_but_assert_by_parent_adds_once(ws: Workspace) -> None:
    list_id = ws.new_list()
    record_id = ws.company("entry.com")
    entries = f"/v2/lists/{list_id}/entries"
    body = {
        "data": {"parent_record_id": record_id, "parent_object": "companies", "entry_values": {}}
    }
    first = ws.api.put(entries, json=body)
    again = ws.api.put(entries, json=body)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    assert ws.stats()["entries"] == 1
    duplicate = ws.api.post(entries, json=body)
    assert duplicate.status_code == 200
    assert ws.stats()["entries"] == 2
    ambiguous = ws.api.put(entries, json=body)
    assert "Multiple entries" in _error(ambiguous, 400, "multiple_match_results")
    queried = ws.api.post(f"{entries}/query", json={}).json()["data"]
    assert [e["parent_record_id"] for e in queried] == [record_id, record_id]
    of_record = ws.api.get(f"{RECORDS.format('companies')}/{record_id}/entries").json()["data"]
    assert {e["list_id"] for e in of_record} == {list_id} and len(of_record) == 2
    entry_id = queried[0]["id"]["entry_id"]
    assert ws.api.get(f"{entries}/{entry_id}").json()["data"]["id"]["entry_id"] == entry_id
    assert ws.api.delete(f"{entries}/{entry_id}").json() == {}
    assert _error(ws.api.delete(f"{entries}/{entry_id}"), 404, "not_found")
    assert ws.stats()["entries"] == 1


def test_entries_need_an_existing_parent_of_the_lists_object(ws: Workspace) -> None:
    list_id = ws.new_list()
    entries = f"/v2/lists/{list_id}/entries"
    ghost = GHOST
    missing = ws.api.post(
        entries,
        json={
            "data": {"parent_record_id": ghost, "parent_object": "companies", "entry_values": {}}
        },
    )
    assert _error(missing, 400, "value_not_found") == (
        f'Parent record with slug/ID "{ghost}" not found.'
    )
    person = ws.assert_record("people", "email_addresses", email_addresses=["p@example.com"])
    wrong = ws.api.post(
        entries,
        json={
            "data": {
                "parent_record_id": person.json()["data"]["id"]["record_id"],
                "parent_object": "people",
                "entry_values": {},
            }
        },
    )
    assert _error(wrong, 400, "validation_type")


def test_deleting_a_record_removes_its_entries(ws: Workspace) -> None:
    list_id = ws.new_list()
    record_id = ws.company("bye.com")
    ws.api.put(
        f"/v2/lists/{list_id}/entries",
        json={
            "data": {
                "parent_record_id": record_id,
                "parent_object": "companies",
                "entry_values": {},
            }
        },
    )
    ws.api.delete(f"{RECORDS.format('companies')}/{record_id}")
    assert ws.api.post(f"/v2/lists/{list_id}/entries/query", json={}).json()["data"] == []


# Rate limits


def test_a_full_write_window_answers_429_with_an_http_date() -> None:
    with running(writes_per_second=3) as ws:
        answers = [ws.company(f"w{n}.com") for n in range(3)]
        assert len(answers) == 3
        before = time.time()
        over = ws.assert_record("companies", "domains", domains=["w9.com"])
        assert _error(over, 429, "rate_limit_exceeded") == (
            "Rate limit exceeded, please try again later"
        )
        assert over.json()["type"] == "rate_limit_error"
        retry_at = parsedate_to_datetime(over.headers["Retry-After"]).timestamp()
        assert over.headers["Retry-After"].endswith("GMT")
        assert before - 1 <= retry_at <= before + 2
        # Queries only read, so they still go through.
        query = ws.api.post(f"{RECORDS.format('companies')}/query", json={})
        assert query.status_code == 200
        assert ws.stats()["rate_limited"] == 1
        assert ws.stats()["records"]["companies"] == 3


def test_a_full_read_window_answers_429_too() -> None:
    with running(reads_per_second=2) as ws:
        assert ws.api.get("/v2/objects").status_code == 200
        assert ws.api.get("/v2/objects").status_code == 200
        assert _error(ws.api.get("/v2/objects"), 429, "rate_limit_exceeded")
        assert ws.stats()["rate_limited"] == 1


# Fault injection and control


def test_injected_faults_answer_with_attios_bodies_then_stop(ws: Workspace) -> None:
    ws.control("faults", {"status": 503, "times": 1, "path": "/v2/objects"})
    failed = ws.api.get("/v2/objects")
    assert failed.status_code == 503
    assert failed.json()["status_code"] == 503
    assert ws.api.get("/v2/objects").status_code == 200
    retry_at = formatdate(time.time() + 1, usegmt=True)
    ws.control(
        "faults",
        {"status": 429, "times": 1, "path": "/records", "headers": {"Retry-After": retry_at}},
    )
    limited = ws.assert_record("companies", "domains", domains=["f.com"])
    assert _error(limited, 429, "rate_limit_exceeded")
    assert limited.headers["Retry-After"] == retry_at
    assert ws.assert_record("companies", "domains", domains=["f.com"]).status_code == 200


def test_a_refusal_refuses_the_record_with_the_message_asked_for(ws: Workspace) -> None:
    ws.control(
        "refusals", {"field": "domains", "value": "no.com", "message": "Refused for this test"}
    )
    refused = ws.assert_record("companies", "domains", domains=["no.com"], name="No")
    assert _error(refused, 400, "validation_type") == "Refused for this test"
    assert ws.company("yes.com")
    assert ws.stats()["records"]["companies"] == 1


def test_reset_forgets_data_but_keeps_the_schema(ws: Workspace) -> None:
    ws.company("r.com")
    ws.new_list()
    ws.api.post(
        "/v2/objects/companies/attributes/categories/options", json={"data": {"title": "Kept"}}
    )
    ws.control("reset")
    stats = ws.stats()
    assert stats["records"]["companies"] == 0 and stats["lists"] == 0
    assert stats["requests"] == 0 and stats["rate_limited"] == 0
    options = ws.api.get("/v2/objects/companies/attributes/categories/options").json()["data"]
    assert "Kept" in [o["title"] for o in options]


def test_stats_count_records_requests_and_429s(ws: Workspace) -> None:
    ws.company("s.com")
    ws.assert_record("people", "email_addresses", email_addresses=["s@example.com"])
    stats = ws.stats()
    assert stats["records"] == {
        "people": 1,
        "companies": 1,
        "users": 0,
        "workspaces": 0,
        "deals": 0,
    }
    assert stats["requests"] == 2 and stats["rate_limited"] == 0
    assert ws.sim.records("companies")[0]["domains"][0]["domain"] == "s.com"
    assert [c.status for c in ws.sim.calls_to("/records", "PUT")] == [200, 200]


def test_unknown_routes_answer_attios_not_found_body(ws: Workspace) -> None:
    response = httpx.get(f"{ws.url}/v2/planets", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"


def test_the_module_serves_on_loopback_with_the_given_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        seen.update(options, sim=app.state.sim)

    monkeypatch.setattr(entry.uvicorn, "run", run)
    entry.main(["--port", "8112", "--token", "t-1", "--activate", "people"])
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8112)
    assert seen["sim"].static_tokens == {"t-1"}
    assert seen["sim"].activated == {"people"}


# Links: record references written with PATCH


def _record_id(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"]["record_id"])


def _reference(target_object: str, record_id: str) -> dict[str, str]:
    return {"target_object": target_object, "target_record_id": record_id}


def test_patch_adds_a_user_to_a_workspace_once_keeping_the_others(ws: Workspace) -> None:
    first = _record_id(ws.assert_record("users", "user_id", user_id="u-1"))
    second = _record_id(ws.assert_record("users", "user_id", user_id="u-2"))
    workspace = _record_id(
        ws.assert_record(
            "workspaces", "workspace_id", workspace_id="w-1", users=[_reference("users", first)]
        )
    )
    path = f"{RECORDS.format('workspaces')}/{workspace}"
    for _ in range(2):
        patched = ws.api.patch(
            path, json={"data": {"values": {"users": [_reference("users", second)]}}}
        )
        held = [v["target_record_id"] for v in _values(patched)["users"]]
        assert held == [second, first]  # prepended once; the value already there is not doubled
    read = ws.api.get(path)
    assert [v["target_record_id"] for v in _values(read)["users"]] == [second, first]
    assert {v["target_object"] for v in _values(read)["users"]} == {"users"}


def test_patch_replaces_a_single_valued_reference(ws: Workspace) -> None:
    first = ws.company("first.com")
    second = ws.company("second.com")
    person = _record_id(
        ws.assert_record(
            "people",
            "email_addresses",
            email_addresses=["p@example.com"],
            company=[_reference("companies", first)],
        )
    )
    path = f"{RECORDS.format('people')}/{person}"
    patched = ws.api.patch(
        path, json={"data": {"values": {"company": [_reference("companies", second)]}}}
    )
    assert [v["target_record_id"] for v in _values(patched)["company"]] == [second]


def test_a_patch_naming_a_missing_target_or_record_is_refused(ws: Workspace) -> None:
    person = _record_id(ws.assert_record("people", "email_addresses", email_addresses=["a@b.co"]))
    body = {"data": {"values": {"company": [_reference("companies", GHOST)]}}}
    target = ws.api.patch(f"{RECORDS.format('people')}/{person}", json=body)
    assert GHOST in _error(target, 400, "value_not_found")
    assert _values(ws.api.get(f"{RECORDS.format('people')}/{person}"))["company"] == []
    company = ws.company("here.com")
    body = {"data": {"values": {"company": [_reference("companies", company)]}}}
    record = ws.api.patch(f"{RECORDS.format('people')}/{GHOST}", json=body)
    assert _error(record, 404, "not_found") == f'Record with ID "{GHOST}" not found.'
