"""Seed 001, graph8's "CRM Syncs": every curl it documents, run unchanged but for the host and
the key against a live Cardfile whose workspace is connected to the HubSpot simulator.

The curls are read from a verbatim copy of the seed (checked against the shared seed when it
is on the machine); ``https://be.graph8.com`` becomes the live server and ``$API_KEY`` the
tenant's key, nothing else. The Salesforce example meets the documented 404: Cardfile has no
Salesforce connector yet, so no workspace can be connected to one.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import connections
from cardfile.store.db import transaction
from cardfile.store.vault import Vault
from tests.conftest import LiveServer, Tenant

SEED = Path(__file__).parent / "graph8" / "seed_001_1278785882ae4c7e.txt"
SHARED_SEED = Path("/work/shared/seeds/001_1278785882ae4c7e.txt")
GRAPH8 = "https://be.graph8.com"


def curls(text: str) -> list[str]:
    """Each curl command of the seed: from ``curl`` to its last continued or quoted line."""
    found: list[str] = []
    lines = text.splitlines()
    at = 0
    while at < len(lines):
        if not lines[at].startswith("curl "):
            at += 1
            continue
        command = [lines[at]]
        while command[-1].endswith("\\") or "".join(command).count("'") % 2:
            at += 1
            command.append(lines[at])
        found.append("\n".join(command))
        at += 1
    return found


CURLS = curls(SEED.read_text(encoding="utf-8"))


def _path(command: str) -> str:
    return command.split(GRAPH8, 1)[1].split('"', 1)[0]


def test_the_stored_seed_is_the_shared_one() -> None:
    if not SHARED_SEED.is_file():
        pytest.skip(f"{SHARED_SEED} is not on this machine; the stored copy is used")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()
    assert len(CURLS) == 6


@pytest.fixture
def connected(
    server: LiveServer, sessions: sessionmaker[Session], tenant: Tenant, hubspot: str
) -> Tenant:
    with transaction(sessions) as session:
        connections.add(
            session,
            Vault(server.settings.resolved_secret_key()),
            workspace_id=tenant.workspace_id,
            provider="hubspot",
            credentials={"token": "hubspot-test-token"},
            base_url=hubspot,
        )
    return tenant


def _run(command: str, server: LiveServer, key: str, tmp_path: Path) -> Any:
    script = tmp_path / "snippet.sh"
    script.write_text(command.replace(GRAPH8, server.url) + " -s -w '\\n%{http_code}'\n")
    done = subprocess.run(
        ["bash", str(script)],
        env={"API_KEY": key, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


@pytest.mark.parametrize("command", CURLS, ids=[_path(c) for c in CURLS])
def test_each_documented_curl_gets_the_documented_shape(
    command: str, server: LiveServer, connected: Tenant, tmp_path: Path
) -> None:
    status, body = _run(command, server, connected.key, tmp_path)
    path = _path(command)
    if "/salesforce/" in path:
        assert status == 404
        assert body == {"detail": "No active salesforce connection. Connect in Integrations first"}
        return
    assert status == 200, body
    data = body["data"]
    if path == "/api/v1/crm-syncs":
        assert set(data[0]) == {
            "provider",
            "status",
            "connection_id",
            "last_sync_at",
            "connected_at",
        }
        assert data[0]["provider"] == "hubspot"
    elif path.endswith("/contacts/push"):
        assert (data["pushed_count"], data["failed_count"], data["errors"]) == (2, 0, [])
    elif path.endswith("/lists/push"):
        # List 42 and contacts 101, 102, 999 are the doc's examples: the simulated portal has
        # none of them, so every change is reported, none lost.
        assert (data["added"], data["removed"]) == (0, 0)
        assert {e["contact_id"] for e in data["errors"]} == {"101", "102", "999"}
        assert all(e["error"] for e in data["errors"])
    elif "/fields" in path:
        fields = {f["slug"]: f for f in data["fields"]}
        assert set(fields["firstname"]) >= {"name", "slug", "type", "required", "label"}
    else:
        assert data["provider"] == "hubspot"
        assert data["connected"] is True
        assert data["message"] == "Connection is healthy"
