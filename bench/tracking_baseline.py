"""BASELINE, not Cardfile: the plainest durable tracking endpoint, to show what the intake's
design buys.

A minimal FastAPI app with ``POST /v1/batch`` and ``POST /v1/track``: the body parsed with
``json.loads``, each message made a row (the same columns as Cardfile's ``events`` table, the
payload stored as JSON text), and the request's rows committed in **one transaction per
request** — no group commit — before it answers 200 ``{"success": true}``. No write-key check,
no validation, no Segment completion (``receivedAt``, clock skew), no hub, no queue bound: it
does strictly less per request than Cardfile's intake.

- SQLite: one connection with Cardfile's pragmas (WAL, ``synchronous=NORMAL``), writes
  serialised by a lock (SQLite has one writer; letting 40 threadpool threads race for the
  write lock would measure ``busy_timeout``'s sleeps instead). Same table, same unique index on
  (source, messageId) and the same two indexes as Cardfile's.
- PostgreSQL: a psycopg connection per threadpool thread (PostgreSQL takes concurrent
  writers), autocommit off, one ``executemany`` and one commit per request.

Served exactly as Cardfile is: ``uvicorn`` one worker, uvloop and httptools, on loopback::

    BENCH_BASELINE_URL=sqlite:////tmp/x.db python -m uvicorn --factory \
        bench.tracking_baseline:create_app --port 8999
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

SUCCESS = b'{"success":true}'

SQLITE_TABLE = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    message_id VARCHAR(100) NOT NULL,
    type VARCHAR(20) NOT NULL,
    user_id VARCHAR(255),
    anonymous_id VARCHAR(255),
    payload JSON NOT NULL,
    received_at DATETIME NOT NULL,
    hub_status VARCHAR(20) NOT NULL,
    hub_detail TEXT,
    UNIQUE (source_id, message_id)
)"""
_POSTGRES_TABLE = """
CREATE TABLE IF NOT EXISTS events (
    id BIGSERIAL PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    message_id VARCHAR(100) NOT NULL,
    type VARCHAR(20) NOT NULL,
    user_id VARCHAR(255),
    anonymous_id VARCHAR(255),
    payload JSON NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    hub_status VARCHAR(20) NOT NULL,
    hub_detail TEXT,
    UNIQUE (source_id, message_id)
)"""
INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_events_source_id_id ON events (source_id, id)",
    "CREATE INDEX IF NOT EXISTS ix_events_workspace_hub_status_id "
    "ON events (workspace_id, hub_status, id)",
)
_INSERT = (
    "INSERT INTO events (workspace_id, source_id, message_id, type, user_id, anonymous_id, "
    "payload, received_at, hub_status) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}) "
    "ON CONFLICT (source_id, message_id) DO NOTHING"
)


def _row(item: dict[str, Any], received: Any) -> tuple[Any, ...]:
    user = item.get("userId")
    anonymous = item.get("anonymousId")
    return (
        1,
        1,
        str(item.get("messageId") or uuid.uuid4()),
        str(item.get("type", "track")),
        None if user is None else str(user),
        None if anonymous is None else str(anonymous),
        json.dumps(item),
        received,
        "pending",
    )


class _Sqlite:
    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
            self.connection.execute(f"PRAGMA {pragma}")
        self.connection.execute(SQLITE_TABLE)
        for index in INDEXES:
            self.connection.execute(index)
        self.lock = threading.Lock()
        self.insert = _INSERT.format(p="?")

    def write(self, items: list[dict[str, Any]]) -> None:
        received = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        rows = [_row(item, received) for item in items]
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                self.connection.executemany(self.insert, rows)
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")


class _Postgres:
    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.local = threading.local()
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(_POSTGRES_TABLE)
            for index in INDEXES:
                connection.execute(index)
        self.insert = _INSERT.format(p="%s")

    def write(self, items: list[dict[str, Any]]) -> None:
        import psycopg

        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = psycopg.connect(self.url)
        received = datetime.now(UTC)
        rows = [_row(item, received) for item in items]
        with connection.cursor() as cursor:
            cursor.executemany(self.insert, rows)
        connection.commit()


def create_app() -> FastAPI:
    """The baseline app on ``BENCH_BASELINE_URL`` (``sqlite:///path`` or ``postgresql://…``)."""
    url = os.environ["BENCH_BASELINE_URL"]
    store: _Sqlite | _Postgres = (
        _Sqlite(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else _Postgres(url)
    )
    app = FastAPI(title="tracking baseline (not Cardfile)")

    @app.post("/v1/batch")
    async def batch(request: Request) -> Response:
        data = json.loads(await request.body())
        await run_in_threadpool(store.write, list(data["batch"]))
        return Response(SUCCESS, media_type="application/json")

    @app.post("/v1/track")
    async def track(request: Request) -> Response:
        item = json.loads(await request.body())
        item["type"] = "track"
        await run_in_threadpool(store.write, [item])
        return Response(SUCCESS, media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return app
