"""Logging in to the simulator as a test does it directly (Sugar takes no static tokens)."""

from __future__ import annotations

import httpx

VERSION = "v11_20"
USER = "admin"
PASSWORD = "sugar-sim-password"
TOKEN = f"{USER}:{PASSWORD}"


def login(base_url: str, http: httpx.Client | None = None) -> dict[str, str]:
    """The ``OAuth-Token`` header of a fresh session on the simulator at ``base_url``."""
    if http is None:
        with httpx.Client() as own:
            return login(base_url, own)
    response = http.post(
        f"{base_url}/rest/{VERSION}/oauth2/token",
        json={
            "grant_type": "password",
            "client_id": "sugar",
            "client_secret": "",
            "username": USER,
            "password": PASSWORD,
            "platform": "tests",
        },
    )
    response.raise_for_status()
    return {"OAuth-Token": response.json()["access_token"]}
