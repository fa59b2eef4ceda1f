"""``cardfile connections``, against the HubSpot simulator over loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from simulators.hubspot import create_app
from simulators.kit import serve

from tests.cli.test_cli import Cli, _configure

TOKEN = "hubspot-test-token"


@pytest.fixture(scope="module")
def hubspot() -> Iterator[str]:
    with serve(create_app()) as base_url:
        yield base_url


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
