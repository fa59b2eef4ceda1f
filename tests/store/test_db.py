"""Per-dialect engine settings the store relies on."""

from __future__ import annotations

from sqlalchemy import Engine, text


def test_engine_settings(engine: Engine) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        else:
            # Server-side prepared statements stay off: a generic plan made while a table was
            # small made an import's lookups sequential scans as the table grew.
            assert connection.connection.driver_connection.prepare_threshold is None  # type: ignore[union-attr]
