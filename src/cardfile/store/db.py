"""Engines, sessions and migrations for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"

T = TypeVar("T")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the API) go on while one writer (an import) works; busy_timeout makes
    # a second writer wait for the lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


WRITE = {"cardfile_write": True}
"""Execution options of a unit of work that will write."""


def _on_sqlite_begin(conn: Any) -> None:
    # A unit that writes takes SQLite's write lock at BEGIN: a deferred transaction upgrades
    # its lock on the first write and fails at once with "database is locked" if another
    # writer committed in between. Readers stay deferred so they never wait on a writer.
    immediate = conn.get_execution_options().get("cardfile_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_store_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the per-dialect settings Cardfile relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (see the pysqlite notes).
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(
            engine,
            "connect",
            lambda dbapi_connection, _record: setattr(dbapi_connection, "isolation_level", None),
        )
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    # No server-side prepared statements: psycopg prepares a query after five runs, and the
    # generic plan PostgreSQL then keeps was made while a table was small (a sequential scan),
    # which turned an import's per-chunk lookups quadratic as the table grew.
    connect_args = {"prepare_threshold": None} if parsed.get_backend_name() == "postgresql" else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work that writes: commit on success, roll back on any error."""
    with factory() as session:
        begin_write(session)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def in_transaction(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """``work`` as one unit of work (see :func:`transaction`); what it returns."""
    with transaction(factory) as session:
        return work(session)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write (``BEGIN IMMEDIATE`` on SQLite)."""
    session.connection(execution_options=WRITE)


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the database at ``engine`` to the newest schema."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_reachable(engine: Engine) -> bool:
    """True when a trivial query succeeds."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not reachable" to a health check
        return False
    return True
