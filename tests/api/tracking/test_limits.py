"""Segment's limits over real HTTP: sizes measured after inflating, gzip bodies, bad JSON."""

from __future__ import annotations

import gzip
import json
import zlib

import httpx
from sqlalchemy.orm import Session, sessionmaker

from tests.api.tracking.conftest import Tracker, basic, stored


def _track(n: int, pad: int = 0) -> dict[str, object]:
    return {"type": "track", "userId": f"u{n}", "event": "E", "messageId": f"m{n}",
            "properties": {"pad": "x" * pad}}  # fmt: skip


def test_a_single_call_over_32_kb_is_refused_with_a_code(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    fits = {"userId": "u", "event": "E", "properties": {"pad": "x" * 32_000}}
    assert len(json.dumps(fits)) <= 32 * 1024
    assert tracker.post("track", fits).status_code == 200
    big = {"userId": "u", "event": "E", "properties": {"pad": "x" * 33_000}}
    answer = tracker.post("track", big)
    assert answer.status_code == 400
    assert answer.json()["code"] == "message_too_large"
    assert set(answer.json()) == {"code", "message"}
    assert len(stored(sessions)) == 1


def test_a_batch_over_500_kb_is_refused_whole(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    fits = {"batch": [_track(i, 30_000) for i in range(16)]}  # ~480 KB
    assert len(json.dumps(fits)) < 500 * 1024
    assert tracker.post("batch", fits).status_code == 200
    big = {"batch": [_track(i, 30_000) for i in range(100, 118)]}  # ~540 KB
    answer = tracker.post("batch", big)
    assert answer.status_code == 400
    assert answer.json()["code"] == "batch_too_large"
    assert len(stored(sessions)) == 16


def test_a_batch_of_2500_events_is_taken_and_one_more_is_refused(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    small = [
        {"type": "track", "userId": "u", "event": "E", "messageId": str(i)} for i in range(2501)
    ]
    answer = tracker.post("batch", {"batch": small})
    assert answer.status_code == 400
    assert answer.json()["code"] == "too_many_events"
    assert tracker.post("batch", {"batch": small[:2500]}).status_code == 200
    assert len(stored(sessions)) == 2500


def test_gzip_bodies_are_inflated_and_measured_after_inflating(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    assert tracker.post("batch", {"batch": [_track(1)]}, compress=True).status_code == 200
    assert (
        tracker.post("track", {"userId": "u", "event": "Zipped"}, compress=True).status_code == 200
    )
    # 600 KB of JSON compresses to a few KB, and is still too large once inflated.
    big = {"batch": [_track(i, 30_000) for i in range(20)]}
    answer = tracker.post("batch", big, compress=True)
    assert answer.status_code == 400
    assert answer.json()["code"] == "batch_too_large"
    assert [e.payload["event"] for e in stored(sessions)] == ["E", "Zipped"]


def test_a_gzip_bomb_is_refused_without_being_inflated_whole(tracker: Tracker) -> None:
    bomb = gzip.compress(b"{" + b" " * (64 * 1024 * 1024) + b"}")  # 64 MB of whitespace
    assert len(bomb) < 100 * 1024
    answer = tracker.post("batch", bomb, compress=False, headers={"Content-Encoding": "gzip"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "batch_too_large"


def test_deflate_is_accepted_and_broken_gzip_or_other_encodings_are_refused(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    body = json.dumps({"userId": "u", "event": "Deflated"}).encode()
    ok = tracker.post("track", zlib.compress(body), headers={"Content-Encoding": "deflate"})
    assert ok.status_code == 200
    broken = tracker.post("track", b"\x1f\x8b not gzip", headers={"Content-Encoding": "gzip"})
    assert (broken.status_code, broken.json()["code"]) == (400, "invalid_gzip")
    cut = tracker.post("track", gzip.compress(body)[:-12], headers={"Content-Encoding": "gzip"})
    assert (cut.status_code, cut.json()["code"]) == (400, "invalid_gzip")
    brotli = tracker.post("track", body, headers={"Content-Encoding": "br"})
    assert (brotli.status_code, brotli.json()["code"]) == (400, "unsupported_encoding")
    assert [e.payload["event"] for e in stored(sessions)] == ["Deflated"]


def test_bad_json_is_a_400_with_segments_body(tracker: Tracker) -> None:
    for body in (b"{not json", b"", b"[1, 2]", b'"text"', b'{"userId": NaN, "event": "E"}',
                 b"\xff\xfe\x00"):  # fmt: skip
        answer = tracker.post("track", body)
        assert answer.status_code == 400, body
        assert answer.json()["code"] == "invalid_json"
        assert isinstance(answer.json()["message"], str)
    no_batch = tracker.post("batch", {"events": []})
    assert (no_batch.status_code, no_batch.json()["code"]) == (400, "invalid_batch")


def test_any_content_type_is_read_as_json(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    # Browsers' sendBeacon sends text/plain; Segment's edge reads the body all the same.
    body = json.dumps({"userId": "u", "event": "Beacon"}).encode()
    answer = httpx.post(
        f"{tracker.url}/v1/track",
        content=body,
        headers={"Authorization": basic(tracker.key), "Content-Type": "text/plain"},
    )
    assert answer.status_code == 200
    assert stored(sessions)[0].payload["event"] == "Beacon"


def test_an_empty_batch_is_a_success_that_stores_nothing(
    tracker: Tracker, sessions: sessionmaker[Session]
) -> None:
    assert tracker.post("batch", {"batch": []}).json() == {"success": True}
    assert stored(sessions) == []
