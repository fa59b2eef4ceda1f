"""Many events' vendor calls made as few requests: the calls actions make within a few
milliseconds of each other are gathered and sent together, per (call, entity, match key).

Actions run concurrently, one task per user; each awaits its own record's result and goes on
to its next call, which joins the next batch. The window is a short wait rather than one turn
of the event loop because the tasks that a batch's answer wakes do not all run within one turn
(an answer shared through a future reaches its awaiters a turn or two apart).

Two writes of the same record (the same match value) never travel in one batch or in two
batches at once: the later waits for the earlier, so the vendor sees them in order and never
creates the record twice; a write identical to one queued or under way is not sent again but
shares its answer (ten users of one company send the company once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cardfile.connectors.base import Connector, Link, Record, RecordResult

WINDOW_SECONDS = 0.005
"""How long calls gather before they are sent: far less than a vendor request takes."""


@dataclass
class _Call:
    key: Hashable  # what may not be in flight twice at once (None: anything may)
    item: Any
    future: asyncio.Future[Any]


@dataclass
class _Queue:
    calls: list[_Call] = field(default_factory=list)


class Batcher:
    """Gathers ``upsert``, ``find`` and ``link`` calls into the connector's batch calls."""

    def __init__(self, connector: Connector) -> None:
        self.connector = connector
        self._queues: dict[tuple[str, str, str], _Queue] = {}
        self._in_flight: set[tuple[tuple[str, str, str], Hashable]] = set()
        self._latest: dict[
            tuple[tuple[str, str, str], Hashable], tuple[Any, asyncio.Future[Any]]
        ] = {}
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.requests = 0  # batches sent, for the report

    async def upsert(self, entity: str, match_key: str, record: Record) -> RecordResult:
        """Upsert one record in the next batch of its entity."""
        key = str(record.get(match_key)).strip().lower()
        result: RecordResult = await self._call(("upsert", entity, match_key), key, record)
        return result

    async def find(self, entity: str, match_key: str, value: str) -> str | None:
        """The vendor's id of the record holding ``value`` (None: no record does)."""
        found: str | None = await self._call(("find", entity, match_key), None, value)
        return found

    async def link(self, link: Link) -> RecordResult:
        """Make one link in the next batch of links."""
        result: RecordResult = await self._call(("link", "", ""), link.vendor_id, link)
        return result

    async def _call(self, group: tuple[str, str, str], key: Hashable, item: Any) -> Any:
        if key is not None:
            shared = self._latest.get((group, key))
            if shared is not None and not shared[1].done() and shared[0] == item:
                # The same write is queued or under way already: its answer is this one's.
                return await asyncio.shield(shared[1])
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(group, _Queue()).calls.append(_Call(key, item, future))
        if key is not None:
            self._latest[(group, key)] = (item, future)
        self._schedule()
        return await future

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_later(WINDOW_SECONDS, self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        for group, queue in self._queues.items():
            taken: list[_Call] = []
            left: list[_Call] = []
            keys: set[Hashable] = set()
            for call in queue.calls:
                busy = call.key is not None and (
                    call.key in keys or (group, call.key) in self._in_flight
                )
                (left if busy else taken).append(call)
                if call.key is not None:
                    keys.add(call.key)
            queue.calls = left
            if taken:
                for call in taken:
                    if call.key is not None:
                        self._in_flight.add((group, call.key))
                task = asyncio.get_running_loop().create_task(self._send(group, taken))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _send(self, group: tuple[str, str, str], calls: Sequence[_Call]) -> None:
        kind, entity, match_key = group
        self.requests += 1
        try:
            results: Sequence[Any]
            if kind == "upsert":
                results = await self.connector.upsert(entity, [c.item for c in calls], match_key)
            elif kind == "find":
                values = sorted({str(c.item) for c in calls})
                found = await self.connector.find(entity, match_key, values)
                results = [found.get(str(c.item)) for c in calls]
            else:
                results = await self.connector.link([c.item for c in calls])
        except Exception as error:  # the whole call failed: every caller hears why
            for call in calls:
                if not call.future.done():
                    call.future.set_exception(error)
        else:
            for call, result in zip(calls, results, strict=True):
                if not call.future.done():
                    call.future.set_result(result)
        finally:
            for call in calls:
                self._in_flight.discard((group, call.key))
            if any(q.calls for q in self._queues.values()):
                self._schedule()
