"""Running one request per record a few at a time, as Attio (which has no batch) needs.

Requests are bounded by a semaphore (the rate budgets pace them; more in flight would only
queue). Records that share a key value, such as two asserts of one email address or two links
of one record, go one after another in input order, so that two concurrent requests never race
for the same record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from cardfile.connectors.base import RecordResult
from cardfile.connectors.errors import ConnectorError

T = TypeVar("T")


def chains(keys: list[list[str]]) -> list[list[int]]:
    """Indices grouped so that records sharing any key value fall in one group, in order."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for index, values in enumerate(keys):
        for value in values:
            if value in first:
                parent[root(index)] = root(first[value])
            else:
                first[value] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(keys)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())


async def chained(
    slots: asyncio.Semaphore,
    keys_of: dict[int, list[str]],
    send: Callable[[int], Awaitable[RecordResult]],
) -> dict[int, RecordResult]:
    """``send`` each index of ``keys_of``, a chain per slot; indices sharing a key go one after
    another, in order.

    Raises:
        ConnectorError: The first that ``send`` raised (a broken connection), once every
            index has a result: those not yet sent then fail with its error.
    """
    order = list(keys_of)
    found: dict[int, RecordResult] = {}
    broken: list[ConnectorError] = []

    async def chain(positions: list[int]) -> None:
        async with slots:
            for index in (order[p] for p in positions):
                if broken:
                    found[index] = RecordResult.failed(broken[0].error)
                    continue
                try:
                    found[index] = await send(index)
                except ConnectorError as error:
                    broken.append(error)
                    found[index] = RecordResult.failed(error.error)

    await asyncio.gather(*(chain(group) for group in chains([keys_of[i] for i in order])))
    if broken:
        raise broken[0]
    return found


async def bounded(slots: asyncio.Semaphore, calls: Sequence[Awaitable[T]]) -> list[T]:
    """Await ``calls``, as many at a time as ``slots`` allows; the first failure is raised
    once all are done."""

    async def one(call: Awaitable[T]) -> T:
        async with slots:
            return await call

    outcomes = await asyncio.gather(*(one(c) for c in calls), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
