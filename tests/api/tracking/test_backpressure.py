"""Back-pressure and store failures over real HTTP: 429 and 503 with ``Retry-After``, which the
SDKs retry, and never a 200 for events that were not stored."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from cardfile.api.app import create_app
from cardfile.settings import Settings
from cardfile.store import workspaces
from cardfile.store.db import create_store_engine, migrate, session_factory, transaction
from tests.api.tracking.conftest import Source, Tracker, make_source, stored
from tests.conftest import Tenant, serving


def _batch(prefix: str, n: int) -> dict[str, object]:
    return {"batch": [{"type": "track", "userId": "u", "event": "E", "messageId": f"{prefix}{i}"}
                      for i in range(n)]}  # fmt: skip


@contextmanager
def _events_locked(engine: Engine) -> Iterator[None]:
    """Writes to the event log wait while the block runs (another writer holds the lock)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection = connection.execution_options(cardfile_write=True)  # BEGIN IMMEDIATE
            transaction_ = connection.begin()
        else:
            transaction_ = connection.begin()
            connection.execute(text("LOCK TABLE events IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            transaction_.rollback()


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_a_full_queue_answers_429_with_retry_after_and_stores_what_it_took(
    engine: Engine, sessions: sessionmaker[Session], tenant: Tenant, tmp_path: Path
) -> None:
    source = make_source(sessions, tenant.workspace_id)
    settings = Settings(data_dir=tmp_path, workers=0, tracking_queue_events=2500)
    app = create_app(settings, engine=engine)
    intake = app.state.tracking.intake
    answers: dict[str, int] = {}

    def send(tracker: Tracker, name: str, body: dict[str, object]) -> None:
        answers[name] = tracker.post("batch", body).status_code

    with serving(app) as url:
        tracker = Tracker(url, source.key)
        with _events_locked(engine):
            first = threading.Thread(target=send, args=(tracker, "first", _batch("a", 2500)))
            first.start()
            _until(lambda: intake.in_flight == 2500, "the first batch's commit to start")
            second = threading.Thread(target=send, args=(tracker, "second", _batch("b", 2500)))
            second.start()
            _until(lambda: intake.queued == 2500, "the second batch to wait")
            refused = tracker.post("track", {"userId": "u", "event": "One more"})
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "1"
            assert refused.json()["code"] == "rate_limited"
            assert answers == {}  # nothing answered while nothing is stored
        first.join(30)
        second.join(30)
    assert answers == {"first": 200, "second": 200}
    assert len(stored(sessions)) == 5000


def test_an_unusable_store_answers_503_and_keeps_nothing(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    made = session_factory(engine)
    with transaction(made) as session:
        workspace_id = workspaces.create(session, name="Acme", slug="acme").id
    source: Source = make_source(made, workspace_id)
    settings = Settings(data_dir=tmp_path, workers=0, tracking_key_cache_seconds=0)
    try:
        with serving(create_app(settings, engine=engine)) as url:
            tracker = Tracker(url, source.key)
            assert tracker.post("track", {"userId": "u", "event": "Before"}).status_code == 200
            with engine.begin() as connection:
                connection.execute(text("ALTER TABLE events RENAME TO events_away"))
            lost = tracker.post("track", {"userId": "u", "event": "Lost"})
            assert lost.status_code == 503
            assert lost.headers["retry-after"] == "1"
            with engine.begin() as connection:
                connection.execute(text("ALTER TABLE events_away RENAME TO events"))
                connection.execute(text("ALTER TABLE write_keys RENAME TO keys_away"))
            no_keys = tracker.post("track", {"userId": "u", "event": "No keys"})
            assert no_keys.status_code == 503
            with engine.begin() as connection:
                connection.execute(text("ALTER TABLE keys_away RENAME TO write_keys"))
            assert tracker.post("track", {"userId": "u", "event": "After"}).status_code == 200
        assert [e.payload["event"] for e in stored(made)] == ["Before", "After"]
    finally:
        engine.dispose()
