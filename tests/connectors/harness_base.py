"""What every conformance harness shares: the simulator's control API and the three kinds of
connection (static token, bad token, OAuth grant from the simulator)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from cardfile.connectors.base import Connection, OAuthClient, OAuthTokens
from cardfile.connectors.conformance import SimulatorControl


class HarnessBase:
    provider = ""
    token = ""
    token_path = ""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.control = SimulatorControl(base_url)

    def _api(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.base_url, headers=headers)

    def connection(self) -> Connection:
        return Connection(provider=self.provider, token=self.token, base_url=self.base_url)

    def bad_connection(self) -> Connection:
        return Connection(provider=self.provider, token="not-a-valid-token", base_url=self.base_url)

    def oauth_connection(self, on_tokens: Callable[[OAuthTokens], None]) -> Connection:
        grant = self.control.grant()
        return Connection(
            provider=self.provider,
            oauth=OAuthTokens(
                grant["access_token"],
                grant["refresh_token"],
                time.time() + float(grant["expires_in"]),
            ),
            oauth_client=OAuthClient(
                "sim-client", "sim-secret", token_url=f"{self.base_url}{self.token_path}"
            ),
            base_url=self.base_url,
            on_tokens=on_tokens,
        )
