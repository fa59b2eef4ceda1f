"""Which syncs the once-a-minute schedule finds due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cardfile.jobs.syncs import due
from cardfile.store.syncs import StoredSync

NOW = datetime(2026, 11, 23, 12, 15, 0, tzinfo=UTC)


def _sync(schedule: str, *, enabled: bool = True) -> StoredSync:
    definition: dict[str, Any] = {"schedule": schedule, "enabled": enabled}
    return StoredSync(1, 1, "s", 1, "c", "hubspot", definition, NOW, NOW)


def test_an_interval_is_due_once_it_has_passed() -> None:
    every = _sync("every 15 minutes")
    assert due(every, None, NOW)
    assert not due(every, NOW - timedelta(minutes=10), NOW)
    assert due(every, NOW - timedelta(minutes=15), NOW)
    assert not due(_sync("every 2 hours"), NOW - timedelta(minutes=90), NOW)


def test_a_cron_line_fires_on_its_minute_once() -> None:
    quarter = _sync("*/15 * * * *")
    assert due(quarter, None, NOW)
    assert not due(quarter, NOW.replace(second=10), NOW)  # already started this minute
    assert not due(quarter, None, NOW + timedelta(minutes=1))


def test_manual_and_disabled_syncs_are_never_due() -> None:
    assert not due(_sync("manual"), None, NOW)
    assert not due(_sync("every 5 minutes", enabled=False), None, NOW)
