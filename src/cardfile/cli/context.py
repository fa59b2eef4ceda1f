"""The store as the CLI opens it: settings from the environment, migrations applied."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from cardfile.settings import get_settings
from cardfile.store.db import create_store_engine, migrate, session_factory, transaction


@contextmanager
def store_session() -> Iterator[Session]:
    """One write transaction on the configured store, migrated to the newest schema."""
    engine = create_store_engine(get_settings().effective_database_url)
    try:
        migrate(engine)
        with transaction(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
