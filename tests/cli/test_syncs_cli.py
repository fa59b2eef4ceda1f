"""``cardfile syncs`` and ``cardfile runs`` against the HubSpot simulator: a YAML file applied
whole or not at all, runs made in the process with their results read back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cardfile.connectors.conformance import SimulatorControl
from cardfile.settings import get_settings
from cardfile.store import companies, workspaces
from cardfile.store.db import create_store_engine, session_factory, transaction
from cardfile.store.schema import Company
from tests.cli.test_cli import Cli, _configure

FILE = """\
syncs:
  - name: companies to hubspot
    source: companies
    connection: hubspot
    entity: companies
    match: {hub: domain, vendor: domain}
    mappings:
      - {to: name, field: name}
    schedule: every 30 minutes
"""
BAD_SECOND = (
    FILE
    + """\
  - name: people to hubspot
    source: people
    connection: hubspot
    entity: contacts
    match: {hub: email, vendor: email}
    mappings:
      - {to: no_such_property, field: name}
"""
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def cli(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hubspot: str
) -> Iterator[Cli]:
    monkeypatch.setenv("CARDFILE_SECRET_KEY", "syncs-cli-test-secret")
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    for made in _configure(tmp_path, monkeypatch, url):
        SimulatorControl(hubspot).reset()
        made.workspace()
        made(
            "connections", "add", "hubspot", "--workspace", "acme", "--token",
            "hubspot-test-token", "--base-url", hubspot,
        )  # fmt: skip
        _companies(12)
        yield made


def _companies(count: int) -> None:
    engine = create_store_engine(get_settings().effective_database_url)
    with transaction(session_factory(engine)) as session:
        workspace = workspaces.require_by_slug(session, "acme")
        for n in range(count):
            companies.create(
                session, workspace.id, {"name": f"Co {n}", "domain": f"co{n}.example.com"}
            )
    engine.dispose()


def test_a_file_is_applied_and_applying_it_again_changes_nothing(cli: Cli) -> None:
    path = cli.file("syncs.yaml", FILE)
    assert cli.json("syncs", "apply", str(path), "--workspace", "acme") == [
        {"name": "companies to hubspot", "result": "created"}
    ]
    assert cli.json("syncs", "apply", str(path), "--workspace", "acme") == [
        {"name": "companies to hubspot", "result": "unchanged"}
    ]
    edited = cli.file("syncs.yaml", FILE.replace("every 30 minutes", "every 2 hours"))
    assert cli.json("syncs", "apply", str(edited), "--workspace", "acme")[0]["result"] == "updated"
    (listed,) = cli.json("syncs", "list", "--workspace", "acme")
    assert (listed["schedule"], listed["last_run"]) == ("every 2 hours", None)
    shown = cli("syncs", "show", "companies to hubspot", "--workspace", "acme").stdout
    assert "match:" in shown and "hub: domain" in shown


def test_a_file_with_one_bad_sync_is_refused_whole(cli: Cli) -> None:
    path = cli.file("syncs.yaml", BAD_SECOND)
    refused = cli.fails("syncs", "apply", str(path), "--workspace", "acme")
    message = " ".join(refused.output.split())
    assert "people to hubspot: mappings[0].to: the vendor has no field 'no_such_property'" in (
        message
    )
    assert cli.json("syncs", "list", "--workspace", "acme") == []


def test_a_run_sends_what_changed_and_its_refusals_are_listed(cli: Cli, hubspot: str) -> None:
    cli("syncs", "apply", str(cli.file("syncs.yaml", FILE)), "--workspace", "acme")
    plan = cli.json("syncs", "run", "companies to hubspot", "--workspace", "acme", "--dry-run")
    assert (plan["status"], plan["counts"]["created"], plan["counts"]["requests"]) == (
        "succeeded",
        12,
        0,
    )
    control = SimulatorControl(hubspot)
    control.refuse("domain", "co3.example.com", "co3 is not welcome here")
    first = cli("syncs", "run", "companies to hubspot", "--workspace", "acme", ok=False)
    assert first.exit_code == 1  # partially failed
    assert "partially_failed: created 11" in " ".join(first.stdout.split())
    run_id = cli.json("syncs", "list", "--workspace", "acme")[0]["last_run"]["run_id"]
    shown = cli.json("runs", "show", run_id, "--workspace", "acme", "--failed")
    ((refusal),) = shown["failed"]
    assert "co3 is not welcome here" in refusal["error"]
    assert control.stored("companies") == 11
    engine = create_store_engine(get_settings().effective_database_url)
    with session_factory(engine)() as session:
        assert len([i for i in session.scalars(select(Company.hubspot_id)) if i]) == 11
    engine.dispose()
    text = cli("runs", "show", run_id, "--workspace", "acme", "--failed").stdout
    assert "co3 is not welcome here" in text
    assert json.loads(json.dumps(shown))["counts"]["failed"] == 1
