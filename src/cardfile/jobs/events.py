"""Applying a workspace's accepted events to the hub and handing them to its destinations.

One transaction per slice of events: the hub's writes, the deliveries for the destinations,
and the events marked settled commit together, so a worker that dies mid-way leaves the slice
pending and the next one applies it whole — never half, never twice.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.events import hub
from cardfile.store import events
from cardfile.store.db import transaction
from cardfile.sync.actions.fanout import fan_out

SLICE = 500


def apply_pending(sessions: sessionmaker[Session], workspace_id: int) -> set[int]:
    """Apply every pending event of the workspace; the destinations given deliveries."""
    handed: set[int] = set()
    while True:
        with transaction(sessions) as session:
            events.lock_for_applying(session, workspace_id)
            found = events.pending(session, workspace_id, limit=SLICE)
            if not found:
                return handed
            settled = hub.apply(session, workspace_id, found)
            handed |= fan_out(session, found)
            events.settle(session, settled)
