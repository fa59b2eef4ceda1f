"""The Pipedrive simulator answers as Pipedrive does, over real HTTP on loopback.

Every answer a test receives is checked against Pipedrive's OpenAPI descriptions (route and
response schema for its status; the error body where none is documented) by the client's
response hook; see ``pipedrive_openapi``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators.kit import serve
from simulators.pipedrive import PipedriveSim, create_app
from simulators.pipedrive import __main__ as entry
from simulators.pipedrive.limits import token_cost
from simulators.pipedrive.schema import field_hash

from tests.simulators import pipedrive_openapi

TOKEN = "pipedrive-test-token"
LEAD_SOURCE = field_hash("persons", "Lead source")
INTERESTS = field_hash("persons", "Interests")
SCORE = field_hash("persons", "Score")
CARDFILE_ID = field_hash("persons", "Cardfile id")


def _validated(response: httpx.Response) -> None:
    if response.request.url.path.startswith("/_simulator"):
        return
    response.read()
    pipedrive_openapi.check(response)


@dataclass
class Company:
    url: str
    sim: PipedriveSim

    def client(self, headers: dict[str, str] | None = None) -> httpx.Client:
        # Plain HTTP on loopback: no TLS context to build for every client.
        return httpx.Client(
            base_url=self.url,
            headers={"x-api-token": TOKEN} if headers is None else headers,
            event_hooks={"response": [_validated]},
            verify=False,
        )

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/{path}", json=body or {}, verify=False)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def person(self, name: str = "Ann Lee", email: str = "ann@acme.com", **extra: Any) -> int:
        with self.client() as api:
            body = {"name": name, "emails": [{"value": email, "primary": True}], **extra}
            response = api.post("/api/v2/persons", json=body)
        assert response.status_code == 200, response.text
        return int(response.json()["data"]["id"])


@contextmanager
def running(**options: Any) -> Iterator[Company]:
    app = create_app(**options)
    with serve(app) as url:
        yield Company(url, app.state.sim)


@pytest.fixture(scope="module")
def served() -> Iterator[Company]:
    with running() as company:
        yield company


@pytest.fixture
def co(served: Company) -> Company:
    served.control("reset")
    return served


def _basic(client_id: str = "sim-client", secret: str = "sim-secret") -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


# Authentication


def test_the_api_token_goes_in_x_api_token_or_the_legacy_query_parameter(co: Company) -> None:
    with co.client() as api:
        assert api.get("/api/v1/users/me").status_code == 200
    with co.client(headers={}) as api:
        assert api.get("/v1/users/me", params={"api_token": TOKEN}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-api-token": "wrong"}, {"Authorization": f"Bearer {TOKEN}"}],
    ids=["missing", "unknown", "api-token-as-bearer"],
)
def test_a_refused_token_is_a_401_in_pipedrives_words(co: Company, headers: dict[str, str]) -> None:
    with co.client(headers=headers) as api:
        response = api.get("/api/v1/users/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized access"
    assert response.json()["errorCode"] == 401


def test_an_expired_oauth_token_is_refused_until_refreshed(co: Company) -> None:
    grant = co.control("tokens/grant")
    bearer = {"Authorization": f"Bearer {grant['access_token']}"}
    with co.client(headers=bearer) as api:
        assert api.get("/api/v2/persons").status_code == 200
        co.control("tokens/expire")
        assert api.get("/api/v2/persons").status_code == 401
    with co.client(headers={"Authorization": _basic()}) as oauth:
        fresh = oauth.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]},
        )
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["api_domain"] == co.url
    with co.client(headers={"Authorization": f"Bearer {fresh.json()['access_token']}"}) as api:
        assert api.get("/api/v2/persons").status_code == 200


def test_the_token_endpoint_takes_the_client_only_as_http_basic(co: Company) -> None:
    form = {"grant_type": "authorization_code", "code": "c-1", "redirect_uri": "http://x/cb"}
    with co.client(headers={}) as oauth:
        posted = oauth.post(
            "/oauth/token", data={**form, "client_id": "sim-client", "client_secret": "sim-secret"}
        )
    assert posted.status_code == 401
    assert posted.json()["error"] == "invalid_client"
    with co.client(headers={"Authorization": _basic()}) as oauth:
        granted = oauth.post("/oauth/token", data=form)
        wrong = oauth.post(
            "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "x"}
        )
        missing = oauth.post("/oauth/token", data={"grant_type": "authorization_code"})
    assert granted.status_code == 200
    assert set(granted.json()) >= {"access_token", "refresh_token", "expires_in", "api_domain"}
    assert wrong.json()["error"] == "invalid_grant"
    assert missing.json()["error"] == "invalid_request"


# Records


def test_a_person_is_created_and_patched_one_request_at_a_time(co: Company) -> None:
    with co.client() as api:
        created = api.post(
            "/api/v2/persons",
            json={
                "name": "Ann Lee",
                "emails": [{"value": "ann@acme.com"}],
                "custom_fields": {LEAD_SOURCE: 11, INTERESTS: [21, 23], SCORE: 7.5},
            },
        )
        person = created.json()["data"]
        assert person["first_name"] == "Ann"
        assert person["emails"] == [{"value": "ann@acme.com", "primary": True, "label": "work"}]
        assert person["custom_fields"][INTERESTS] == [21, 23]
        patched = api.patch(f"/api/v2/persons/{person['id']}", json={"job_title": "CTO"})
        read = api.get(f"/api/v2/persons/{person['id']}")
    assert patched.json()["data"]["job_title"] == "CTO"
    assert read.json()["data"]["custom_fields"][LEAD_SOURCE] == 11
    assert co.control("reset") and co.sim.stats()["records"] == {"contacts": 0, "companies": 0}


def test_organizations_need_a_name_and_take_their_own_fields(co: Company) -> None:
    with co.client() as api:
        nameless = api.post("/api/v2/organizations", json={"website": "acme.com"})
        made = api.post(
            "/api/v2/organizations",
            json={"name": "Acme", "website": "https://acme.com", "address": {"value": "Tallinn"}},
        )
    assert nameless.status_code == 400
    assert nameless.json()["error"] == "Validation failed: name: is required"
    assert made.json()["data"]["address"] == {"value": "Tallinn"}
    assert co.sim.stats()["records"]["companies"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "X", "no_such_field": 1}, "no_such_field: parameter is not allowed for persons"),
        ({"name": "X", "emails": "x@y.com"}, "emails: must be an array"),
        ({"name": "X", "custom_fields": {LEAD_SOURCE: 999}}, "option 999 does not exist"),
        ({"name": "X", "custom_fields": {INTERESTS: []}}, "use null to clear"),
        ({"name": "X", "custom_fields": {SCORE: "high"}}, "must be a number"),
        ({"name": "X", "custom_fields": {"0" * 40: 1}}, f"unknown custom field {'0' * 40}"),
        ({"name": "X", "label_ids": [999]}, "option 999 does not exist"),
        ({"name": "X", "org_id": 404}, "Organization with id 404 does not exist"),
        ({"name": "X", "birthday": "1990-13"}, "YYYY-MM-DD"),
        ({"name": ""}, "name: must be a non-empty string"),
    ],
)
def test_validation_refuses_with_pipedrives_error_body(
    co: Company, body: dict[str, Any], message: str
) -> None:
    with co.client() as api:
        response = api.post("/api/v2/persons", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert co.sim.stats()["records"]["contacts"] == 0


def test_a_missing_record_is_a_404(co: Company) -> None:
    with co.client() as api:
        patched = api.patch("/api/v2/persons/77", json={"name": "Nobody"})
        deleted = api.delete("/api/v2/organizations/77")
    assert patched.status_code == deleted.status_code == 404
    assert patched.json()["error"] == "Person not found"


def test_refusals_chosen_through_the_control_api_name_a_field_or_custom_label(
    co: Company,
) -> None:
    co.control("refusals", {"field": "emails", "value": "no@acme.com", "message": "Blocked"})
    co.control("refusals", {"field": "Cardfile id", "value": "c-9", "message": "Blocked too"})
    with co.client() as api:
        by_email = api.post(
            "/api/v2/persons", json={"name": "N", "emails": [{"value": "no@acme.com"}]}
        )
        by_custom = api.post(
            "/api/v2/persons", json={"name": "N", "custom_fields": {CARDFILE_ID: "c-9"}}
        )
    assert by_email.json()["error"] == "Blocked"
    assert by_custom.json()["error"] == "Blocked too"


def test_deleting_a_person_answers_its_id(co: Company) -> None:
    person = co.person()
    with co.client() as api:
        assert api.delete(f"/api/v2/persons/{person}").json()["data"] == {"id": person}
        assert api.get(f"/api/v2/persons/{person}").status_code == 404


def test_a_deleted_record_is_gone_counted_and_a_second_delete_is_a_404(co: Company) -> None:
    ann = co.person()
    bob = co.person("Bob", "bob@acme.com")
    with co.client() as api:
        first = api.delete(f"/api/v2/persons/{ann}")
        second = api.delete(f"/api/v2/persons/{ann}")
        listed = api.get("/api/v2/persons")
    assert first.status_code == 200
    assert second.status_code == 404
    assert second.json()["error"] == "Person not found"
    assert [p["id"] for p in listed.json()["data"]] == [bob]
    assert co.sim.stats()["records"]["contacts"] == 1
    assert co.sim.stats()["deleted"] == {"contacts": 1, "companies": 0}


def test_a_refusal_chosen_through_the_control_api_refuses_a_delete(co: Company) -> None:
    person = co.person("Kept", "kept@acme.com")
    co.control("refusals", {"field": "emails", "value": "kept@acme.com", "message": "Protected"})
    with co.client() as api:
        refused = api.delete(f"/api/v2/persons/{person}")
        still = api.get(f"/api/v2/persons/{person}")
    assert refused.status_code == 400
    assert refused.json()["error"] == "Protected"
    assert still.status_code == 200
    assert co.sim.stats()["deleted"]["contacts"] == 0


def test_a_lost_delete_answer_comes_after_the_record_is_deleted(co: Company) -> None:
    person = co.person()
    co.control("lost_answers", {"times": 1})
    with co.client() as api:
        lost = api.delete(f"/api/v2/persons/{person}")
        again = api.delete(f"/api/v2/persons/{person}")
    assert lost.status_code == 502
    assert again.status_code == 404
    assert co.sim.stats()["records"]["contacts"] == 0


def test_the_list_takes_up_to_100_ids(co: Company) -> None:
    ann = co.person()
    co.person("Bob", "bob@acme.com")
    carol = co.person("Carol", "carol@acme.com")
    with co.client() as api:
        some = api.get("/api/v2/persons", params={"ids": f"{carol},{ann},999"})
        bad = api.get("/api/v2/persons", params={"ids": f"{ann},x"})
        many = api.get("/api/v2/persons", params={"ids": ",".join(map(str, range(1, 102)))})
    assert [p["id"] for p in some.json()["data"]] == [ann, carol]
    assert bad.status_code == many.status_code == 400
    assert "ids" in bad.json()["error"]
    assert "at most 100" in many.json()["error"]


# Search


def test_exact_search_matches_whole_values_without_case(co: Company) -> None:
    ann = co.person("Ann Lee", "ann@acme.com")
    co.person("Annabel", "annabel@acme.com")
    with co.client() as api:
        exact = api.get(
            "/api/v2/persons/search",
            params={"term": "ANN@acme.com", "fields": "email", "exact_match": "true"},
        )
        partial = api.get("/api/v2/persons/search", params={"term": "ann", "fields": "email"})
    assert [i["item"]["id"] for i in exact.json()["data"]["items"]] == [ann]
    assert exact.json()["data"]["items"][0]["item"]["emails"] == ["ann@acme.com"]
    assert len(partial.json()["data"]["items"]) == 2


def test_search_looks_into_searchable_custom_fields_and_pages_with_a_cursor(co: Company) -> None:
    for n in range(3):
        co.person(f"P{n}", f"p{n}@acme.com", custom_fields={CARDFILE_ID: "shared"})
    with co.client() as api:
        first = api.get(
            "/api/v2/persons/search",
            params={"term": "shared", "fields": "custom_fields", "exact_match": "true", "limit": 2},
        )
        cursor = first.json()["additional_data"]["next_cursor"]
        second = api.get(
            "/api/v2/persons/search",
            params={
                "term": "shared",
                "fields": "custom_fields",
                "exact_match": "true",
                "cursor": cursor,
            },
        )
    assert len(first.json()["data"]["items"]) == 2
    assert len(second.json()["data"]["items"]) == 1
    assert second.json()["additional_data"]["next_cursor"] is None
    assert first.json()["data"]["items"][0]["item"]["custom_fields"] == ["shared"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"term": "a"}, "at least 2 characters"),
        ({"term": "a@b", "fields": "website"}, "website is not one of"),
        ({"fields": "email"}, "term: parameter is required"),
        ({"term": "ab", "limit": "501"}, "limit: must be an integer from 1 to 500"),
        ({"term": "ab", "cursor": "%%%"}, "cursor: invalid cursor"),
    ],
)
def test_search_refuses_what_pipedrive_refuses(
    co: Company, params: dict[str, str], message: str
) -> None:
    with co.client() as api:
        response = api.get("/api/v2/persons/search", params=params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_organizations_are_searched_by_name_and_address(co: Company) -> None:
    with co.client() as api:
        api.post("/api/v2/organizations", json={"name": "Acme", "address": {"value": "1 Main St"}})
        by_name = api.get(
            "/api/v2/organizations/search",
            params={"term": "acme", "fields": "name", "exact_match": "true"},
        )
        by_address = api.get(
            "/api/v2/organizations/search", params={"term": "Main", "fields": "address"}
        )
    assert by_name.json()["data"]["items"][0]["item"]["type"] == "organization"
    assert by_address.json()["data"]["items"][0]["item"]["address"] == "1 Main St"


# Fields and labels


def test_fields_list_standard_and_custom_fields_with_options(co: Company) -> None:
    with co.client() as api:
        plain = api.get("/api/v2/personFields").json()["data"]
        with_required = api.get(
            "/api/v2/personFields", params={"include_fields": "required_fields"}
        ).json()["data"]
        deals = api.get("/api/v2/dealFields").json()["data"]
        refused = api.get("/api/v2/personFields", params={"include_fields": "secrets"})
    codes = {f["field_code"]: f for f in with_required}
    assert "required_fields" not in plain[0]
    assert codes["name"]["required_fields"] == {"enabled": True}
    assert codes["email"]["field_type"] == "varchar"
    assert codes[LEAD_SOURCE]["is_custom_field"] is True
    assert [o["label"] for o in codes[LEAD_SOURCE]["options"]] == [
        "Inbound",
        "Outbound",
        "Referral",
    ]
    assert any(f["field_code"] == "title" for f in deals)
    assert refused.status_code == 400


def test_a_label_is_added_as_an_option_of_label_ids(co: Company) -> None:
    with co.client() as api:
        added = api.post("/api/v2/organizationFields/label_ids/options", json=[{"label": "VIP"}])
        label = added.json()["data"][0]["id"]
        org = api.post("/api/v2/organizations", json={"name": "Acme", "label_ids": [label]})
        cleared = api.patch(
            f"/api/v2/organizations/{org.json()['data']['id']}", json={"label_ids": []}
        )
        wrong_type = api.post("/api/v2/personFields/name/options", json=[{"label": "X"}])
        missing = api.post("/api/v2/personFields/nothing/options", json=[{"label": "X"}])
    assert org.json()["data"]["label_ids"] == [label]
    assert cleared.json()["data"]["label_ids"] == []
    assert wrong_type.status_code == 400
    assert missing.status_code == 404


def test_a_custom_field_is_created_with_a_hash_key(co: Company) -> None:
    with co.client() as api:
        made = api.post(
            "/api/v2/personFields",
            json={"field_name": "Plan", "field_type": "enum", "options": [{"label": "Free"}]},
        )
        code = made.json()["data"]["field_code"]
        person = api.post("/api/v2/persons", json={"name": "A", "custom_fields": {code: 100}})
        no_options = api.post("/api/v2/personFields", json={"field_name": "X", "field_type": "set"})
        bad_type = api.post("/api/v2/personFields", json={"field_name": "X", "field_type": "json"})
    assert re.fullmatch(r"[0-9a-f]{40}", code)
    assert made.json()["data"]["options"] == [{"id": 100, "label": "Free"}]
    assert person.json()["data"]["custom_fields"][code] == 100
    assert "options: required for set fields" in no_options.json()["error"]
    assert bad_type.status_code == 400


# Limits


def test_every_answer_carries_the_burst_counters(co: Company) -> None:
    with co.client() as api:
        first = api.get("/api/v2/persons")
        second = api.get("/api/v2/persons")
    assert first.headers["x-ratelimit-limit"] == "20"
    assert (
        int(second.headers["x-ratelimit-remaining"])
        == int(first.headers["x-ratelimit-remaining"]) - 1
    )
    assert first.headers["x-ratelimit-reset"] == "2"


def test_over_the_burst_window_is_a_429_with_the_wait() -> None:
    with running(api_token_burst=2) as company, company.client() as api:
        answers = [api.get("/api/v2/persons") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    assert refused.json()["error"] == "Request over limit"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(refused.headers["x-ratelimit-reset"]) <= 2
    assert company.sim.stats()["rate_limited"] == 1


def test_search_has_a_window_of_its_own() -> None:
    with running(search_burst=1) as company, company.client() as api:
        params = {"term": "ab"}
        answers = [api.get("/api/v2/persons/search", params=params) for _ in range(2)]
        other = api.get("/api/v2/persons")
    assert [a.status_code for a in answers] == [200, 429]
    assert "x-ratelimit-limit" not in answers[1].headers
    assert other.status_code == 200


def test_the_daily_token_budget_runs_out_until_midnight() -> None:
    with running(daily_tokens=25) as company, company.client() as api:
        search = api.get("/api/v2/persons/search", params={"term": "ab"})  # 20 tokens
        write = api.post("/api/v2/persons", json={"name": "A"})  # 5 tokens
        over = api.get("/api/v2/persons/1")  # 1 token
    assert search.status_code == write.status_code == 200
    assert over.status_code == 429
    assert over.json()["error"] == "Daily API token budget exceeded"
    assert int(over.headers["x-ratelimit-reset"]) > 2
    assert company.sim.stats()["tokens_spent"] == 25


def test_token_costs_are_the_descriptions_x_token_cost() -> None:
    costs = pipedrive_openapi.token_costs()
    served = [
        ("GET", "/api/v2/persons/search"),
        ("GET", "/api/v2/organizations/search"),
        ("GET", "/api/v2/personFields"),
        ("GET", "/api/v2/dealFields"),
        ("POST", "/api/v2/organizationFields"),
        ("POST", "/api/v2/personFields/{field_code}/options"),
        ("GET", "/api/v2/persons"),
        ("POST", "/api/v2/organizations"),
        ("GET", "/api/v2/persons/{id}"),
        ("PATCH", "/api/v2/organizations/{id}"),
        ("DELETE", "/api/v2/persons/{id}"),
        ("GET", "/v1/users/me"),
    ]
    for method, path in served:
        concrete = re.sub(r"\{id\}", "12", path).replace("{field_code}", "label_ids")
        assert token_cost(method, concrete) == costs[(method, path)], (method, path)


# The description check itself, and the control routes


def test_the_description_check_refuses_what_pipedrive_would_not_send() -> None:
    request = httpx.Request("GET", "http://sim/api/v2/persons")
    with pytest.raises(AssertionError, match="does not match"):
        pipedrive_openapi.check(httpx.Response(200, json={"data": "nope"}, request=request))
    nowhere = httpx.Request("GET", "http://sim/api/v2/nowhere")
    with pytest.raises(AssertionError, match="not in Pipedrive's v2 description"):
        pipedrive_openapi.check(httpx.Response(200, json={}, request=nowhere))
    with pytest.raises(Exception, match="'error_info' is a required property"):
        pipedrive_openapi.check(
            httpx.Response(400, json={"success": False, "error": "x"}, request=request)
        )


def test_injected_faults_answer_with_pipedrives_error_body(co: Company) -> None:
    co.control("faults", {"status": 402, "times": 1, "path": "/api/v2/persons"})
    co.control("faults", {"status": 503, "times": 1, "path": "/api/v2/persons"})
    with co.client() as api:
        capped = api.get("/api/v2/persons")
        failed = api.get("/api/v2/persons")
        fine = api.get("/api/v2/persons")
    assert capped.status_code == 402
    assert capped.json()["code"] == "feature_capping_api_access"
    assert failed.status_code == 503
    assert fine.status_code == 200


def test_a_lost_answer_comes_after_the_write_is_stored(co: Company) -> None:
    co.control("lost_answers", {"times": 1})
    with co.client() as api:
        lost = api.post("/api/v2/persons", json={"name": "A"})
        kept = api.post("/api/v2/persons", json={"name": "B"})
    assert lost.status_code == 502
    assert kept.status_code == 200
    assert co.sim.stats()["records"]["contacts"] == 2


def test_an_unknown_route_is_pipedrives_unknown_method(co: Company) -> None:
    response = httpx.get(f"{co.url}/api/v2/nothing", headers={"x-api-token": TOKEN}, verify=False)
    assert response.status_code == 404
    assert response.json()["error"] == "Unknown method ."


def test_the_command_line_serves_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(app=app, **kw))
    entry.main(["--port", "9999", "--token", "t-1", "--api-token-burst", "40"])
    sim = seen["app"].state.sim
    assert seen["port"] == 9999
    assert sim.static_tokens == {"t-1"}
    assert sim.limits.api_token_burst == 40


# Links: a person's organization


def test_a_person_is_linked_to_an_organization_by_patching_org_id(co: Company) -> None:
    person = co.person()
    with co.client() as api:
        acme = api.post("/api/v2/organizations", json={"name": "Acme"}).json()["data"]["id"]
        globex = api.post("/api/v2/organizations", json={"name": "Globex"}).json()["data"]["id"]
        gone = api.post("/api/v2/organizations", json={"name": "Gone"}).json()["data"]["id"]
        api.delete(f"/api/v2/organizations/{gone}")
        linked = api.patch(f"/api/v2/persons/{person}", json={"org_id": acme})
        assert linked.json()["data"]["org_id"] == acme
        found = api.get("/api/v2/persons/search", params={"term": "ann@acme.com"})
        assert found.json()["data"]["items"][0]["item"]["organization"]["id"] == acme
        moved = api.patch(f"/api/v2/persons/{person}", json={"org_id": globex})
        refused = api.patch(f"/api/v2/persons/{person}", json={"org_id": gone})
        read = api.get(f"/api/v2/persons/{person}")
        assert read.json()["data"]["org_id"] == globex
        no_person = api.patch("/api/v2/persons/404", json={"org_id": acme})
        cleared = api.patch(f"/api/v2/persons/{person}", json={"org_id": None})
    assert moved.status_code == 200
    assert (refused.status_code, refused.json()["error"]) == (
        400,
        f"Organization with id {gone} does not exist",
    )
    assert (no_person.status_code, no_person.json()["error"]) == (404, "Person not found")
    assert "org_id" not in cleared.json()["data"]
