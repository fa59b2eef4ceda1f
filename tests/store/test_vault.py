"""The vault: credentials sealed with Fernet under a key derived from the secret key."""

from __future__ import annotations

import pytest

from cardfile.store.vault import Vault, VaultError


def test_a_sealed_document_opens_with_the_same_key_only() -> None:
    sealed = Vault("key one").seal({"token": "pat-na1-0123456789"})
    assert "pat-na1-0123456789" not in sealed
    assert Vault("key one").open(sealed) == {"token": "pat-na1-0123456789"}
    with pytest.raises(VaultError, match="secret key") as refused:
        Vault("key two").open(sealed)
    assert sealed not in str(refused.value)


def test_a_damaged_value_is_a_clear_error() -> None:
    with pytest.raises(VaultError):
        Vault("k").open("not a fernet token")


def test_sealing_twice_gives_different_text() -> None:
    vault = Vault("k")
    assert vault.seal({"token": "x"}) != vault.seal({"token": "x"})


def test_the_vault_shows_no_key() -> None:
    assert "secret" not in repr(Vault("secret"))


def test_any_json_document_round_trips() -> None:
    document = {
        "oauth": {"access_token": "töken-ü", "refresh_token": None, "expires_at": 1.5e9},
        "oauth_client": {"client_id": "id", "client_secret": "s", "token_url": None},
    }
    vault = Vault("k")
    assert vault.open(vault.seal(document)) == document
