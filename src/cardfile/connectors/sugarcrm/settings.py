"""A SugarCRM connection's settings, read once and checked, with their defaults.

Sugar is self-hosted, so the connection's base URL is the instance's root
(``https://crm.example.com``); the REST API lives under ``/rest/{rest_version}`` there.
Settings (``connection.settings``, strings when they come from the CLI):

* ``rest_version``: the REST version pinned for every call (default ``v11_20``; Sugar serves
  older versions alongside newer ones, so a pin keeps answers stable across upgrades);
* ``client_id`` / ``client_secret``: the OAuth client logged in with (default ``sugar`` and an
  empty secret, Sugar's stock client);
* ``platform``: the API platform the session is opened on (default ``cardfile``, which an
  admin adds under Admin → Configure API Platforms; a login ends earlier sessions of the same
  user on the same platform, so a platform of its own keeps Cardfile from logging people out);
* ``requests_per_second``: the request budget (default 5; Sugar publishes no limit);
* ``bulk_size``: sub-requests per ``/bulk`` envelope (default 50).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

DEFAULT_VERSION = "v11_20"
DEFAULT_CLIENT_ID = "sugar"
DEFAULT_PLATFORM = "cardfile"
DEFAULT_REQUESTS_PER_SECOND = 5
DEFAULT_BULK_SIZE = 50
LARGEST_BULK_SIZE = 100
_VERSION = re.compile(r"^v?(1[01](?:_\d+)?)$")
_REST_PATH = re.compile(r"/rest/v1[01](?:_\d+)?/?$")


@dataclass(frozen=True)
class SugarSettings:
    """What a connection's settings decide."""

    rest_version: str = DEFAULT_VERSION
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = ""
    platform: str = DEFAULT_PLATFORM
    requests_per_second: int = DEFAULT_REQUESTS_PER_SECOND
    bulk_size: int = DEFAULT_BULK_SIZE


def _positive(settings: Mapping[str, Any], name: str, default: int, most: int | None) -> int:
    raw = settings.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0 or (most is not None and value > most):
        bound = f" and at most {most}" if most is not None else ""
        raise ValueError(f"{name} must be positive{bound}, not {raw!r}")
    return value


def settings_of(settings: Mapping[str, Any]) -> SugarSettings:
    """The checked settings.

    Raises:
        ValueError: A setting Sugar could not work with (an unknown REST version's form, a
            budget that is not a positive number).
    """
    raw_version = str(settings.get("rest_version") or DEFAULT_VERSION).strip()
    found = _VERSION.match(raw_version)
    if found is None:
        raise ValueError(f"rest_version must look like v11_20, not {raw_version!r}")
    return SugarSettings(
        rest_version=f"v{found.group(1)}",
        client_id=str(settings.get("client_id") or DEFAULT_CLIENT_ID),
        client_secret=str(settings.get("client_secret") or ""),
        platform=str(settings.get("platform") or DEFAULT_PLATFORM),
        requests_per_second=_positive(
            settings, "requests_per_second", DEFAULT_REQUESTS_PER_SECOND, None
        ),
        bulk_size=_positive(settings, "bulk_size", DEFAULT_BULK_SIZE, LARGEST_BULK_SIZE),
    )


def instance_root(base_url: str | None) -> str | None:
    """The instance's root from a connection's base URL (a URL ending in ``/rest/v11_N`` is
    taken back to the instance), or None when there is none."""
    if not base_url or not base_url.strip():
        return None
    root = _REST_PATH.sub("", base_url.strip().rstrip("/"))
    return root if urlsplit(root).netloc else None
