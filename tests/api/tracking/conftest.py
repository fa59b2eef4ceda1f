"""A tracking source with a write key, and requests to the tracking API over loopback."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import sources
from cardfile.store.db import transaction
from cardfile.store.schema import Event
from tests.conftest import LiveServer, Tenant


@dataclass
class Source:
    """A source of a workspace, and a live write key of it."""

    workspace_id: int
    source_id: int
    key: str


def make_source(
    sessions: sessionmaker[Session], workspace_id: int, name: str = "website"
) -> Source:
    """Create a source and a write key for it."""
    with transaction(sessions) as session:
        made = sources.create(session, workspace_id=workspace_id, name=name)
        issued = sources.create_key(session, made)
        return Source(workspace_id, made.id, issued.secret)


@pytest.fixture
def source(sessions: sessionmaker[Session], tenant: Tenant) -> Source:
    """The source ``website`` of the workspace ``acme-corp``."""
    return make_source(sessions, tenant.workspace_id)


def basic(key: str, colon: bool = True) -> str:
    """The Authorization header analytics-node and analytics-python send."""
    return "Basic " + base64.b64encode(f"{key}{':' if colon else ''}".encode()).decode()


@dataclass
class Tracker:
    """Requests to one server's tracking API with one write key."""

    url: str
    key: str

    def post(
        self,
        path: str,
        body: Any,
        *,
        auth: str = "basic",
        compress: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST ``body`` (JSON unless bytes) to ``/v1/<path>`` with the key where ``auth`` says:
        ``basic``, ``basic-no-colon``, ``body``, ``bearer`` (Bearer + body) or ``none``."""
        sent = dict(headers or {})
        if isinstance(body, dict) and auth in ("body", "bearer"):
            body = {**body, "writeKey": self.key}
        if auth == "basic":
            sent["Authorization"] = basic(self.key)
        elif auth == "basic-no-colon":
            sent["Authorization"] = basic(self.key, colon=False)
        elif auth == "bearer":
            sent["Authorization"] = "Bearer some-oauth-access-token"
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if compress:
            data = gzip.compress(data)
            sent["Content-Encoding"] = "gzip"
        sent.setdefault("Content-Type", "application/json")
        return httpx.post(f"{self.url}/v1/{path}", content=data, headers=sent, timeout=30)


@pytest.fixture
def tracker(server: LiveServer, source: Source) -> Tracker:
    """The live server's tracking API with the source's key."""
    return Tracker(server.url, source.key)


def stored(sessions: sessionmaker[Session], source_id: int | None = None) -> list[Event]:
    """The event log, oldest first (one source's when given)."""
    query = select(Event).order_by(Event.id)
    if source_id is not None:
        query = query.where(Event.source_id == source_id)
    with sessions() as session:
        return list(session.scalars(query))


@pytest.fixture
def server_url(server: LiveServer) -> str:
    """The live server's URL."""
    return server.url


@pytest.fixture
def api_key(tenant: Tenant) -> str:
    """The workspace's API key (for ``/api/v1``)."""
    return tenant.key
