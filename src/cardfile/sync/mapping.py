"""A hub record made into the vendor record a sync sends, and that record's fingerprint.

The fingerprint is a hash of the payload in canonical JSON. A record whose payload hashes to
what the vendor last accepted has nothing new to say and is not sent.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cardfile.sync.source import HubRecord
from cardfile.sync.spec import Source, SyncSpec

_EMPTY: tuple[Any, ...] = (None, "", [])


def match_value(spec: SyncSpec, record: HubRecord) -> Any:
    """The record's value of the sync's match key (None: it cannot be matched, or sent)."""
    value = record.value(Source(field=spec.match_hub))
    return None if value in _EMPTY else value


def payload(spec: SyncSpec, record: HubRecord, *, creating: bool) -> dict[str, Any]:
    """The vendor record for ``record``: its match key, then each mapped field.

    An empty hub value clears the vendor's field (sent as null) unless the mapping skips
    nulls; a mapping set only if empty is sent only when the vendor record is new to the sync.
    """
    made: dict[str, Any] = {spec.match_vendor: match_value(spec, record)}
    for mapping in spec.mappings:
        if mapping.only_if_empty and not creating:
            continue
        value = record.value(mapping.source)
        if value in _EMPTY:
            if mapping.skip_nulls:
                continue
            value = None
        made[mapping.to] = value
    return made


def fingerprint(made: dict[str, Any]) -> str:
    """A short, stable hash of a payload."""
    text = json.dumps(made, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
