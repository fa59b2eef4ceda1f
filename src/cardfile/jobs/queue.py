"""The Huey instance for a deployment's settings.

Embedded default: ``SqliteHuey`` in a file of the data folder. On PostgreSQL: Huey's SQL
storage on the store's own database (its tables prefixed ``huey_``; workers take tasks with
``FOR UPDATE SKIP LOCKED``, so any number may compete). With ``CARDFILE_REDIS_URL``: ``RedisHuey``.
The queue name keeps deployments that share a Redis or a database apart.
"""

from __future__ import annotations

from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.contrib.sql_huey import SqlStorage
from playhouse.postgres_ext import Psycopg3Database
from sqlalchemy.engine import make_url

from cardfile.settings import Settings


class _PrefixedStorage(SqlStorage):  # type: ignore[misc]
    """Huey's SQL storage with its tables named ``huey_*``, beside the store's own."""

    def create_models(self) -> tuple[Any, ...]:
        models: tuple[Any, ...] = super().create_models()
        for model in models:
            model._meta.set_table_name(f"huey_{model._meta.table_name}")
            # An index added by hand names the table it was made for: make it again.
            if "priority" in model._meta.fields:  # the task table's (priority, id) index
                model._meta.indexes = []
                model.add_index(model.priority.desc(), model.id)
        return models


def postgres_database(url: str) -> Psycopg3Database:
    """A peewee database (psycopg 3, as the store uses) for a SQLAlchemy PostgreSQL URL."""
    parsed = make_url(url)
    options = {
        "user": parsed.username,
        "password": parsed.password,
        "host": parsed.host,
        "port": parsed.port,
        **{key: value for key, value in parsed.query.items() if isinstance(value, str)},
    }
    return Psycopg3Database(parsed.database, **{k: v for k, v in options.items() if v is not None})


def create_huey(settings: Settings) -> Huey:
    """The queue ``settings`` name: Redis, the store's PostgreSQL, or a SQLite file."""
    name = settings.queue_name
    if settings.redis_url:
        return RedisHuey(name, url=settings.redis_url)
    url = settings.effective_database_url
    if url.startswith("postgresql"):
        return Huey(name, storage_class=_PrefixedStorage, database=postgres_database(url))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str((settings.data_dir / "jobs.db").resolve()))
