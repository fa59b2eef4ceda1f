"""The durable intake: accepted events committed to the store before the API answers.

Every tracking request hands its events to one :class:`Intake` and waits. One writer takes
whatever has queued up meanwhile — the events of many concurrent requests — and commits them
in **one** transaction (group commit), then wakes each request whose events it committed. A
200 therefore means "in the store"; the cost of a commit (an fsync, a round trip) is shared by
everything that arrived while the previous commit ran, so the busier the intake, the larger
and cheaper each commit gets. One writer also suits SQLite, which has one writer at a time,
and serves PostgreSQL as well.

The queue is bounded (in events): a request that would overfill it is refused at once with
:class:`Saturated`, which the API answers with 429 and ``Retry-After`` so the SDKs wait and
send again. A commit that fails because the store is unreachable fails every request in it
(the API answers 503; the SDKs retry). Any other failure is isolated: each request of the
group is tried again in a transaction of its own, so one unstorable request cannot fail its
neighbours.

After each commit ``on_commit`` is told which workspaces got events, so the background work
that applies them to the hub and delivers them starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import events
from cardfile.store.db import transaction
from cardfile.store.events import NewEvent

log = logging.getLogger(__name__)


class Saturated(Exception):
    """The intake's queue is full: try again shortly."""


class IntakeClosed(Exception):
    """The intake is not running (not started yet, or stopping)."""


class StoreUnavailable(Exception):
    """The store could not be reached to commit the events; nothing of them was kept."""


class Unstorable(Exception):
    """The store refused these rows as data (a constraint, a value it cannot hold): sending
    them again would not help."""


@dataclass
class _Request:
    events: Sequence[NewEvent]
    done: asyncio.Future[None] = field(repr=False)


def _unreachable(error: Exception) -> bool:
    """True for a failure of the store itself rather than of the rows written."""
    if isinstance(error, OperationalError | DisconnectionError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


class Intake:
    """Group commit of tracking events, bounded, with one writer.

    Args:
        sessions: The store.
        on_commit: Called (in the writer's thread) with the workspaces whose events were just
            committed; its failures are logged, never raised: the events are safe already.
        capacity: Events that may wait for a commit before requests are refused.
        commit_size: Events written per transaction at most (a larger single request is
            written whole).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        on_commit: Callable[[set[int]], None],
        capacity: int = 20_000,
        commit_size: int = 5_000,
    ) -> None:
        self._sessions = sessions
        self._on_commit = on_commit
        self.capacity = capacity
        self.commit_size = commit_size
        self._waiting: deque[_Request] = deque()
        self._queued = 0
        self._wakeup: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._closing = False
        self.in_flight = 0
        """Events in the commit under way."""
        self.committed = 0
        """Events committed (duplicates the store dropped included) since the start."""

    @property
    def queued(self) -> int:
        """Events waiting for a commit."""
        return self._queued

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._writer is not None and not self._closing

    async def start(self) -> None:
        """Start the writer on the running event loop."""
        if self._writer is not None:
            return
        self._closing = False
        self._wakeup = asyncio.Event()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cardfile-intake")
        self._writer = asyncio.get_running_loop().create_task(self._write_forever())

    async def stop(self) -> None:
        """Refuse new events, commit everything queued, and stop the writer."""
        if self._writer is None or self._wakeup is None:
            return
        self._closing = True
        self._wakeup.set()
        await self._writer
        self._writer = None
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None

    async def write(self, batch: Sequence[NewEvent]) -> None:
        """Return once ``batch`` is committed to the store.

        Raises:
            Saturated: The queue has no room for ``batch`` now.
            IntakeClosed: The intake is not running.
            StoreUnavailable: The store could not be reached; nothing was kept.
            Unstorable: The store refused these rows.
        """
        if not batch:
            return
        if not self.running or self._wakeup is None:
            raise IntakeClosed("the event intake is not running")
        if self._queued + len(batch) > self.capacity:
            raise Saturated(f"{self._queued} events are waiting to be stored")
        request = _Request(batch, asyncio.get_running_loop().create_future())
        self._waiting.append(request)
        self._queued += len(batch)
        self._wakeup.set()
        # Shielded: a client that hangs up does not take its events out of a commit under way.
        await asyncio.shield(request.done)

    def _next_group(self) -> list[_Request]:
        group: list[_Request] = []
        size = 0
        while self._waiting and (
            not group or size + len(self._waiting[0].events) <= self.commit_size
        ):
            request = self._waiting.popleft()
            group.append(request)
            size += len(request.events)
        self._queued -= size
        return group

    async def _write_forever(self) -> None:
        assert self._wakeup is not None
        loop = asyncio.get_running_loop()
        while True:
            if not self._waiting:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            group = self._next_group()
            self.in_flight = sum(len(request.events) for request in group)
            try:
                outcomes = await loop.run_in_executor(self._thread, self._commit, group)
            except Exception as error:  # the writer itself must outlive any failure
                log.exception("the event intake could not commit a group")
                outcomes = [error] * len(group)
            self.in_flight = 0
            for request, outcome in zip(group, outcomes, strict=True):
                if request.done.done():
                    continue
                if outcome is None:
                    request.done.set_result(None)
                else:
                    request.done.set_exception(outcome)

    def _commit(self, group: list[_Request]) -> list[Exception | None]:
        """Commit ``group`` in one transaction, or each request alone if that fails (in the
        writer's thread)."""
        try:
            self._append([e for request in group for e in request.events])
            outcomes: list[Exception | None] = [None] * len(group)
        except Exception as error:
            if _unreachable(error) or len(group) == 1:
                outcomes = [self._failure(error)] * len(group)
            else:
                log.warning("a group commit failed (%s); committing its requests one by one", error)
                outcomes = [self._alone(request) for request in group]
        written = {
            e.workspace_id
            for request, outcome in zip(group, outcomes, strict=True)
            if outcome is None
            for e in request.events
        }
        if written:
            try:
                self._on_commit(written)
            except Exception:
                log.exception("events were stored but their processing could not be queued")
        return outcomes

    def _alone(self, request: _Request) -> Exception | None:
        try:
            self._append(request.events)
        except Exception as error:
            return self._failure(error)
        return None

    def _append(self, batch: Sequence[NewEvent]) -> None:
        with transaction(self._sessions) as session:
            events.append(session, batch)
        self.committed += len(batch)

    @staticmethod
    def _failure(error: Exception) -> Exception:
        failure: Exception
        if _unreachable(error):
            log.error("the store is unreachable; events refused for now: %s", error)
            failure = StoreUnavailable(str(error).splitlines()[0])
        elif isinstance(error, IntegrityError | DataError):
            log.error("the store refused events: %s", error)
            failure = Unstorable(str(error).splitlines()[0])
        else:  # a fault of ours: the request fails (500) and the client may send it again
            log.error("events could not be stored: %r", error)
            return error
        failure.__cause__ = error
        return failure
