"""The official ``segment-analytics-python`` client, pointed at Cardfile over loopback,
delivers identify, group and track batches that all arrive — plain and gzipped."""

from __future__ import annotations

import logging

import pytest
from segment.analytics import Client
from sqlalchemy.orm import Session, sessionmaker

from tests.api.tracking.conftest import Source, stored
from tests.conftest import LiveServer


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_the_official_python_client_delivers_every_event(
    server: LiveServer,
    source: Source,
    sessions: sessionmaker[Session],
    compress: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failures: list[tuple[Exception, list[object]]] = []
    client = Client(
        source.key,
        host=server.url,
        gzip=compress,
        max_retries=3,
        upload_size=100,
        on_error=lambda error, batch: failures.append((error, batch)),
    )
    sent: list[str] = []
    for n in range(120):
        user = f"user-{n}"
        client.identify(user, {"email": f"{user}@example.com", "name": f"User {n}"},
                        message_id=f"identify-{n}")  # fmt: skip
        client.group(user, f"company-{n % 7}", {"name": f"Company {n % 7}",
                     "website": f"company{n % 7}.com"}, message_id=f"group-{n}")  # fmt: skip
        client.track(user, "Signed Up", {"plan": "pro", "n": n}, message_id=f"track-{n}")
        sent += [f"identify-{n}", f"group-{n}", f"track-{n}"]
    with caplog.at_level(logging.ERROR, logger="segment"):
        client.flush()
        client.shutdown()
    assert failures == []
    assert not [r for r in caplog.records if r.name == "segment"]
    events = stored(sessions, source.source_id)
    assert sorted(e.message_id for e in events) == sorted(sent)
    by_id = {e.message_id: e for e in events}
    identify, group, track = by_id["identify-5"], by_id["group-5"], by_id["track-5"]
    assert identify.type == "identify" and identify.user_id == "user-5"
    assert identify.payload["traits"] == {"email": "user-5@example.com", "name": "User 5"}
    assert group.payload["groupId"] == "company-5"
    assert group.payload["traits"]["website"] == "company5.com"
    assert track.payload["event"] == "Signed Up" and track.payload["properties"]["n"] == 5
    assert track.payload["context"]["library"]["name"] == "analytics-python"
    assert "sentAt" in track.payload and "originalTimestamp" in track.payload


def test_the_official_client_is_told_of_a_wrong_key(
    server: LiveServer, source: Source, sessions: sessionmaker[Session]
) -> None:
    failures: list[Exception] = []
    client = Client(
        "wk_wrong", host=server.url, max_retries=1, on_error=lambda e, _b: failures.append(e)
    )
    client.track("u", "Lost?")
    client.flush()
    client.shutdown()
    assert len(failures) == 1
    assert getattr(failures[0], "status", None) == 401
    assert getattr(failures[0], "code", None) == "invalid_write_key"
    assert stored(sessions) == []
