"""Consent links per vendor: the accounts server of the connection's data centre, and the
parameters a vendor needs to grant a refresh token."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cardfile.settings import Settings
from cardfile.store.vault import Vault
from cardfile.sync.oauth import connect_url


def test_a_zoho_link_goes_to_the_data_centres_accounts_server_asking_for_offline_access(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARDFILE_ZOHO_CLIENT_ID", "zoho-client")
    monkeypatch.setenv("CARDFILE_ZOHO_CLIENT_SECRET", "zoho-secret")
    started = connect_url(
        Settings(data_dir=tmp_path),
        Vault("links test secret"),
        workspace_id=1,
        provider="zoho",
        base_url="https://www.zohoapis.eu",
    )
    link = urlsplit(started.connect_url)
    query = parse_qs(link.query)
    assert link.netloc == "accounts.zoho.eu"
    assert (query["access_type"], query["prompt"], query["client_id"]) == (
        ["offline"],
        ["consent"],
        ["zoho-client"],
    )
    assert "ZohoCRM.modules.ALL" in query["scope"][0]
