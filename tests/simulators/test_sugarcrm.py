"""The Sugar simulator answers as Sugar's REST API does, over real HTTP on loopback.

Sugar publishes no machine-readable API description (each instance documents itself at
``/rest/{version}/help``), so the shapes checked here are those of ``NOTES.md`` §5.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from simulators.kit import serve
from simulators.sugarcrm import SugarSim, create_app
from simulators.sugarcrm import __main__ as entry

REST = "/rest/v11_20"
LOGIN = {
    "grant_type": "password",
    "client_id": "sugar",
    "client_secret": "",
    "username": "admin",
    "password": "sugar-sim-password",
    "platform": "tests",
}


@dataclass
class Instance:
    url: str
    sim: SugarSim
    api: httpx.Client

    def token(self, **changes: str) -> httpx.Response:
        return self.api.post("/oauth2/token", json={**LOGIN, **changes})

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.api.post(f"{self.url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def create(self, module: str, values: dict[str, Any]) -> dict[str, Any]:
        response = self.api.post(f"/{module}", json=values)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def bulk(self, *requests: tuple[str, str, Any]) -> list[dict[str, Any]]:
        envelope = [
            {"url": url, "method": method, **({"data": json.dumps(data)} if data else {})}
            for method, url, data in requests
        ]
        response = self.api.post("/bulk", json={"requests": envelope})
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()
        return result


def _error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["error_message"]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, SugarSim, httpx.Client]]:
    app = create_app(bulk_limit=5, users={"admin": "sugar-sim-password", "jim": "jims-pw"})
    with serve(app) as url, httpx.Client(base_url=f"{url}{REST}") as api:
        yield url, app.state.sim, api


@pytest.fixture
def crm(served: tuple[str, SugarSim, httpx.Client]) -> Instance:
    """The module's simulator, reset, and a client logged in to it (one client for the
    module: building one per test costs more than the test)."""
    url, sim, api = served
    sim.reset()
    token = api.post("/oauth2/token", json=LOGIN).json()["access_token"]
    api.headers["OAuth-Token"] = token
    return Instance(url, sim, api)


# OAuth2


def test_the_password_grant_answers_sugars_token_shape(crm: Instance) -> None:
    grant = crm.token().json()
    assert grant["expires_in"] > 3500 and grant["token_type"] == "bearer"
    assert grant["refresh_token"] and grant["download_token"]
    assert grant["refresh_expires_in"] == 1_209_600


def test_a_form_body_logs_in_too(crm: Instance) -> None:
    response = crm.api.post("/oauth2/token", data=LOGIN)
    assert response.status_code == 200 and response.json()["access_token"]


@pytest.mark.parametrize(
    ("changes", "answer"),
    [
        (
            {"password": "wrong"},
            (401, "need_login", "You must specify a valid username and password."),
        ),
        (
            {"username": "nobody"},
            (401, "need_login", "You must specify a valid username and password."),
        ),
        ({"client_id": "other"}, (400, "invalid_client", "The client credentials are invalid")),
        ({"grant_type": "magic"}, (400, "unsupported_grant_type", "Unsupported grant type: magic")),
    ],
)
def test_a_refused_login_says_why(
    crm: Instance, changes: dict[str, str], answer: tuple[int, str, str]
) -> None:
    assert _error(crm.token(**changes)) == answer


def test_a_refresh_token_is_spent_once(crm: Instance) -> None:
    grant = crm.token().json()
    body = {**LOGIN, "grant_type": "refresh_token", "refresh_token": grant["refresh_token"]}
    first = crm.api.post("/oauth2/token", json=body)
    second = crm.api.post("/oauth2/token", json=body)
    assert first.status_code == 200 and first.json()["access_token"] != grant["access_token"]
    assert _error(second) == (400, "invalid_grant", "Invalid refresh token")
    assert crm.sim.tokens.check(grant["access_token"]) == "invalid"


def test_a_session_belongs_to_its_user_across_refreshes(crm: Instance) -> None:
    grant = crm.token(username="jim", password="jims-pw").json()
    body = {**LOGIN, "grant_type": "refresh_token", "refresh_token": grant["refresh_token"]}
    renewed = crm.api.post("/oauth2/token", json=body).json()
    me = crm.api.get("/me", headers={"OAuth-Token": renewed["access_token"]}).json()
    assert me["current_user"]["user_name"] == "jim"


def test_requests_need_the_oauth_token_header(crm: Instance) -> None:
    bare = crm.api.get("/me", headers={"OAuth-Token": ""})
    token = crm.api.headers["OAuth-Token"]
    bearer = crm.api.get("/me", headers={"OAuth-Token": "", "Authorization": f"Bearer {token}"})
    unknown = crm.api.get("/me", headers={"OAuth-Token": "nope"})
    assert _error(bare) == (401, "need_login", "No valid authentication for user.")
    assert _error(bearer)[:2] == (401, "need_login")
    assert _error(unknown) == (401, "invalid_grant", "The access token provided is invalid.")


def test_an_expired_token_is_told_apart(crm: Instance) -> None:
    crm.control("tokens/expire")
    assert _error(crm.api.get("/me")) == (
        401,
        "invalid_grant",
        "The access token provided has expired.",
    )


def test_me_and_ping(crm: Instance) -> None:
    assert crm.api.get("/me").json()["current_user"]["user_name"] == "admin"
    assert crm.api.get("/ping").json() == "pong"


def test_versions_and_routes_it_does_not_serve(crm: Instance) -> None:
    too_new = crm.api.get(f"{crm.url}/rest/v11_99/me")
    assert _error(too_new)[:2] == (404, "not_found")
    assert crm.api.get(f"{crm.url}/rest/v10/me").status_code == 200
    assert _error(crm.api.get("/Accounts/a/b/c/d/e")) == (
        404,
        "no_method",
        "Could not find a route with 6 elements",
    )


# Records


def test_create_answers_200_with_the_whole_record(crm: Instance) -> None:
    record = crm.create("Accounts", {"name": "Acme", "website": "acme.com", "tier_c": "gold"})
    assert record["_module"] == "Accounts" and record["id"]
    assert (record["name"], record["tier_c"], record["industry"]) == ("Acme", "gold", "")
    assert record["segments_c"] == [] and record["email"] == []


def test_unknown_and_read_only_fields_are_dropped_and_required_is_not_enforced(
    crm: Instance,
) -> None:
    record = crm.create("Contacts", {"first_name": "Ada", "shoe_size": 44, "id": "mine"})
    assert "shoe_size" not in record and record["id"] != "mine"
    assert record["last_name"] == "" and record["full_name"] == "Ada"


@pytest.mark.parametrize(
    ("module", "values", "field"),
    [
        ("Accounts", {"name": "A", "account_type": "Martian"}, "account_type"),
        ("Accounts", {"name": "A", "segments_c": ["smb", "huge"]}, "segments_c"),
        ("Accounts", {"name": "A", "cardfile_score_c": "lots"}, "cardfile_score_c"),
        ("Contacts", {"last_name": "B", "email": [{"email_address": "nope"}]}, "email"),
        ("Contacts", {"last_name": "B", "email1": "nope"}, "email1"),
        ("Contacts", {"last_name": "B", "birthdate": "31/12/1990"}, "birthdate"),
        ("Contacts", {"last_name": "B", "do_not_call": "maybe"}, "do_not_call"),
        ("Contacts", {"last_name": "B" * 101}, "last_name"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused(
    crm: Instance, module: str, values: dict[str, Any], field: str
) -> None:
    answer = crm.api.post(f"/{module}", json=values)
    assert _error(answer) == (
        422,
        "invalid_parameter",
        f"Invalid field value: {field} in module: {module}",
    )


def test_email1_becomes_the_primary_address(crm: Instance) -> None:
    record = crm.create(
        "Contacts",
        {"last_name": "C", "email": [{"email_address": "old@x.com"}], "email1": "new@x.com"},
    )
    assert [(a["email_address"], a["primary_address"]) for a in record["email"]] == [
        ("new@x.com", True),
        ("old@x.com", False),
    ]
    assert record["email1"] == "new@x.com"


def test_update_changes_what_is_sent_and_unknown_ids_are_404(crm: Instance) -> None:
    record = crm.create("Accounts", {"name": "Acme", "industry": "Retail"})
    updated = crm.api.put(f"/Accounts/{record['id']}", json={"name": "Acme Inc"}).json()
    assert (updated["name"], updated["industry"]) == ("Acme Inc", "Retail")
    assert _error(crm.api.put("/Accounts/ghost", json={"name": "x"}))[:2] == (404, "not_found")
    assert _error(crm.api.get("/Widgets/ghost"))[:2] == (404, "not_found")


def test_refusals_answer_invalid_parameter_with_the_message(crm: Instance) -> None:
    crm.control("refusals", {"field": "website", "value": "no.com", "message": "Blocked domain"})
    answer = crm.api.post("/Accounts", json={"name": "N", "website": "no.com"})
    assert _error(answer) == (422, "invalid_parameter", "Blocked domain")


# Delete


def test_delete_answers_the_id_and_the_record_is_gone_after(crm: Instance) -> None:
    record = crm.create("Accounts", {"name": "Acme"})["id"]
    other = crm.create("Accounts", {"name": "Other"})["id"]
    deleted = crm.api.delete(f"/Accounts/{record}")
    assert (deleted.status_code, deleted.json()) == (200, {"id": record})
    assert _error(crm.api.get(f"/Accounts/{record}"))[:2] == (404, "not_found")
    assert _error(crm.api.delete(f"/Accounts/{record}")) == (
        404,
        "not_found",
        f"Could not find record: {record} in module: Accounts",
    )
    found = crm.api.post("/Accounts/filter", json={"filter": [{"name": {"$in": ["acme"]}}]})
    assert found.json()["records"] == []
    assert [r["id"] for r in crm.sim.records("companies")] == [other]
    assert crm.sim.stats()["records"]["companies"] == 1
    assert _error(crm.api.delete("/Widgets/x"))[:2] == (404, "not_found")


def test_deletes_run_inside_bulk_each_answered_alone(crm: Instance) -> None:
    first = crm.create("Contacts", {"last_name": "A"})["id"]
    second = crm.create("Contacts", {"last_name": "B"})["id"]
    crm.sim.protect(second)
    answers = crm.bulk(
        ("DELETE", f"/v11_20/Contacts/{first}", None),
        ("DELETE", f"/v11_20/Contacts/{second}", None),
        ("DELETE", "/v11_20/Contacts/ghost", None),
    )
    assert [a["status"] for a in answers] == [200, 403, 404]
    assert answers[0]["contents"] == {"id": first}
    assert answers[1]["contents"]["error"] == "not_authorized"
    assert "not authorized" in answers[1]["contents"]["error_message"]
    assert answers[2]["contents"]["error"] == "not_found"
    assert [r["id"] for r in crm.sim.records("contacts")] == [second]


def test_a_deleted_record_leaves_its_target_lists(crm: Instance) -> None:
    target = crm.create("ProspectLists", {"name": "T", "list_type": "default"})["id"]
    gone = crm.create("Accounts", {"name": "Gone"})["id"]
    stays = crm.create("Accounts", {"name": "Stays"})["id"]
    crm.api.post(
        f"/ProspectLists/{target}/link", json={"link_name": "accounts", "ids": [gone, stays]}
    ).raise_for_status()
    crm.api.delete(f"/Accounts/{gone}").raise_for_status()
    related = crm.api.get(f"/ProspectLists/{target}/link/accounts").json()
    assert [r["id"] for r in related["records"]] == [stays]


def test_protect_refuses_deletes_in_the_given_words_until_a_reset(crm: Instance) -> None:
    record = crm.create("Leads", {"last_name": "L"})["id"]
    crm.sim.protect(record, "Not yours to delete")
    assert _error(crm.api.delete(f"/Leads/{record}")) == (
        403,
        "not_authorized",
        "Not yours to delete",
    )
    crm.sim.reset()
    assert crm.sim.undeletable == {}


# Filter


def test_filter_matches_without_case_and_pages_in_order(crm: Instance) -> None:
    for n in range(5):
        crm.create("Accounts", {"name": f"A{n}", "website": f"a{n}.com"})
    body = {
        "filter": [{"website": {"$in": ["A1.COM", "a3.com", "a4.com", "zz.com"]}}],
        "fields": "id,website",
        "max_num": 2,
        "order_by": "date_entered:ASC",
    }
    first = crm.api.post("/Accounts/filter", json=body).json()
    second = crm.api.post("/Accounts/filter", json={**body, "offset": first["next_offset"]}).json()
    assert [r["website"] for r in first["records"]] == ["a1.com", "a3.com"]
    assert first["next_offset"] == 2
    assert [r["website"] for r in second["records"]] == ["a4.com"]
    assert second["next_offset"] == -1
    assert set(first["records"][0]) == {"id", "website", "date_modified", "_acl", "_module"}


def test_filter_on_email_matches_any_address(crm: Instance) -> None:
    crm.create(
        "Contacts",
        {"last_name": "D", "email": [{"email_address": "a@x.com"}, {"email_address": "b@x.com"}]},
    )
    body = {"filter": [{"email": {"$in": ["B@X.COM"]}}], "fields": "id,email"}
    found = crm.api.post("/Contacts/filter", json=body).json()["records"]
    assert len(found) == 1 and len(found[0]["email"]) == 2


def test_filter_operators_and_refusals(crm: Instance) -> None:
    crm.create("Accounts", {"name": "Alpha", "industry": "Banking"})
    crm.create("Accounts", {"name": "Beta"})
    clause = {"$or": [{"name": {"$starts": "al"}}, {"industry": {"$is_null": True}}]}
    found = crm.api.post("/Accounts/filter", json={"filter": [clause]}).json()["records"]
    assert sorted(r["name"] for r in found) == ["Alpha", "Beta"]
    unknown = crm.api.post("/Accounts/filter", json={"filter": [{"shoe": "x"}]})
    assert _error(unknown) == (422, "invalid_parameter", "Unknown field: shoe")
    bad = crm.api.post("/Accounts/filter", json={"filter": [{"name": {"$near": "x"}}]})
    assert _error(bad)[:2] == (422, "invalid_parameter")


# Bulk


def test_bulk_runs_sub_requests_in_order_each_answered_alone(crm: Instance) -> None:
    answers = crm.bulk(
        ("POST", "/v11_20/Accounts", {"name": "One"}),
        ("POST", "/v11_20/Accounts", {"name": "Two", "account_type": "Martian"}),
        ("GET", "/v11_20/Nothing/here/at/all/really", None),
        ("POST", "/v11_99/Accounts", {"name": "Three"}),
    )
    assert [a["status"] for a in answers] == [200, 422, 404, 404]
    assert answers[0]["contents"]["name"] == "One"
    assert answers[1]["contents"]["error"] == "invalid_parameter"
    assert answers[2]["contents"]["error"] == "no_method"
    assert answers[0]["headers"]["Content-Type"] == "application/json"
    assert crm.sim.stats()["records"]["companies"] == 1


def test_bulk_refuses_an_envelope_over_its_cap_or_without_requests(crm: Instance) -> None:
    many = [{"url": "/v11_20/me", "method": "GET"}] * 6
    assert _error(crm.api.post("/bulk", json={"requests": many})) == (
        422,
        "invalid_parameter",
        "Too many requests in one bulk call: 6 (at most 5)",
    )
    assert _error(crm.api.post("/bulk", json={})) == (
        422,
        "missing_parameter",
        "Missing parameter: requests",
    )


def test_sub_request_faults_answer_before_or_after_the_work(crm: Instance) -> None:
    crm.sim.sub_faults.fail(503, path="/Accounts")
    crm.sim.lost_answers.fail(500, path="/Accounts")
    answers = crm.bulk(
        ("POST", "/v11_20/Accounts", {"name": "Not run"}),
        ("POST", "/v11_20/Accounts", {"name": "Run, answer lost"}),
    )
    assert [a["status"] for a in answers] == [503, 500]
    assert answers[1]["contents"] == {
        "error": "fatal_error",
        "error_message": "Internal server error",
    }
    assert [r["name"] for r in crm.sim.records("companies")] == ["Run, answer lost"]


# Metadata, language strings, lists, limits, control


def test_metadata_serves_vardefs_and_lang_serves_their_words(crm: Instance) -> None:
    params = {"type_filter": "modules", "module_filter": "Accounts"}
    fields = crm.api.get("/metadata", params=params).json()["modules"]["Accounts"]["fields"]
    assert fields["account_type"] == {
        "name": "account_type",
        "vname": "LBL_TYPE",
        "type": "enum",
        "options": "account_type_dom",
        "len": 50,
    }
    assert fields["name"]["required"] is True
    strings = crm.api.get("/lang/en_us").json()
    assert strings["mod_strings"]["Accounts"]["LBL_TYPE"] == "Type"
    assert strings["app_list_strings"]["account_type_dom"]["Customer"] == "Customer"
    assert crm.api.get("/lang/xx_yy").status_code == 404


def test_target_lists_link_and_unlink(crm: Instance) -> None:
    target = crm.create("ProspectLists", {"name": "T", "list_type": "default"})["id"]
    account = crm.create("Accounts", {"name": "A"})["id"]
    linked = crm.api.post(
        f"/ProspectLists/{target}/link", json={"link_name": "accounts", "ids": [account, account]}
    ).json()
    assert [r["id"] for r in linked["related_records"]] == [account, account]
    assert linked["record"]["id"] == target
    related = crm.api.get(f"/ProspectLists/{target}/link/accounts").json()
    assert [r["id"] for r in related["records"]] == [account]
    crm.api.delete(f"/ProspectLists/{target}/link/accounts/{account}").raise_for_status()
    again = crm.api.delete(f"/ProspectLists/{target}/link/accounts/{account}")
    assert again.status_code == 200
    assert crm.api.get(f"/ProspectLists/{target}/link/accounts").json()["records"] == []
    ghost = crm.api.post(
        f"/ProspectLists/{target}/link", json={"link_name": "accounts", "ids": ["x"]}
    )
    assert _error(ghost)[:2] == (404, "not_found")
    wrong = crm.api.post(f"/ProspectLists/{target}/link/cases/{account}")
    assert _error(wrong)[:2] == (404, "not_found")


def test_a_rate_limit_answers_429_with_retry_after() -> None:
    app = create_app(rate_limit=(2, 60.0))
    with serve(app) as url, httpx.Client(base_url=f"{url}{REST}") as api:
        token = api.post("/oauth2/token", json=LOGIN).json()["access_token"]
        api.headers["OAuth-Token"] = token
        statuses = [api.get("/ping").status_code for _ in range(3)]
        refused = api.get("/ping")
    assert statuses == [200, 200, 429]
    assert _error(refused)[:2] == (429, "too_many_requests")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert app.state.sim.stats()["rate_limited"] == 2


def test_faults_use_sugars_error_body(crm: Instance) -> None:
    crm.control("faults", {"status": 503, "path": "/bulk"})
    assert _error(crm.api.post("/bulk", json={})) == (
        503,
        "maintenance",
        "The server is in maintenance mode",
    )


def test_stats_count_records_by_cardfiles_entity_names(crm: Instance) -> None:
    crm.create("Contacts", {"last_name": "E"})
    crm.create("Opportunities", {"name": "Deal"})
    records = crm.sim.stats()["records"]
    assert records == {"companies": 0, "contacts": 1, "leads": 0, "deals": 1}


def test_the_command_line_takes_users_as_user_password() -> None:
    assert entry._users(["jim:pa:ss", "ann:x"]) == {"jim": "pa:ss", "ann": "x"}
    assert entry._users(None) == {"admin": "sugar-sim-password"}
    with pytest.raises(SystemExit):
        entry._users(["no-colon"])


# A contact's account


def test_saving_a_contacts_account_id_relates_it_and_replaces_the_account_it_had(
    crm: Instance,
) -> None:
    acme = crm.create("Accounts", {"name": "Acme"})["id"]
    globex = crm.create("Accounts", {"name": "Globex"})["id"]
    contact = crm.create("Contacts", {"last_name": "Ann", "account_id": acme})
    assert (contact["account_id"], contact["account_name"]) == (acme, "Acme")
    [moved] = crm.bulk(("PUT", f"/v11_20/Contacts/{contact['id']}", {"account_id": globex}))
    assert moved["status"] == 200
    assert (moved["contents"]["account_id"], moved["contents"]["account_name"]) == (
        globex,
        "Globex",
    )
    read = crm.api.get(f"/Contacts/{contact['id']}", params={"fields": "account_id"}).json()
    assert read["account_id"] == globex


def test_an_account_id_naming_no_account_leaves_the_contact_without_one(crm: Instance) -> None:
    acme = crm.create("Accounts", {"name": "Acme"})["id"]
    contact = crm.create("Contacts", {"last_name": "Ann", "account_id": acme})["id"]
    answer = crm.api.put(f"/Contacts/{contact}", json={"account_id": "no-such-account"})
    assert answer.status_code == 200  # Sugar logs the failed relate and saves the rest
    assert (answer.json()["account_id"], answer.json()["account_name"]) == ("", "")
    missing = crm.api.put("/Contacts/no-such-contact", json={"account_id": acme})
    assert _error(missing) == (
        404,
        "not_found",
        "Could not find record: no-such-contact in module: Contacts",
    )


def test_deleting_an_account_drops_its_contacts_relationship(crm: Instance) -> None:
    acme = crm.create("Accounts", {"name": "Acme"})["id"]
    contact = crm.create("Contacts", {"last_name": "Ann", "account_id": acme})["id"]
    crm.api.delete(f"/Accounts/{acme}")
    read = crm.api.get(f"/Contacts/{contact}").json()
    assert (read["account_id"], read["account_name"]) == ("", "")
