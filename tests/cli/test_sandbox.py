"""``cardfile sandbox``: the simulators on loopback ports, ready for ``connections add``."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_sandbox_serves_each_simulator_and_says_how_to_connect() -> None:
    ports = {"hubspot": _free_port(), "attio": _free_port()}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "cardfile"), "sandbox", "--json",
            "--hubspot-port", str(ports["hubspot"]), "--attio-port", str(ports["attio"]),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        shown = json.loads(process.stdout.readline() + "".join(_rest_of_json(process)))
        by_provider = {entry["provider"]: entry for entry in shown}
        assert set(by_provider) == {"hubspot", "attio"}
        hubspot = by_provider["hubspot"]
        assert hubspot["base_url"] == f"http://127.0.0.1:{ports['hubspot']}"
        assert f"--token {hubspot['token']}" in hubspot["connect"]
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.get(
                    f"{hubspot['base_url']}/account-info/v3/details",
                    headers={"Authorization": f"Bearer {hubspot['token']}"},
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.1)
        assert answer.status_code == 200
        attio = by_provider["attio"]
        self_answer = httpx.get(
            f"{attio['base_url']}/v2/self", headers={"Authorization": f"Bearer {attio['token']}"}
        )
        assert self_answer.json()["active"] is True
    finally:
        process.terminate()
        process.wait(timeout=20)


def _rest_of_json(process: subprocess.Popen[str]) -> list[str]:
    """The lines of the pretty-printed JSON after its first, up to its closing bracket."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("]"):
            break
    return lines
