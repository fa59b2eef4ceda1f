"""The durable intake on both backends: group commit, durability, duplicates, back-pressure,
draining on stop, and failures kept to the requests they belong to."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.events.intake import (
    Intake,
    IntakeClosed,
    Saturated,
    StoreUnavailable,
    Unstorable,
)
from cardfile.store import sources
from cardfile.store.db import create_store_engine, session_factory, transaction
from cardfile.store.events import NewEvent
from cardfile.store.schema import Event, utcnow
from cardfile.store.sources import KeyOwner
from tests.conftest import Tenant


@pytest.fixture
def owner(sessions: sessionmaker[Session], tenant: Tenant) -> KeyOwner:
    with transaction(sessions) as session:
        source = sources.create(session, workspace_id=tenant.workspace_id, name="website")
        return KeyOwner(tenant.workspace_id, source.id)


def _events(owner: KeyOwner, prefix: str, n: int = 1) -> list[NewEvent]:
    return [
        NewEvent(
            workspace_id=owner.workspace_id,
            source_id=owner.source_id,
            message_id=f"{prefix}-{i}",
            type="track",
            user_id="u",
            anonymous_id=None,
            payload={"type": "track", "event": "E", "n": i},
            received_at=utcnow(),
        )
        for i in range(n)
    ]


def _message_ids(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Event.message_id).order_by(Event.id)))


class Recorder:
    """An ``on_commit`` that remembers each call, optionally holding the writer until told."""

    def __init__(self, hold: bool = False) -> None:
        self.calls: list[set[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def __call__(self, workspaces: set[int]) -> None:
        self.calls.append(set(workspaces))
        self.entered.set()
        self.release.wait(30)


async def _running(sessions: sessionmaker[Session], recorder: Recorder, **limits: int) -> Intake:
    intake = Intake(sessions, on_commit=recorder, **limits)
    await intake.start()
    return intake


def test_concurrent_requests_are_committed_together_and_durable_on_return(
    sessions: sessionmaker[Session], owner: KeyOwner
) -> None:
    recorder = Recorder()

    async def scenario() -> list[str]:
        intake = await _running(sessions, recorder)
        try:
            await asyncio.gather(*(intake.write(_events(owner, f"r{n}", 3)) for n in range(10)))
            seen = _message_ids(sessions)  # before stop: returning meant committed
        finally:
            await intake.stop()
        return seen

    seen = asyncio.run(scenario())
    assert len(seen) == 30
    assert sorted(seen) == sorted(f"r{n}-{i}" for n in range(10) for i in range(3))
    assert recorder.calls == [{owner.workspace_id}]  # one commit for the ten requests


def test_commits_are_cut_at_the_commit_size(
    sessions: sessionmaker[Session], owner: KeyOwner
) -> None:
    recorder = Recorder()

    async def scenario() -> None:
        intake = await _running(sessions, recorder, commit_size=4)
        try:
            await asyncio.gather(*(intake.write(_events(owner, f"r{n}", 2)) for n in range(6)))
            await intake.write(_events(owner, "big", 9))  # a larger request goes whole
        finally:
            await intake.stop()

    asyncio.run(scenario())
    assert len(recorder.calls) == 4
    assert len(_message_ids(sessions)) == 21


def test_duplicates_are_dropped_within_and_across_commits(
    sessions: sessionmaker[Session], owner: KeyOwner
) -> None:
    async def scenario() -> None:
        intake = await _running(sessions, Recorder())
        try:
            same = _events(owner, "same", 2)
            await asyncio.gather(intake.write(same), intake.write(same))
            await intake.write(same + _events(owner, "new", 1))
        finally:
            await intake.stop()

    asyncio.run(scenario())
    assert _message_ids(sessions) == ["same-0", "same-1", "new-0"]


def test_a_full_queue_refuses_at_once_and_takes_again_once_drained(
    sessions: sessionmaker[Session], owner: KeyOwner
) -> None:
    recorder = Recorder(hold=True)

    async def scenario() -> None:
        intake = await _running(sessions, recorder, capacity=5)
        try:
            first = asyncio.ensure_future(intake.write(_events(owner, "a", 5)))
            await asyncio.to_thread(recorder.entered.wait, 30)  # the writer is busy with it
            second = asyncio.ensure_future(intake.write(_events(owner, "b", 4)))
            await asyncio.sleep(0)
            assert intake.queued == 4
            with pytest.raises(Saturated):
                await intake.write(_events(owner, "c", 2))
            recorder.release.set()
            await asyncio.gather(first, second)
            await intake.write(_events(owner, "c", 2))
        finally:
            recorder.release.set()
            await intake.stop()

    asyncio.run(scenario())
    assert len(_message_ids(sessions)) == 11


def test_stop_commits_everything_queued_and_then_refuses(
    sessions: sessionmaker[Session], owner: KeyOwner
) -> None:
    recorder = Recorder(hold=True)

    async def scenario() -> None:
        intake = await _running(sessions, recorder)
        writes = [asyncio.ensure_future(intake.write(_events(owner, "first", 1)))]
        await asyncio.to_thread(recorder.entered.wait, 30)
        writes += [
            asyncio.ensure_future(intake.write(_events(owner, f"q{n}", 2))) for n in range(3)
        ]
        await asyncio.sleep(0)
        stopping = asyncio.ensure_future(intake.stop())
        await asyncio.sleep(0.05)
        with pytest.raises(IntakeClosed):
            await intake.write(_events(owner, "late", 1))
        recorder.release.set()
        await stopping
        await asyncio.gather(*writes)  # every queued request was answered: stored

    asyncio.run(scenario())
    assert len(_message_ids(sessions)) == 7


def test_an_intake_not_started_refuses() -> None:
    async def scenario() -> None:
        intake = Intake(session_factory(create_store_engine("sqlite://")), on_commit=Recorder())
        with pytest.raises(IntakeClosed):
            await intake.write([object()])  # type: ignore[list-item]
        await intake.write([])  # nothing to store is no error

    asyncio.run(scenario())


def test_an_unreachable_store_fails_the_requests_and_the_intake_goes_on(
    owner: KeyOwner,
) -> None:
    # Nothing listens on port 9 of loopback: every connection is refused at once.
    unreachable = create_store_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    recorder = Recorder()

    async def scenario() -> None:
        intake = await _running(session_factory(unreachable), recorder)
        try:
            for _ in range(2):  # the writer survives a failed commit
                with pytest.raises(StoreUnavailable):
                    await intake.write(_events(owner, "lost", 2))
        finally:
            await intake.stop()

    try:
        asyncio.run(scenario())
    finally:
        unreachable.dispose()
    assert recorder.calls == []


def test_one_unstorable_request_does_not_fail_the_others_of_its_commit(
    sessions: sessionmaker[Session], owner: KeyOwner
) -> None:
    recorder = Recorder()
    nowhere = KeyOwner(owner.workspace_id, owner.source_id + 1000)  # no such source

    async def scenario() -> list[BaseException | None]:
        intake = await _running(sessions, recorder)
        try:
            results = await asyncio.gather(
                intake.write(_events(owner, "good", 2)),
                intake.write(_events(nowhere, "orphan", 1)),
                intake.write(_events(owner, "also-good", 1)),
                return_exceptions=True,
            )
        finally:
            await intake.stop()
        return list(results)

    results = asyncio.run(scenario())
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], Unstorable)
    assert _message_ids(sessions) == ["good-0", "good-1", "also-good-0"]
    assert recorder.calls == [{owner.workspace_id}]


def test_a_failing_notification_loses_no_event(
    sessions: sessionmaker[Session], owner: KeyOwner
) -> None:
    def broken(_workspaces: set[int]) -> None:
        raise RuntimeError("the queue is down")

    async def scenario() -> None:
        intake = Intake(sessions, on_commit=broken)
        await intake.start()
        try:
            await intake.write(_events(owner, "kept", 2))
        finally:
            await intake.stop()

    asyncio.run(scenario())
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 2
