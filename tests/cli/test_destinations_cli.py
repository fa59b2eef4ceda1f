"""``cardfile destinations`` and ``cardfile events`` against the Attio simulator: a YAML file
applied whole or not at all, events read back with what each action did, and a replay."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardfile.connectors.conformance import SimulatorControl
from cardfile.jobs.deliveries import deliver
from cardfile.jobs.events import apply_pending
from cardfile.settings import get_settings
from cardfile.store import destinations, events, sources, workspaces
from cardfile.store.db import create_store_engine, session_factory, transaction
from cardfile.store.schema import utcnow
from cardfile.store.vault import Vault
from tests.cli.test_cli import Cli, _configure

FILE = """\
destinations:
  - name: attio
    source: web
    connection: attio
    actions:
      - name: identify
        kind: identify_user
        person_attributes: {job_title: traits.title}
"""
BAD_SECOND = (
    FILE
    + """\
  - name: broken
    source: web
    connection: attio
    actions:
      - {name: x, kind: identify_user, person_attributes: {shoe_size: traits.shoe}}
"""
)


@pytest.fixture(scope="module")
def attio() -> Iterator[str]:
    from simulators.attio import create_app
    from simulators.kit import serve

    with serve(create_app()) as url:
        yield url


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attio: str) -> Iterator[Cli]:
    monkeypatch.setenv("CARDFILE_SECRET_KEY", "destinations-cli-test-secret")
    for made in _configure(tmp_path, monkeypatch, None):
        SimulatorControl(attio).reset()
        made.workspace()
        made("sources", "create", "web", "--workspace", "acme")
        made(
            "connections", "add", "attio", "--workspace", "acme", "--token", "attio-test-token",
            "--base-url", attio,
        )  # fmt: skip
        yield made


def _send_and_deliver(*payloads: dict[str, object]) -> None:
    """Events stored as the intake stores them, then the two jobs run here."""
    settings = get_settings()
    engine = create_store_engine(settings.effective_database_url)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        workspace = workspaces.require_by_slug(session, "acme")
        source = sources.get(session, workspace.id, "web")
        events.append(
            session,
            [
                events.NewEvent(
                    workspace.id,
                    source.id,
                    f"m{n}",
                    str(p["type"]),
                    str(p["userId"]),
                    None,
                    {**p, "messageId": f"m{n}"},
                    utcnow(),
                )
                for n, p in enumerate(payloads)
            ],
        )
        destination = destinations.get(session, workspace.id, "attio")
    apply_pending(sessions, workspace.id)
    asyncio.run(deliver(sessions, Vault(settings.resolved_secret_key()), destination.id))
    engine.dispose()


def test_apply_list_show_events_and_replay(cli: Cli) -> None:
    (cli.folder / "bad.yaml").write_text(BAD_SECOND)
    refused = cli.fails("destinations", "apply", "bad.yaml", "--workspace", "acme")
    assert "broken" in refused.stderr
    assert "shoe_size" in refused.stderr
    assert cli.json("destinations", "list", "--workspace", "acme") == []

    (cli.folder / "good.yaml").write_text(FILE)
    applied = cli.json("destinations", "apply", "good.yaml", "--workspace", "acme")
    assert applied == [{"name": "attio", "result": "created", "warnings": []}]
    shown = cli("destinations", "show", "attio", "--workspace", "acme").stdout
    assert "identify_user" in shown
    assert "traits.title" in shown

    _send_and_deliver(
        {"type": "identify", "userId": "u1", "traits": {"email": "ada@acme.com"}},
        {"type": "identify", "userId": "u2", "traits": {"title": "no email"}},
        {"type": "track", "userId": "u1", "event": "Signed up"},
    )
    listed = cli.json("events", "list", "web", "--workspace", "acme")
    statuses = [(e["type"], [a["status"] for a in e["actions"]]) for e in listed]
    assert statuses == [
        ("track", ["skipped"]),
        ("identify", ["failed"]),
        ("identify", ["sent"]),
    ]
    counts = cli.json("destinations", "list", "--workspace", "acme")[0]["deliveries"]
    assert counts == {"sent": 1, "failed": 1}

    replayed = cli.json("events", "replay", "--workspace", "acme", "--destination", "attio")
    assert replayed == {"attio": 1}
    assert cli.fails("events", "replay", "--workspace", "acme", "--since", "yesterday")
    assert cli.fails("events", "replay", "--workspace", "acme", "--status", "lost")
    cli("destinations", "remove", "attio", "--workspace", "acme")
    assert cli.json("destinations", "list", "--workspace", "acme") == []
