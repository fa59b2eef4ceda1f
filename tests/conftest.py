"""Shared fixtures: a real store on SQLite and on PostgreSQL, and a real server on loopback.

Every test that takes ``store`` (or anything built on it) runs once per backend. The
PostgreSQL run uses a database of its own, created for the session and dropped after it; in
CI (``CI=true``) an unreachable server fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cardfile import ids
from cardfile.api.app import create_app
from cardfile.settings import Settings
from cardfile.store import api_keys, workspaces
from cardfile.store.db import create_store_engine, migrate, session_factory, transaction
from cardfile.store.schema import Base

POSTGRES_ADMIN_URL = os.environ.get(
    "CARDFILE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CARDFILE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str, what: str = "PostgreSQL", setting: str = "POSTGRES") -> None:
    if IN_CI:
        pytest.fail(f"{what} tests must run in CI: {reason}", pytrace=False)
    pytest.skip(f"{what} not reachable ({reason}); set CARDFILE_TEST_{setting}_URL")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The Redis server the queue tests use (they keep to key prefixes of their own)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        _unavailable(str(error), "Redis", "REDIS")
    yield REDIS_URL
    client.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cardfile_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any connection failure means "no server here"
        admin.dispose()
        _unavailable(str(error).splitlines()[0])
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated store engine, once per backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("store") / "cardfile.db"
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    made = create_store_engine(url)
    migrate(made)
    yield made
    made.dispose()


def clean_store(engine: Engine) -> None:
    """Empty every table and reset the change counter.

    The live server's workers may still be finishing a task of the previous test (delivering
    events, say); PostgreSQL may then pick the TRUNCATE as a deadlock's victim, and emptying
    is simply tried again.
    """
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "change_sequence"]
    for attempt in range(5):
        try:
            with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    connection.execute(
                        text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
                    )
                else:
                    for table in tables:
                        connection.execute(text(f"DELETE FROM {table}"))
                connection.execute(text("UPDATE change_sequence SET value = 0"))
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2)
        else:
            return


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory on an emptied store."""
    clean_store(engine)
    return session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A write session; committed at the end of the test if it did not fail."""
    with transaction(sessions) as active:
        yield active


@dataclass
class Tenant:
    """A workspace with an API key, as a client sees them."""

    workspace_id: int
    product_id: str
    slug: str
    key: str


def make_tenant(sessions: sessionmaker[Session], slug: str) -> Tenant:
    """Create a workspace and a key for it."""
    with transaction(sessions) as active:
        workspace = workspaces.create(active, name=slug.title(), slug=slug)
        issued = api_keys.create(active, workspace_id=workspace.id)
        return Tenant(workspace.id, ids.encode("Product", workspace.id), slug, issued.secret)


@pytest.fixture
def tenant(sessions: sessionmaker[Session]) -> Tenant:
    """The workspace ``acme-corp`` with a key."""
    return make_tenant(sessions, "acme-corp")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    """Cardfile served over real HTTP on loopback."""

    url: str
    settings: Settings


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a loopback port for the block; its URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def live_server(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A uvicorn server on 127.0.0.1 for the session, on the backend under test."""
    data_dir: Path = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data_dir)
    with serving(create_app(settings, engine=engine)) as url:
        yield LiveServer(url=url, settings=settings)


@pytest.fixture
def server(live_server: LiveServer, sessions: sessionmaker[Session]) -> LiveServer:
    """The live server, on an emptied store."""
    return live_server


@pytest.fixture(scope="module")
def hubspot() -> Iterator[str]:
    """The HubSpot simulator on a loopback port, one per test module: the vendor for tests
    of what reaches a CRM through the connectors."""
    from simulators.hubspot import create_app as hubspot_app
    from simulators.kit import serve

    with serve(hubspot_app()) as base_url:
        yield base_url
