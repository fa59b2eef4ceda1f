"""``cardfile sandbox``: the simulators on loopback ports, ready for ``connections add``."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from cardfile.connectors.base import Connection, Health
from cardfile.connectors.registry import connect, providers
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_sandbox_serves_each_simulator_and_says_how_to_connect() -> None:
    ports = {provider: _free_port() for provider in providers()}
    command = [str(Path(sys.executable).parent / "cardfile"), "sandbox", "--json"]
    for provider, port in ports.items():
        command += [f"--{provider}-port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        shown = json.loads(process.stdout.readline() + "".join(_rest_of_json(process)))
        by_provider = {entry["provider"]: entry for entry in shown}
        assert set(by_provider) == set(providers())  # a simulator for every connector
        for provider, entry in by_provider.items():
            assert entry["base_url"] == f"http://127.0.0.1:{ports[provider]}"
            assert f"--token {entry['token']}" in entry["connect"]
            health = _check_when_up(provider, entry["base_url"], entry["token"])
            assert health.healthy, (provider, health.message)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _check_when_up(provider: str, base_url: str, token: str) -> Health:
    """The provider's connector's own health check against the sandbox, once it listens."""

    async def check() -> Health:
        async with connect(Connection(provider=provider, token=token, base_url=base_url)) as c:
            return await c.check()

    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(base_url, timeout=2)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the sandbox did not start"
            time.sleep(0.1)
    return asyncio.run(check())


def _rest_of_json(process: subprocess.Popen[str]) -> list[str]:
    """The lines of the pretty-printed JSON after its first, up to its closing bracket."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("]"):
            break
    return lines
