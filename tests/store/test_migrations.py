"""The migrations build exactly the tables the code declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from cardfile.store.db import migrate
from cardfile.store.schema import Base, is_ours


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        # The job queue's tables (huey_*) share the database; they are not the store's.
        context = MigrationContext.configure(connection, opts={"include_name": is_ours})
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_again_is_a_no_op(engine: Engine) -> None:
    migrate(engine)
    assert "companies" in inspect(engine).get_table_names()
