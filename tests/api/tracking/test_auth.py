"""Write keys over real HTTP: every place the official libraries put them, and refusals."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import sources
from cardfile.store.db import transaction
from tests.api.tracking.conftest import Source, Tracker, basic, make_source, stored
from tests.conftest import LiveServer, Tenant, make_tenant

EVENT = {"userId": "u1", "event": "Signed Up"}


@pytest.mark.parametrize("auth", ["basic", "basic-no-colon", "body", "bearer"])
def test_the_key_is_taken_from_wherever_the_sdk_put_it(
    tracker: Tracker, source: Source, sessions: sessionmaker[Session], auth: str
) -> None:
    answer = tracker.post("track", EVENT, auth=auth)
    assert answer.status_code == 200, answer.text
    batch = tracker.post("batch", {"batch": [{**EVENT, "type": "track"}]}, auth=auth)
    assert batch.status_code == 200, batch.text
    events = stored(sessions)
    assert [e.source_id for e in events] == [source.source_id] * 2
    assert all("writeKey" not in e.payload for e in events)


def test_a_request_shaped_like_analytics_node(
    tracker: Tracker, source: Source, sessions: sessionmaker[Session]
) -> None:
    """@segment/analytics-node: Basic base64(key + ':'), no writeKey in the body, sentAt."""
    body = {
        "batch": [
            {"type": "identify", "userId": "u-node", "traits": {"email": "n@x.com"},
             "messageId": "node-1", "timestamp": "2024-05-01T10:00:00.000Z",
             "context": {"library": {"name": "@segment/analytics-node", "version": "2.1.2"}},
             "integrations": {}, "_metadata": {"jsRuntime": "node"}},
        ],
        "sentAt": "2024-05-01T10:00:00.100Z",
    }  # fmt: skip
    answer = httpx.post(
        f"{tracker.url}/v1/batch",
        json=body,
        headers={"Authorization": basic(source.key), "User-Agent": "analytics-node-next/latest"},
    )
    assert answer.status_code == 200
    assert answer.json() == {"success": True}
    (event,) = stored(sessions)
    assert (event.message_id, event.user_id, event.type) == ("node-1", "u-node", "identify")
    assert event.payload["_metadata"] == {"jsRuntime": "node"}


def test_a_request_shaped_like_analytics_python_2_2(
    tracker: Tracker, source: Source, sessions: sessionmaker[Session]
) -> None:
    """analytics-python up to 2.2: requests' auth=(key, "") — Basic "key:" — and no body key."""
    body = {
        "batch": [{"type": "track", "userId": "u-py", "event": "Old SDK", "messageId": "py-1",
                   "timestamp": "2024-05-01T10:00:00.000+00:00",
                   "context": {"library": {"name": "analytics-python", "version": "2.2.2"}},
                   "integrations": {}}],
        "sentAt": "2024-05-01T10:00:00.500+00:00",
    }  # fmt: skip
    answer = httpx.post(
        f"{tracker.url}/v1/batch",
        json=body,
        auth=(source.key, ""),
        headers={"User-Agent": "analytics-python/2.2.2"},
    )
    assert answer.status_code == 200
    assert stored(sessions)[0].message_id == "py-1"


def test_no_key_or_an_unknown_key_is_a_401_with_a_code_and_nothing_stored(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    missing = tracker.post("track", EVENT, auth="none")
    assert missing.status_code == 401
    assert missing.json()["code"] == "missing_write_key"
    bearer_only = tracker.post("track", EVENT, auth="none", headers={"Authorization": "Bearer x"})
    assert bearer_only.json()["code"] == "missing_write_key"
    unknown = Tracker(tracker.url, "wk_not-a-key").post("track", EVENT)
    assert unknown.status_code == 401
    assert unknown.json() == {"code": "invalid_write_key", "message": unknown.json()["message"]}
    garbled = tracker.post("track", EVENT, auth="none", headers={"Authorization": "Basic %%%"})
    assert garbled.json()["code"] == "missing_write_key"
    odd = Tracker(tracker.url, "wk_ünïcode").post(
        "track", {**EVENT, "writeKey": "wk_ünïcode"}, auth="none"
    )
    assert odd.json()["code"] == "invalid_write_key"
    assert stored(sessions) == []


def test_a_key_revoked_through_the_api_is_refused_at_once(
    tracker: Tracker, source: Source, api_key: str, sessions: sessionmaker[Session]
) -> None:
    assert tracker.post("track", EVENT).status_code == 200  # now cached
    api = httpx.Client(
        base_url=f"{tracker.url}/api/v1", headers={"Authorization": f"Bearer {api_key}"}
    )
    (key,) = api.get(f"/sources/{source.source_id}/write-keys").json()["data"]
    revoked = api.delete(f"/sources/{source.source_id}/write-keys/{key['key_id']}")
    assert revoked.status_code == 200
    answer = tracker.post("track", {**EVENT, "messageId": "after"})
    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_write_key"
    assert [e.message_id for e in stored(sessions)] != ["after"]
    assert len(stored(sessions)) == 1


def test_a_key_of_a_deleted_source_is_refused(
    tracker: Tracker, source: Source, api_key: str
) -> None:
    assert tracker.post("track", EVENT).status_code == 200
    gone = httpx.delete(
        f"{tracker.url}/api/v1/sources/{source.source_id}",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert gone.status_code == 200
    assert tracker.post("track", EVENT).status_code == 401


def test_a_workspaces_key_writes_only_into_its_own_source(
    server: LiveServer, tenant: Tenant, source: Source, sessions: sessionmaker[Session]
) -> None:
    other_workspace = make_tenant(sessions, "globex")
    theirs = make_source(sessions, other_workspace.workspace_id, "website")
    # Their key, with our source named and our workspace's ids in the body, still lands in
    # their source: the key alone decides.
    body = {"userId": "u", "event": "E", "writeKey": source.key, "context": {"sourceId": 1}}
    answer = Tracker(server.url, theirs.key).post("track", body)
    assert answer.status_code == 200
    (event,) = stored(sessions)
    assert (event.workspace_id, event.source_id) == (theirs.workspace_id, theirs.source_id)
    assert stored(sessions, source.source_id) == []


def test_without_the_cache_a_key_revoked_by_another_process_is_refused_at_once(
    engine: object, sessions: sessionmaker[Session], tenant: Tenant, tmp_path: object
) -> None:
    from pathlib import Path

    from sqlalchemy import Engine

    from cardfile.api.app import create_app
    from cardfile.settings import Settings
    from tests.conftest import serving

    assert isinstance(engine, Engine) and isinstance(tmp_path, Path)
    made = make_source(sessions, tenant.workspace_id)
    settings = Settings(data_dir=tmp_path, workers=0, tracking_key_cache_seconds=0)
    with serving(create_app(settings, engine=engine)) as url:
        tracker = Tracker(url, made.key)
        assert tracker.post("track", EVENT).status_code == 200
        with transaction(sessions) as session:  # as `cardfile write-keys revoke` does
            (key,) = sources.keys_of(session, sources.get(session, tenant.workspace_id, "website"))
            sources.revoke_key(session, tenant.workspace_id, key.id)
        assert tracker.post("track", EVENT).status_code == 401
