"""The write key of a tracking request, and the source it opens.

The official libraries put the key in different places, so every one is read:

- HTTP Basic with the key as the username and an empty password (``base64("key:")``):
  analytics-node, analytics-python up to 2.2 and from 2.4 on, Customer.io's fork; without
  the colon too, which Segment still accepts;
- the body's ``writeKey``: analytics-python 2.3.x (only there), and any client with no header;
- ``Authorization: Bearer …`` (Segment's OAuth) with the body's ``writeKey``: the key in the
  body decides. Cardfile issues no OAuth tokens, so the Bearer token itself is not checked.

A key found in the header wins over one in the body.

Lookups are cached in the process for ``ttl`` seconds (a refusal for at most one second, so
a key just created works at once): a key revoked by another process (the CLI, another server)
keeps working here for up to ``ttl`` seconds; a revocation made through this process's REST
API clears the cache at once.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from cardfile.store import sources
from cardfile.store.api_keys import hash_secret
from cardfile.store.sources import KeyOwner

_MAX_CACHED = 10_000  # keys are few; random guesses must not grow the cache without bound
_REFUSAL_TTL = 1.0


def write_key_of(authorization: str, body: dict[str, Any]) -> str | None:
    """The write key a request carries, wherever it put it; None when it carries none."""
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        username = decoded.partition(":")[0].strip()
        if username:
            return username
    key = body.get("writeKey")
    if isinstance(key, str) and key.strip():
        return key.strip()
    return None


class WriteKeys:
    """Write keys to their sources, with a short in-process cache.

    Args:
        sessions: The store.
        ttl: Seconds a found key is trusted without asking the store again (0: always ask).
    """

    def __init__(self, sessions: sessionmaker[Session], ttl: float) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._cache: dict[str, tuple[float, KeyOwner | None]] = {}

    async def owner(self, secret: str) -> KeyOwner | None:
        """The source ``secret`` opens; None for an unknown or revoked key."""
        if not secret.isascii():  # keys are URL-safe ASCII; anything else is no key of ours
            return None
        digest = hash_secret(secret)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        owner = await run_in_threadpool(self._lookup, secret)
        if self._ttl > 0:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()
            ttl = self._ttl if owner is not None else min(self._ttl, _REFUSAL_TTL)
            self._cache[digest] = (now + ttl, owner)
        return owner

    def forget(self) -> None:
        """Drop every cached lookup (after a revocation or a source's removal)."""
        self._cache.clear()

    def _lookup(self, secret: str) -> KeyOwner | None:
        with self._sessions() as session:
            return sources.owner_of(session, secret)
