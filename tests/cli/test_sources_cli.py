"""``cardfile sources`` and ``cardfile write-keys`` on a real store, and the keys they print
accepted by the tracking API of an app on the same settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cardfile.api.app import create_app
from cardfile.settings import get_settings
from tests.api.tracking.conftest import basic
from tests.cli.test_cli import Cli, _configure


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    """The CLI on an empty store (SQLite or PostgreSQL); apps built here run no job workers."""
    monkeypatch.setenv("CARDFILE_SECRET_KEY", "sources-cli-test-secret")
    monkeypatch.setenv("CARDFILE_WORKERS", "0")
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    yield from _configure(tmp_path, monkeypatch, url)


def _track(key: str) -> int:
    with TestClient(create_app(get_settings())) as http:
        answer = http.post(
            "/v1/track",
            json={"userId": "u", "event": "From the CLI's key"},
            headers={"Authorization": basic(key)},
        )
    return answer.status_code


def test_a_source_is_created_with_a_key_printed_once(cli: Cli) -> None:
    cli.workspace()
    key = cli("sources", "create", "website", "--workspace", "acme").stdout.strip()
    assert key.startswith("wk_")
    assert _track(key) == 200
    (listed,) = cli.json("sources", "list", "--workspace", "acme")
    assert listed["name"] == "website"
    keys = cli.json("write-keys", "list", "website", "--workspace", "acme")
    assert [(k["prefix"], k["status"]) for k in keys] == [(key[:10], "live")]
    shown = cli("write-keys", "list", "website", "--workspace", "acme").stdout
    assert key not in shown and key[:10] in shown


def test_write_keys_are_issued_and_revoked(cli: Cli) -> None:
    cli.workspace()
    made = cli.json("sources", "create", "app", "--workspace", "acme")
    first = made["write_key"]
    second = cli.json("write-keys", "create", "app", "--workspace", "acme", "--name", "backend")
    assert second["name"] == "backend" and second["secret"] != first["secret"]
    revoked = cli.json("write-keys", "revoke", str(first["id"]), "--workspace", "acme")
    assert revoked["status"] == "revoked" and revoked["revoked_at"]
    assert _track(first["secret"]) == 401
    assert _track(second["secret"]) == 200
    by_id = cli.json("write-keys", "list", str(made["id"]), "--workspace", "acme")
    assert [k["status"] for k in by_id] == ["revoked", "live"]


def test_refusals_are_clean_exits_with_the_reason(cli: Cli) -> None:
    cli.workspace()
    cli("sources", "create", "web", "--workspace", "acme")
    assert "exists already" in cli.fails("sources", "create", "web", "--workspace", "acme").output
    bad = cli.fails("sources", "create", "Not A Slug", "--workspace", "acme")
    assert "lower case" in " ".join(bad.output.split())
    assert "no source" in cli.fails("write-keys", "list", "nope", "--workspace", "acme").output
    assert "no write key" in cli.fails("write-keys", "revoke", "999", "--workspace", "acme").output
    assert (
        "no write key" in cli.fails("write-keys", "revoke", "9" * 20, "--workspace", "acme").output
    )
    assert cli.fails("sources", "list", "--workspace", "nowhere").exit_code == 1


def test_another_workspaces_key_cannot_be_revoked(cli: Cli) -> None:
    cli.workspace("acme")
    cli.workspace("globex")
    ours = cli.json("sources", "create", "web", "--workspace", "acme")["write_key"]
    refused = cli.fails("write-keys", "revoke", str(ours["id"]), "--workspace", "globex")
    assert "no write key" in refused.output
    assert _track(ours["secret"]) == 200


def test_a_source_is_deleted_with_its_keys(cli: Cli) -> None:
    cli.workspace()
    key = cli("sources", "create", "web", "--workspace", "acme").stdout.strip()
    assert cli.json("sources", "delete", "web", "--workspace", "acme") == {"deleted": "web"}
    assert cli.json("sources", "list", "--workspace", "acme") == []
    assert _track(key) == 401
