"""The ``cardfile`` command, run in-process with Typer's runner on a real store.

Each test gets an empty store configured the way a user configures one: ``CARDFILE_DATA_DIR``
(SQLite in that folder) or, in the PostgreSQL run, ``CARDFILE_DATABASE_URL``. What a command
did is checked through the GraphQL API of an app built on the same settings, with the keys
the CLI issued.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cardfile import ids
from cardfile.api.app import create_app
from cardfile.cli.main import app
from cardfile.settings import get_settings
from cardfile.store.db import create_store_engine, migrate
from tests.conftest import clean_store
from tests.ingest.csv.conftest import SEED_CSV

# Row 3 has a bad email and row 4 no company name: both refused, rows 2 and 5 imported.
BAD_ROWS_CSV = (
    "companyName,name,email,customId\n"
    "Acme,John Doe,john@email.com,acme-001\n"
    "Acme,Jane Doe,not-an-email,acme-001\n"
    ",Nobody,nobody@example.com,\n"
    "Airbnb,Main contact,main@airbnb.com,airbnb-001\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
# Valid up to row 3 (a refused bad email), then a Latin-1 byte on row 4.
LATE_LATIN1 = (
    b"companyName,name,email\nAcme,John,john@email.com\nAcme,Jane,not-an-email\n"
    b"Acme,J\xe9r\xf4me,jerome@email.com\n"
)

PRODUCT = "query($slug: DefaultString!) { getProductBySlug(slug: $slug) { id name slug } }"
COMPANIES = """
query($slug: DefaultString!) {
  getProductBySlug(slug: $slug) {
    companies(pagination: {size: 100}) { edges { node {
      name customId hubspotId arr numberOfEmployees
      customers { edges { node { email } } }
      attributes { edges { node {
        ... on CompanyAttributeText { definition { name } value { text: value } }
      } } }
    } } }
  }
}
"""
ADD_TEXT = """
mutation($p: ID!, $n: DefaultString!) {
  addNewCompanyAttribute(input: {productId: $p, name: $n, type: {scalar: {type: TEXT}}}) {
    __typename
  }
}
"""


def _flat(text: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(text.split())


@dataclass
class Cli:
    """The CLI on one store, and that store's GraphQL API."""

    runner: CliRunner
    folder: Path

    def __call__(self, *args: str, ok: bool = True) -> Result:
        """Run ``cardfile ARGS``; with ``ok``, it must succeed."""
        result = self.runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
            assert result.exception is None or isinstance(result.exception, SystemExit)
        return result

    def json(self, *args: str) -> Any:
        """Run ``cardfile ARGS --json`` successfully; its parsed output."""
        return json.loads(self(*args, "--json").stdout)

    def fails(self, *args: str) -> Result:
        """Run a command that must fail cleanly: an exit code, no traceback."""
        result = self(*args, ok=False)
        assert result.exit_code not in (0, None), result.stdout
        assert isinstance(result.exception, SystemExit), result.exception
        return result

    def file(self, name: str, content: str | bytes) -> Path:
        """A file in the test's folder."""
        path = self.folder / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    def graphql(self, key: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """A GraphQL request with ``key`` to an app on the same settings; the whole body."""
        with TestClient(create_app(get_settings())) as http:
            response = http.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {key}"},
            )
        assert response.status_code == 200, response.text
        return response.json()

    def ok(self, key: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """The data of a GraphQL request that must have no errors."""
        body = self.graphql(key, query, variables)
        assert "errors" not in body, body
        return body["data"]

    def workspace(self, slug: str = "acme") -> str:
        """Create a workspace and a key for it; the key."""
        self("workspaces", "create", "--name", "Acme Corp", "--slug", slug)
        key: str = self("api-keys", "create", "--workspace", slug).stdout.strip()
        return key

    def companies(self, key: str, slug: str = "acme") -> dict[str, dict[str, Any]]:
        """The workspace's companies by name, with their people's emails and text values."""
        data = self.ok(key, COMPANIES, {"slug": slug})["getProductBySlug"]["companies"]
        found = {}
        for edge in data["edges"]:
            node = edge["node"]
            node["customers"] = sorted(c["node"]["email"] for c in node["customers"]["edges"])
            node["attributes"] = {
                a["node"]["definition"]["name"]: a["node"]["value"]["text"]
                for a in node["attributes"]["edges"]
            }
            found[node.pop("name")] = node
        return found


def _empty_postgres(url: str) -> None:
    engine = create_store_engine(url)
    try:
        migrate(engine)
        clean_store(engine)
    finally:
        engine.dispose()


def _configure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> Iterator[Cli]:
    monkeypatch.setenv("CARDFILE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")  # Rich wraps at the terminal width
    if database_url is None:
        monkeypatch.delenv("CARDFILE_DATABASE_URL", raising=False)
    else:
        _empty_postgres(database_url)
        monkeypatch.setenv("CARDFILE_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()  # the settings are read once per process
    yield Cli(CliRunner(), tmp_path)
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    """The CLI on an empty store: SQLite in CARDFILE_DATA_DIR, or CARDFILE_DATABASE_URL."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    yield from _configure(tmp_path, monkeypatch, url)


@pytest.fixture
def sqlite_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """The CLI on SQLite only, for what does not depend on the backend."""
    yield from _configure(tmp_path, monkeypatch, None)


# --- sanity ---------------------------------------------------------------------------------


def test_help_lists_the_commands(sqlite_cli: Cli) -> None:
    out = sqlite_cli("--help").stdout
    for command in ("workspaces", "api-keys", "import", "update", "serve", "migrate"):
        assert command in out
    assert "--key" in sqlite_cli("update", "--help").stdout
    assert "create" in sqlite_cli("api-keys", "--help").stdout
    assert "Usage" in sqlite_cli(ok=False).output  # no arguments: the help, not a crash


def test_the_installed_console_script(sqlite_cli: Cli) -> None:
    sqlite_cli("workspaces", "create", "--name", "Acme Corp", "--slug", "acme")
    env = {k: v for k, v in os.environ.items() if k != "CARDFILE_DATABASE_URL"}
    env["CARDFILE_DATA_DIR"] = str(sqlite_cli.folder / "data")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "cardfile"), "workspaces", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert [w["slug"] for w in json.loads(done.stdout)] == ["acme"]


# --- workspaces -----------------------------------------------------------------------------


def test_workspaces_create_prints_the_id(cli: Cli) -> None:
    printed = cli("workspaces", "create", "--name", "Acme Corp", "--slug", "acme").stdout.strip()
    ids.decode(printed, "Product")  # the productId clients pass
    made = cli.json("workspaces", "create", "--name", "Wayne", "--slug", "wayne")
    assert set(made) == {"id", "name", "slug"}
    assert made["name"] == "Wayne"
    assert made["slug"] == "wayne"
    assert [w["id"] for w in cli.json("workspaces", "list")] == [printed, made["id"]]


def test_a_duplicate_slug_fails_clearly(cli: Cli) -> None:
    cli("workspaces", "create", "--name", "Acme Corp", "--slug", "acme")
    result = cli.fails("workspaces", "create", "--name", "Other", "--slug", "acme")
    assert "a workspace with slug 'acme' already exists" in _flat(result.stderr)
    as_json = cli.fails("workspaces", "create", "--name", "Other", "--slug", "acme", "--json")
    assert json.loads(as_json.stdout) == {"error": "a workspace with slug 'acme' already exists"}
    bad = cli.fails("workspaces", "create", "--name", "Bad", "--slug", "Not A Slug")
    assert "'Not A Slug' is not a valid slug" in _flat(bad.stderr)
    assert [w["slug"] for w in cli.json("workspaces", "list")] == ["acme"]


def test_workspaces_list(cli: Cli) -> None:
    assert cli("workspaces", "list").stdout == ""
    assert cli.json("workspaces", "list") == []
    first = cli.json("workspaces", "create", "--name", "Acme Corp", "--slug", "acme")
    second = cli.json("workspaces", "create", "--name", "Wayne Enterprises", "--slug", "wayne")
    lines = cli("workspaces", "list").stdout.splitlines()
    assert lines == [
        f"acme\tAcme Corp\t{first['id']}",
        f"wayne\tWayne Enterprises\t{second['id']}",
    ]
    listed = cli.json("workspaces", "list")
    assert [{k: w[k] for k in ("id", "name", "slug")} for w in listed] == [first, second]
    assert all(w["created_at"] for w in listed)


# --- api keys -------------------------------------------------------------------------------


def test_api_keys_create_prints_a_working_key_once(cli: Cli) -> None:
    product = cli.json("workspaces", "create", "--name", "Acme Corp", "--slug", "acme")
    out = cli("api-keys", "create", "--workspace", "acme").stdout
    key = out.strip()
    assert out.count("\n") == 1
    assert key.startswith("cf_")
    data = cli.ok(key, PRODUCT, {"slug": "acme"})
    assert data["getProductBySlug"] == {"id": product["id"], "name": "Acme Corp", "slug": "acme"}

    issued = cli.json("api-keys", "create", "--workspace", "acme", "--name", "sync job")
    assert set(issued) == {"id", "key", "workspace", "name"}
    assert (issued["workspace"], issued["name"]) == ("acme", "sync job")
    assert cli.ok(issued["key"], PRODUCT, {"slug": "acme"})["getProductBySlug"]["slug"] == "acme"

    listing = cli("api-keys", "list", "--workspace", "acme").stdout
    assert key not in listing  # shown once: the list has prefixes only
    keys = cli.json("api-keys", "list", "--workspace", "acme")
    assert [k["prefix"] for k in keys] == [key[:10], issued["key"][:10]]
    assert [k["name"] for k in keys] == ["", "sync job"]
    assert [k["revoked_at"] for k in keys] == [None, None]
    assert listing.splitlines() == [
        f"{keys[0]['id']}\t{key[:10]}…\tactive\t",
        f"{keys[1]['id']}\t{issued['key'][:10]}…\tactive\tsync job",
    ]

    narrow = cli.runner.invoke(
        app, ["api-keys", "create", "--workspace", "acme"], env={"COLUMNS": "20"}
    )
    assert len(narrow.stdout.strip()) == len(key)  # one line, however narrow the terminal

    missing = cli.fails("api-keys", "create", "--workspace", "nope")
    assert "no workspace with slug 'nope'" in _flat(missing.stderr)


def test_api_keys_revoke(cli: Cli) -> None:
    key = cli.workspace()
    other = cli.json("api-keys", "create", "--workspace", "acme")
    first_id = cli.json("api-keys", "list", "--workspace", "acme")[0]["id"]

    assert f"revoked key {first_id}" in cli("api-keys", "revoke", str(first_id)).stdout
    refused = cli.graphql(key, PRODUCT, {"slug": "acme"})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
    assert refused["errors"][0]["message"] == "The API key is invalid or revoked"
    assert cli.ok(other["key"], PRODUCT, {"slug": "acme"})["getProductBySlug"]["slug"] == "acme"

    keys = cli.json("api-keys", "list", "--workspace", "acme")
    assert keys[0]["revoked_at"] is not None
    assert keys[1]["revoked_at"] is None
    assert cli("api-keys", "list", "--workspace", "acme").stdout.split("\t")[2] == "revoked"
    again = cli.json("api-keys", "revoke", str(first_id))  # keeps the first revocation time
    assert again == {"id": first_id, "revoked_at": keys[0]["revoked_at"]}

    missing = cli.fails("api-keys", "revoke", "999999")
    assert "no API key with id 999999" in _flat(missing.stderr)


# --- import ---------------------------------------------------------------------------------


def test_import_prints_a_report(cli: Cli) -> None:
    key = cli.workspace()
    path = cli.file("people.csv", SEED_CSV)
    out = _flat(cli("import", str(path), "--workspace", "acme").stdout)
    assert "4 rows: 4 applied, 0 refused" in out
    assert "companies: 3 created, 0 updated, 0 unchanged" in out
    assert "people: 4 created, 0 updated, 0 unchanged" in out
    assert not path.with_name("people.csv.refused.csv").exists()

    companies = cli.companies(key)
    assert sorted(companies) == ["Acme", "Airbnb", "Wayne Enterprises"]
    assert companies["Acme"]["customId"] == "acme-001"
    assert companies["Acme"]["hubspotId"] == "hubspot_789"
    assert companies["Acme"]["customers"] == ["jame@email.com", "john@email.com"]
    assert companies["Airbnb"]["customers"] == ["main@airbnb.com"]


def test_import_json_report(cli: Cli) -> None:
    cli.workspace()
    path = cli.file("people.csv", SEED_CSV)
    report = cli.json("import", str(path), "--workspace", "acme")
    assert (report["rows"], report["rowsApplied"], report["rowsRefused"]) == (4, 4, 0)
    assert report["companies"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert report["people"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert report["refused"] == []
    assert "refusedFile" not in report
    again = cli.json("import", str(path), "--workspace", "acme")
    assert again["companies"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert again["people"] == {"created": 0, "updated": 0, "unchanged": 4}


def test_import_writes_the_refused_rows_to_a_file(cli: Cli) -> None:
    key = cli.workspace()
    path = cli.file("leads.csv", BAD_ROWS_CSV)
    refused = path.with_name("leads.csv.refused.csv")
    out = _flat(cli("import", str(path), "--workspace", "acme").stdout)
    assert "4 rows: 2 applied, 2 refused" in out
    assert "row 3 [email]: 'not-an-email' is not a valid email address" in out
    assert f"every refusal (2) is listed in {refused}" in out
    lines = refused.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,column,reason"
    assert lines[1].startswith("3,email,'not-an-email' is not a valid email address")
    assert lines[2].startswith("4,companyName,")
    assert len(lines) == 3
    assert sorted(cli.companies(key)) == ["Acme", "Airbnb"]

    report = cli.json("import", str(path), "--workspace", "acme")
    assert report["rowsRefused"] == 2
    assert report["refusedFile"] == str(refused)
    assert [(r["row"], r["column"]) for r in report["refused"]] == [
        (3, "email"),
        (4, "companyName"),
    ]

    # Once the file is fixed, the stale list of refusals goes.
    path.write_text(SEED_CSV, encoding="utf-8")
    cli("import", str(path), "--workspace", "acme")
    assert not refused.exists()


def test_an_unreadable_file_fails_and_changes_nothing(cli: Cli) -> None:
    key = cli.workspace()
    cli("import", str(cli.file("people.csv", SEED_CSV)), "--workspace", "acme")
    before = cli.companies(key)
    # A refusal list from an earlier run of the same file name must survive a failed run.
    earlier = cli.file("bad.csv.refused.csv", "row,column,reason\n3,email,earlier run\n")

    png = cli.fails("import", str(cli.file("bad.csv", PNG)), "--workspace", "acme")
    message = _flat(png.stderr)
    assert "bad.csv: the file is not CSV: it is a PNG image (nothing was changed)" in message
    assert "Traceback" not in png.output

    latin = cli.file("bad.csv", "companyName,name,email\nAcme,Jérôme,j@x.com\n".encode("latin-1"))
    failed = cli.fails("import", str(latin), "--workspace", "acme", "--json")
    assert json.loads(failed.stdout) == {
        "error": "bad.csv: the file is not UTF-8 text (invalid byte 0xe9 on row 2); save it "
        "as UTF-8 CSV (nothing was changed)"
    }
    assert earlier.read_text(encoding="utf-8") == "row,column,reason\n3,email,earlier run\n"

    # Refusals seen before the fatal row are not reported as if the file had been applied.
    earlier.unlink()
    late = cli.fails("import", str(cli.file("bad.csv", LATE_LATIN1)), "--workspace", "acme")
    assert "invalid byte 0xe9 on row 4" in _flat(late.stderr)
    assert not earlier.exists()

    missing = cli.fails("import", str(cli.folder / "nowhere.csv"), "--workspace", "acme")
    assert "nowhere.csv is not a file" in _flat(missing.stderr)
    no_workspace = cli.fails("import", str(cli.folder / "people.csv"), "--workspace", "nope")
    assert "no workspace with slug 'nope' (nothing was changed)" in _flat(no_workspace.stderr)
    assert cli.companies(key) == before


# --- update ---------------------------------------------------------------------------------


def test_update_with_a_key_column(cli: Cli) -> None:
    key = cli.workspace()
    cli("import", str(cli.file("people.csv", SEED_CSV)), "--workspace", "acme")
    product = cli.ok(key, PRODUCT, {"slug": "acme"})["getProductBySlug"]["id"]
    cli.ok(key, ADD_TEXT, {"p": product, "n": "country"})
    path = cli.file(
        "daily.csv",
        "customId,arr,numberOfEmployees,country\n"
        "acme-001,250000,50,France\n"
        "wayne-001,1200000,300,USA\n"
        "nobody-001,1,1,Nowhere\n",
    )

    out = _flat(cli("update", str(path), "--workspace", "acme", "--key", "customId").stdout)
    assert "3 rows: 2 applied, 1 refused" in out
    assert "companies: 0 created, 2 updated, 0 unchanged" in out
    assert "row 4 [customId]: no company matches customId 'nobody-001'" in out
    refused = path.with_name("daily.csv.refused.csv").read_text(encoding="utf-8").splitlines()
    assert refused == ["row,column,reason", "4,customId,no company matches customId 'nobody-001'"]

    companies = cli.companies(key)
    assert (companies["Acme"]["arr"], companies["Acme"]["numberOfEmployees"]) == (250000, 50)
    assert companies["Acme"]["attributes"] == {"country": "France"}
    assert companies["Wayne Enterprises"]["attributes"] == {"country": "USA"}
    assert companies["Airbnb"]["attributes"] == {}

    report = cli.json("update", str(path), "--workspace", "acme", "--key", "customId")
    assert report["identifier"] == "customId"
    assert report["companies"] == {"created": 0, "updated": 0, "unchanged": 2}

    bogus = cli.fails("update", str(path), "--workspace", "acme", "--key", "bogus")
    assert "'bogus' cannot identify companies; use one of customId" in _flat(bogus.stderr)
    absent = cli.fails("update", str(path), "--workspace", "acme", "--key", "hubspotId")
    assert "the identifier column 'hubspotId' is not in the file" in _flat(absent.stderr)
    assert cli.companies(key) == companies


def test_names_with_markup_or_braces_are_printed_verbatim(cli: Cli) -> None:
    cli.workspace()
    # Rich would read "[bold]" as a style and str.format "{x}" as a field.
    path = cli.file("a{x}[bold].csv", "customId,[bold]Tier\nacme-001,gold\n")
    failed = cli.fails("update", str(path), "--workspace", "acme")
    assert "a{x}[bold].csv: unknown column(s) '[bold]Tier'" in _flat(failed.stderr)
    wrong = cli.fails("update", str(path), "--workspace", "ac[bold]me")
    assert "no workspace with slug 'ac[bold]me'" in _flat(wrong.stderr)

    cli("import", str(cli.file("p.csv", SEED_CSV)), "--workspace", "acme")
    path.write_text("customId,arr\nacme-001,5\nnobody,6\n", encoding="utf-8")
    out = _flat(cli("update", str(path), "--workspace", "acme").stdout)
    assert "updating a{x}[bold].csv" in out
    assert "every refusal (1) is listed in" in out
    assert "a{x}[bold].csv.refused.csv" in out
