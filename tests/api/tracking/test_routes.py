"""``/v1/*`` over real HTTP: Segment's payload rules, and what is stored for each call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.events.messages import parse_time
from tests.api.tracking.conftest import Source, Tracker, stored

SINGLE = {
    "identify": {"userId": "u1", "traits": {"email": "ada@example.com"}},
    "group": {"userId": "u1", "groupId": "acme", "traits": {"website": "acme.com"}},
    "track": {"userId": "u1", "event": "Signed Up", "properties": {"plan": "pro"}},
    "page": {"anonymousId": "a1", "name": "Pricing", "properties": {"path": "/pricing"}},
    "screen": {"anonymousId": "a1", "name": "Home"},
    "alias": {"userId": "u1", "previousId": "a1"},
}


@pytest.mark.parametrize("kind", sorted(SINGLE))
def test_each_single_call_is_stored_whole_and_answered_like_segment(
    tracker: Tracker, source: Source, sessions: sessionmaker[Session], kind: str
) -> None:
    answer = tracker.post(kind, {**SINGLE[kind], "messageId": f"m-{kind}"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"success": True}
    assert answer.headers["content-type"] == "application/json"
    (event,) = stored(sessions)
    assert (event.type, event.message_id, event.source_id) == (kind, f"m-{kind}", source.source_id)
    assert event.workspace_id == source.workspace_id
    for field, value in SINGLE[kind].items():
        assert event.payload[field] == value
    assert event.payload["type"] == kind
    assert "writeKey" not in event.payload


def test_the_route_decides_the_type(tracker: Tracker, sessions: sessionmaker[Session]) -> None:
    assert (
        tracker.post("track", {"type": "identify", "userId": "u", "event": "E"}).status_code == 200
    )
    assert stored(sessions)[0].type == "track"


def test_a_batch_stores_every_item_in_order_with_the_shared_fields_merged(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    body = {
        "batch": [
            {"type": "identify", "userId": "u1", "traits": {"email": "a@x.com"},
             "context": {"ip": "10.0.0.9"}},
            {"type": "track", "userId": "u1", "event": "Clicked",
             "integrations": {"All": True, "Attio": False}},
            {"type": "group", "userId": "u1", "groupId": "g1"},
        ],
        "context": {"ip": "10.0.0.1", "library": {"name": "curl", "version": "8"}},
        "integrations": {"All": False, "Attio": True},
    }  # fmt: skip
    assert tracker.post("batch", body).json() == {"success": True}
    events = stored(sessions)
    assert [e.type for e in events] == ["identify", "track", "group"]
    identify, track, group = (e.payload for e in events)
    assert identify["context"] == {"ip": "10.0.0.9", "library": {"name": "curl", "version": "8"}}
    assert identify["integrations"] == {"All": False, "Attio": True}
    assert track["context"]["ip"] == "10.0.0.1"
    assert track["integrations"] == {"All": True, "Attio": False}
    assert group["context"]["library"]["name"] == "curl"


def test_import_is_batch(tracker: Tracker, sessions: sessionmaker[Session]) -> None:
    body = {"batch": [{"type": "track", "userId": 7, "event": "Old"}]}
    assert tracker.post("import", body).status_code == 200
    assert [e.type for e in stored(sessions)] == ["track"]


def test_ids_become_strings_and_a_message_id_is_made_when_absent(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    body = {
        "batch": [
            {"type": "identify", "userId": 42, "anonymousId": 9.5},
            {"type": "group", "anonymousId": "anon", "groupId": 1001},
            {"type": "alias", "userId": "u", "previousId": 5},
        ]
    }
    assert tracker.post("batch", body).status_code == 200
    identify, group, alias = stored(sessions)
    assert (identify.user_id, identify.anonymous_id) == ("42", "9.5")
    assert (identify.payload["userId"], identify.payload["anonymousId"]) == ("42", "9.5")
    assert group.user_id is None and group.payload["groupId"] == "1001"
    assert alias.payload["previousId"] == "5"
    ids = {identify.message_id, group.message_id, alias.message_id}
    assert len(ids) == 3 and all(len(i) == 36 for i in ids)  # uuid4
    assert all(e.payload["messageId"] == e.message_id for e in (identify, group, alias))


def test_the_server_sets_received_at_and_corrects_the_clients_clock(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    # The client's clock runs 1 hour fast: it says it sent at 13:00:05 an event of 13:00:00.
    body = {
        "batch": [
            {"type": "track", "userId": "u", "event": "Skewed", "timestamp": "2024-05-01T13:00:00Z"},
            {"type": "track", "userId": "u", "event": "Own sentAt",
             "timestamp": "2024-05-01T13:00:00+02:00", "sentAt": "2024-05-01T11:00:01Z"},
            {"type": "track", "userId": "u", "event": "No timestamp"},
            {"type": "track", "userId": "u", "event": "Bad timestamp", "timestamp": "last tuesday"},
        ],
        "sentAt": "2024-05-01T13:00:05.000Z",
    }  # fmt: skip
    before = datetime.now(UTC)
    assert tracker.post("batch", body).status_code == 200
    after = datetime.now(UTC)
    skewed, own, none, bad = (e.payload for e in stored(sessions))
    received = parse_time(skewed["receivedAt"])
    assert received is not None
    assert before - timedelta(seconds=1) <= received <= after + timedelta(seconds=1)
    assert skewed["originalTimestamp"] == "2024-05-01T13:00:00Z"
    assert skewed["sentAt"] == "2024-05-01T13:00:05.000Z"
    assert parse_time(skewed["timestamp"]) == received - timedelta(seconds=5)
    assert own["sentAt"] == "2024-05-01T11:00:01Z"
    assert parse_time(own["timestamp"]) == parse_time(own["receivedAt"]) - timedelta(seconds=1)  # type: ignore[operator]
    assert none["timestamp"] == none["receivedAt"] and "originalTimestamp" not in none
    assert bad["originalTimestamp"] == "last tuesday" and bad["timestamp"] == bad["receivedAt"]


def test_a_timestamp_without_sent_at_is_kept_as_the_time_it_happened(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    body = {"userId": "u", "event": "Historical", "timestamp": "2019-01-02T03:04:05.678Z"}
    assert tracker.post("track", body).status_code == 200
    payload = stored(sessions)[0].payload
    assert payload["timestamp"] == "2019-01-02T03:04:05.678Z"
    assert payload["originalTimestamp"] == "2019-01-02T03:04:05.678Z"


def test_a_single_call_without_ids_is_refused_with_segments_code(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    answer = tracker.post("identify", {"traits": {"email": "x@y.com"}})
    assert answer.status_code == 400
    assert answer.json()["code"] == "no_user_anon_id"
    assert tracker.post("identify", {"userId": "", "anonymousId": None}).json()["code"] == (
        "no_user_anon_id"
    )
    assert tracker.post("track", {"userId": "u"}).json()["code"] == "missing_event"
    assert tracker.post("group", {"userId": "u"}).json()["code"] == "missing_group_id"
    assert tracker.post("alias", {"userId": "u"}).json()["code"] == "missing_previous_id"
    assert tracker.post("identify", {"userId": "u", "traits": [1]}).json()["code"] == (
        "invalid_traits"
    )
    assert stored(sessions) == []


def test_bad_items_of_a_batch_are_dropped_counted_and_recorded_the_rest_stored(
    tracker: Tracker, source: Source, sessions: sessionmaker[Session], server_url: str, api_key: str
) -> None:
    import httpx

    body = {
        "batch": [
            {"type": "track", "userId": "u", "event": "Kept 1", "messageId": "k1"},
            {"type": "bogus", "userId": "u", "messageId": "b1"},
            {"type": "identify", "traits": {"email": "nobody@x.com"}, "messageId": "b2"},
            "not an object",
            {"type": "track", "userId": "u", "event": "Too big", "messageId": "b3",
             "properties": {"blob": "x" * 40_000}},
            {"type": "identify", "userId": {"nested": 1}, "messageId": "b4"},
            {"type": "track", "userId": "u", "event": "Kept 2", "messageId": "k2"},
        ]
    }  # fmt: skip
    answer = tracker.post("batch", body)
    assert answer.status_code == 200
    assert answer.json() == {"success": True}
    assert answer.headers["x-cardfile-rejected"] == "5"
    assert [e.message_id for e in stored(sessions)] == ["k1", "k2"]
    rejections = httpx.get(
        f"{server_url}/api/v1/sources/{source.source_id}/rejections",
        headers={"Authorization": f"Bearer {api_key}"},
    ).json()["data"]
    assert [(r["code"], r["message_id"]) for r in rejections] == [
        ("invalid_userId", "b4"),
        ("message_too_large", "b3"),
        ("invalid_message", None),
        ("no_user_anon_id", "b2"),
        ("invalid_type", "b1"),
    ]


def test_duplicate_message_ids_are_dropped_within_a_batch_and_across_requests(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    first = {"type": "track", "userId": "u", "event": "Once", "messageId": "dup-1"}
    body = {"batch": [first, {**first, "event": "Twice"}, {**first, "messageId": "dup-2"}]}
    assert tracker.post("batch", body).status_code == 200
    assert tracker.post("batch", body).status_code == 200  # an SDK's retry
    assert tracker.post("track", {**first, "event": "Thrice"}).status_code == 200
    events = stored(sessions)
    assert [(e.message_id, e.payload["event"]) for e in events] == [
        ("dup-1", "Once"),
        ("dup-2", "Once"),
    ]


def test_the_same_message_id_in_two_sources_is_two_events(
    tracker: Tracker, server_url: str, sessions: sessionmaker[Session], source: Source
) -> None:
    from tests.api.tracking.conftest import make_source

    other = make_source(sessions, source.workspace_id, "mobile")
    body = {"userId": "u", "event": "E", "messageId": "same"}
    assert tracker.post("track", body).status_code == 200
    assert Tracker(server_url, other.key).post("track", body).status_code == 200
    assert sorted(e.source_id for e in stored(sessions)) == sorted(
        [source.source_id, other.source_id]
    )


def test_over_long_or_unstorable_ids_are_refused_not_stored(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    body = {
        "batch": [
            {"type": "track", "userId": "u" * 256, "event": "E"},
            {"type": "track", "userId": "nul\u0000in it", "event": "E"},
            {"type": "track", "userId": "u", "event": "E", "messageId": "m" * 101},
            {"type": "track", "userId": "u", "event": "E", "messageId": "fine"},
        ]
    }
    answer = tracker.post("batch", body)
    assert answer.status_code == 200
    assert answer.headers["x-cardfile-rejected"] == "3"
    assert [e.message_id for e in stored(sessions)] == ["fine"]
