"""The job queue on each of its backends, with a real consumer taking the tasks: SQLite in the
data folder, PostgreSQL (the store's database; a database of its own here) and Redis (a queue
name of its own, its keys deleted after)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy import create_engine, text

from cardfile.jobs.consumer import consuming
from cardfile.jobs.queue import create_huey
from cardfile.settings import Settings


@pytest.fixture
def redis_queue(redis_url: str) -> Iterator[Settings]:
    import redis

    name = f"cardfile-test-{uuid.uuid4().hex[:12]}"
    yield Settings(redis_url=redis_url, queue_name=name)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.close()


def _round_trip(huey: Huey) -> None:
    """Two tasks queued, both run by a consumer of two workers, their results read back."""

    @huey.task(name="double")
    def double(n: int) -> int:
        return n * 2

    with consuming(huey, 2):
        results = [double(n) for n in (3, 4)]
        assert [r.get(blocking=True, timeout=20) for r in results] == [6, 8]
    assert huey.pending_count() == 0


def test_the_embedded_default_queues_in_a_sqlite_file(tmp_path: Path) -> None:
    huey = create_huey(Settings(data_dir=tmp_path))
    assert isinstance(huey, SqliteHuey)
    assert (tmp_path / "jobs.db").exists()
    _round_trip(huey)


@pytest.mark.postgres
def test_on_postgresql_the_queue_is_in_the_stores_database(postgres_url: str) -> None:
    huey = create_huey(Settings(database_url=postgres_url, queue_name=f"q-{uuid.uuid4().hex[:8]}"))
    _round_trip(huey)
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'huey_%'")
        ).scalars()
        assert set(tables) == {"huey_kv", "huey_schedule", "huey_task", "huey_counter"}
    engine.dispose()


def test_with_a_redis_url_the_queue_is_in_redis(redis_queue: Settings) -> None:
    huey = create_huey(redis_queue)
    assert isinstance(huey, RedisHuey)
    _round_trip(huey)
