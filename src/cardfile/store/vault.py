"""Vendor credentials encrypted at rest with Fernet, under a key derived from the secret key.

The secret key (``CARDFILE_SECRET_KEY``, or the embedded default's 0600 key file) may be any
string; Fernet wants 32 url-safe base64 bytes, so the key is its SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from cardfile.store.errors import StoreError


class VaultError(StoreError):
    """Sealed credentials could not be opened (another secret key, or a damaged value)."""


class Vault:
    """Seals and opens JSON documents of secrets."""

    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, document: dict[str, Any]) -> str:
        """The document, encrypted and authenticated, as text for a column."""
        return self._fernet.encrypt(json.dumps(document).encode()).decode("ascii")

    def open(self, sealed: str, *, ttl: int | None = None) -> dict[str, Any]:
        """The document a ``seal`` made (refused once older than ``ttl`` seconds, if given)."""
        try:
            plain = self._fernet.decrypt(sealed.encode("ascii"), ttl=ttl)
        except (InvalidToken, ValueError):
            raise VaultError(
                "stored credentials cannot be decrypted with this secret key "
                "(was CARDFILE_SECRET_KEY changed?); add the connection again"
            ) from None
        document: dict[str, Any] = json.loads(plain)
        return document

    def __repr__(self) -> str:
        return "Vault(<key hidden>)"
