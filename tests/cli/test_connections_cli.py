"""``cardfile connections``, against the HubSpot and Attio simulators over loopback."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from simulators.attio import create_app as create_attio
from simulators.kit import serve

from cardfile.settings import get_settings
from tests.cli.test_cli import Cli, _configure, _flat

TOKEN = "hubspot-test-token"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    monkeypatch.setenv("CARDFILE_SECRET_KEY", "connections-cli-test-secret")
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    yield from _configure(tmp_path, monkeypatch, url)


def _add(cli: Cli, hubspot: str, token: str = TOKEN, *extra: str) -> object:
    return cli(
        "connections", "add", "hubspot", "--workspace", "acme", "--token", token,
        "--base-url", hubspot, *extra, "--json", ok=False,
    )  # fmt: skip


def test_a_good_token_is_stored_checked_and_never_shown(cli: Cli, hubspot: str) -> None:
    cli.workspace()
    added = _add(cli, hubspot)
    assert added.exit_code == 0, added.output
    health = json.loads(added.stdout)
    assert health["healthy"] is True
    assert "HubSpot portal" in health["message"]
    listed = cli.json("connections", "list", "--workspace", "acme")
    assert [(c["name"], c["provider"], c["status"]) for c in listed] == [
        ("hubspot", "hubspot", "healthy")
    ]
    outputs = [added.output, json.dumps(listed)]
    outputs.append(cli("connections", "list", "--workspace", "acme").output)
    outputs.append(cli("connections", "status", "hubspot", "--workspace", "acme").output)
    assert all(TOKEN not in output for output in outputs)


def test_a_bad_token_is_refused_in_the_vendors_words_and_marked_broken(
    cli: Cli, hubspot: str
) -> None:
    cli.workspace()
    refused = _add(cli, hubspot, "wrong-token-123")
    assert refused.exit_code != 0
    assert "Authentication credentials not found" in refused.output
    (listed,) = cli.json("connections", "list", "--workspace", "acme")
    assert listed["status"] == "broken"
    assert "wrong-token-123" not in refused.output
    status = cli.fails("connections", "status", "hubspot", "--workspace", "acme")
    assert "Authentication credentials not found" in " ".join(status.output.split())


def test_fields_list_the_vendors_properties_with_types_and_options(cli: Cli, hubspot: str) -> None:
    cli.workspace()
    _add(cli, hubspot)
    found = {
        f["name"]: f
        for f in cli.json("connections", "fields", "hubspot", "--workspace", "acme", "--entity",
                          "companies")
    }  # fmt: skip
    assert found["domain"]["type"] == "domain"
    assert found["hs_object_id"]["unique"] is True
    assert any(f["options"] for f in found.values())
    shown = cli(
        "connections", "fields", "hubspot", "--workspace", "acme", "--entity", "contacts"
    ).stdout
    assert "email" in shown


def test_remove_and_the_errors_a_user_meets(cli: Cli, hubspot: str) -> None:
    cli.workspace()
    unknown = cli.fails("connections", "add", "nocrm", "--workspace", "acme", "--token", "x")
    assert "known: attio, hubspot" in unknown.output
    _add(cli, hubspot)
    again = _add(cli, hubspot)
    assert again.exit_code != 0
    assert "already has a connection named 'hubspot'" in again.output
    cli("connections", "remove", "hubspot", "--workspace", "acme")
    assert cli.json("connections", "list", "--workspace", "acme") == []
    gone = cli.fails("connections", "status", "hubspot", "--workspace", "acme")
    assert "no connection named 'hubspot'" in gone.output


@pytest.fixture(scope="module")
def attio() -> Iterator[str]:
    with serve(create_attio()) as base_url:
        yield base_url


def test_attio_is_connected_and_lists_its_attributes(cli: Cli, attio: str) -> None:
    cli.workspace()
    added = cli(
        "connections", "add", "attio", "--workspace", "acme", "--token", "attio-test-token",
        "--base-url", attio, "--name", "crm", "--json",
    )  # fmt: skip
    assert json.loads(added.stdout)["healthy"] is True
    found = {
        f["name"]: f
        for f in cli.json("connections", "fields", "crm", "--workspace", "acme", "--entity", "people")
    }  # fmt: skip
    assert found["email_addresses"]["unique"] is True
    (listed,) = cli.json("connections", "list", "--workspace", "acme")
    assert (listed["name"], listed["provider"], listed["status"]) == ("crm", "attio", "healthy")
    assert "attio-test-token" not in added.output


def test_a_bad_attio_key_is_stored_broken_with_attios_answer(cli: Cli, attio: str) -> None:
    cli.workspace()
    refused = cli.fails(
        "connections", "add", "attio", "--workspace", "acme", "--token", "revoked-attio-key",
        "--base-url", attio,
    )  # fmt: skip
    assert "not active" in _flat(refused.output)
    assert "revoked-attio-key" not in refused.output
    (listed,) = cli.json("connections", "list", "--workspace", "acme")
    assert listed["status"] == "broken"


def test_no_log_line_carries_the_token(
    cli: Cli, hubspot: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cli.workspace()
    _add(cli, hubspot)
    _add(cli, hubspot, "wrong-token-123", "--name", "second")
    cli("connections", "status", "hubspot", "--workspace", "acme")
    cli("connections", "fields", "hubspot", "--workspace", "acme", "--entity", "companies")
    assert caplog.records  # the vendor calls were logged at all
    assert TOKEN not in caplog.text
    assert "wrong-token-123" not in caplog.text


def test_another_secret_key_is_a_clear_error_without_the_ciphertext(
    cli: Cli, hubspot: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.workspace()
    _add(cli, hubspot)
    monkeypatch.setenv("CARDFILE_SECRET_KEY", "a-different-secret")
    get_settings.cache_clear()
    for command in (["status"], ["fields", "--entity", "companies"]):
        refused = cli.fails(
            "connections", command[0], "hubspot", "--workspace", "acme", *command[1:]
        )
        assert "cannot be decrypted" in _flat(refused.output)
        assert "gAAAAA" not in refused.output  # a Fernet token's opening
        assert TOKEN not in refused.output
    (listed,) = cli.json("connections", "list", "--workspace", "acme")
    assert listed["status"] == "healthy"  # a wrong key is not the vendor's refusal


def test_unusable_input_is_refused_before_anything_is_stored(cli: Cli, hubspot: str) -> None:
    cli.workspace()
    cases = {
        ("--setting", "requests_per_10s=0"): "requests_per_10s must be positive",
        ("--setting", "no-equals-sign"): "KEY=VALUE",
        ("--base-url", "ftp://127.0.0.1/"): "--base-url must be an http",
        ("--name", "Not A Name"): "not a usable connection name",
    }
    for extra, message in cases.items():
        refused = cli.fails(
            "connections", "add", "hubspot", "--workspace", "acme", "--token", TOKEN, *extra
        )
        assert message in _flat(refused.output), extra
    empty = cli.fails("connections", "add", "hubspot", "--workspace", "acme", "--token", " ")
    assert "--token must not be empty" in _flat(empty.output)
    nowhere = cli.fails("connections", "add", "hubspot", "--workspace", "nope", "--token", TOKEN)
    assert "no workspace with slug 'nope'" in _flat(nowhere.output)
    assert cli.json("connections", "list", "--workspace", "acme") == []


def test_text_output_is_a_table_of_what_was_asked(cli: Cli, hubspot: str) -> None:
    cli.workspace()
    added = cli(
        "connections", "add", "hubspot", "--workspace", "acme", "--token", TOKEN,
        "--base-url", hubspot,
    )  # fmt: skip
    assert "hubspot: healthy — HubSpot portal" in _flat(added.stdout)
    (row,) = cli("connections", "list", "--workspace", "acme").stdout.splitlines()
    name, provider, base_url, status, checked_at = row.split("\t")
    assert (name, provider, base_url, status) == ("hubspot", "hubspot", hubspot, "healthy")
    assert checked_at[:4].isdigit()
    shown = cli(
        "connections", "fields", "hubspot", "--workspace", "acme", "--entity", "companies"
    ).stdout.splitlines()
    assert shown[0].split("\t") == [
        "name", "label", "type", "vendor type", "required", "unique", "options"
    ]  # fmt: skip
    rows = {line.split("\t")[0]: line.split("\t") for line in shown[1:]}
    assert rows["domain"][2] == "domain"
    assert rows["hs_object_id"][5] == "yes"


def test_oauth_prints_the_consent_link_or_the_settings_it_needs(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.workspace()
    monkeypatch.delenv("CARDFILE_HUBSPOT_CLIENT_ID", raising=False)
    missing = cli.fails("connections", "oauth", "hubspot", "--workspace", "acme")
    assert "CARDFILE_HUBSPOT_CLIENT_ID" in " ".join(missing.output.split())
    monkeypatch.setenv("CARDFILE_HUBSPOT_CLIENT_ID", "my-app")
    monkeypatch.setenv("CARDFILE_HUBSPOT_CLIENT_SECRET", "my-secret-123")
    link = cli.json("connections", "oauth", "hubspot", "--workspace", "acme")
    assert link["connect_url"].startswith("https://app.hubspot.com/oauth/authorize?")
    assert "client_id=my-app" in link["connect_url"]
    assert "my-secret-123" not in link["connect_url"]
    assert link["redirect_uri"] == "http://127.0.0.1:8000/api/v1/connections/oauth/callback"
