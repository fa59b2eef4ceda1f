"""Throw-away databases, one per measured run: a SQLite file or a PostgreSQL database.

PostgreSQL is reached on loopback only (127.0.0.1:5432, user ``postgres``, trust auth); each
run gets a uniquely named database that is dropped afterwards, even when the run fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psycopg
from psycopg import sql

Backend = Literal["sqlite", "postgres"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgres")

# The maintenance database the benchmark connects to in order to create and drop its own.
POSTGRES_ADMIN_URL = os.environ.get(
    "CARDFILE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class Database:
    """One fresh database: its SQLAlchemy URL, and what a raw driver needs to reach it."""

    backend: Backend
    url: str
    path: Path | None = None
    name: str | None = None

    @property
    def libpq_url(self) -> str:
        """The PostgreSQL URL as psycopg takes it (no ``+psycopg`` driver suffix)."""
        if self.name is None:
            raise ValueError("only a PostgreSQL database has a libpq URL")
        return _postgres_url(self.name)


def _postgres_url(name: str) -> str:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def _sqlalchemy_url(libpq_url: str) -> str:
    return libpq_url.replace("postgresql://", "postgresql+psycopg://", 1)


def postgres_version() -> str:
    """The server's version string, or why it could not be read."""
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=5) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error as error:
        return f"unreachable ({str(error).splitlines()[0]})"
    return str(row[0]) if row else "unknown"


@contextmanager
def fresh_database(
    backend: Backend, workdir: Path, label: str, *, template: Database | None = None
) -> Iterator[Database]:
    """A new empty database (or a copy of ``template``), removed when the block ends.

    A template must have no open connections: dispose of its engine first.
    """
    if backend == "sqlite":
        with _sqlite(workdir, label, template) as database:
            yield database
    else:
        with _postgres(label, template) as database:
            yield database


_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


@contextmanager
def _sqlite(workdir: Path, label: str, template: Database | None) -> Iterator[Database]:
    path = workdir / f"{label}-{uuid.uuid4().hex[:8]}.db"
    if template is not None and template.path is not None:
        for suffix in _SQLITE_SIDE_FILES[:2]:
            source = Path(f"{template.path}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{path}{suffix}")
    try:
        yield Database(backend="sqlite", url=f"sqlite:///{path}", path=path)
    finally:
        for suffix in _SQLITE_SIDE_FILES:
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def _postgres(label: str, template: Database | None) -> Iterator[Database]:
    name = f"cardfile_bench_{label}_{uuid.uuid4().hex[:10]}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None and template.name is not None:
        create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template.name)
        )
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as admin:
        admin.execute(create)
    try:
        libpq_url = _postgres_url(name)
        yield Database(backend="postgres", url=_sqlalchemy_url(libpq_url), name=name)
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as admin:
            admin.execute(drop)
