"""The last messages each source's requests had refused, for the event debugger.

Kept in this process's memory only (the newest :data:`KEPT` per source): a refused message
was never stored, and this record is a window onto recent mistakes, not a log. Every refusal
is also logged.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from cardfile.ingest.events.messages import MessageRefused

log = logging.getLogger(__name__)
KEPT = 100


@dataclass(frozen=True)
class Rejection:
    """One refused message."""

    at: datetime
    code: str
    message: str
    message_id: str | None
    type: str | None


class Rejections:
    """Per source, its newest refused messages."""

    def __init__(self) -> None:
        self._by_source: dict[int, deque[Rejection]] = {}

    def record(
        self,
        source_id: int,
        at: datetime,
        refused: list[tuple[str | None, MessageRefused]],
        total: int,
    ) -> None:
        """Keep and log the refusals of one request of ``total`` messages."""
        if not refused:
            return
        kept = self._by_source.setdefault(source_id, deque(maxlen=KEPT))
        for kind, error in refused:
            kept.append(Rejection(at, error.code, error.message, error.message_id, kind))
        shown = "; ".join(
            f"{error.code} (messageId {error.message_id or '-'})" for _, error in refused[:5]
        )
        more = f"; and {len(refused) - 5} more" if len(refused) > 5 else ""
        log.warning(
            "source %s: %d of %d messages refused: %s%s",
            source_id,
            len(refused),
            total,
            shown,
            more,
        )

    def of(self, source_id: int) -> list[Rejection]:
        """The source's newest refusals, newest first."""
        return list(reversed(self._by_source.get(source_id, ())))

    def forget(self, source_id: int) -> None:
        """Drop a removed source's record."""
        self._by_source.pop(source_id, None)
