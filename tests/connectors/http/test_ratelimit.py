"""The per-connection budget: a rolling window spent before each request."""

from __future__ import annotations

import pytest

from cardfile.connectors.base import RateLimit
from cardfile.connectors.http.ratelimit import RateBudget, Slot


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _spend(budget: RateBudget, times: int) -> None:
    for _ in range(times):
        assert budget.delay() == 0
        budget._started.append(Slot(budget._clock()))


def test_requests_up_to_the_limit_start_at_once_and_the_next_waits_for_the_window() -> None:
    clock = Clock()
    budget = RateBudget(RateLimit(3, 10), clock=clock)
    _spend(budget, 3)
    assert budget.delay() == pytest.approx(10.01)
    clock.now += 4
    assert budget.delay() == pytest.approx(6.01)
    clock.now += 6.1
    assert budget.delay() == 0


def test_a_pause_holds_every_request_for_as_long_as_the_vendor_said() -> None:
    clock = Clock()
    budget = RateBudget(RateLimit(100, 1), clock=clock)
    budget.pause(2.5)
    assert budget.delay() == pytest.approx(2.5)
    budget.pause(1.0)  # a shorter pause does not shorten the longer one
    assert budget.delay() == pytest.approx(2.5)
    clock.now += 2.5
    assert budget.delay() == 0


def test_the_vendors_count_corrects_ours_when_it_has_seen_more() -> None:
    clock = Clock()
    budget = RateBudget(RateLimit(10, 10), clock=clock)
    _spend(budget, 2)
    budget.observe(remaining=1, limit=10)  # the vendor has counted 9, we started 2
    assert budget.delay() == 0
    budget._started.append(Slot(clock.now))
    assert budget.delay() > 0


def test_the_vendors_count_never_loosens_ours() -> None:
    clock = Clock()
    budget = RateBudget(RateLimit(3, 10), clock=clock)
    _spend(budget, 3)
    budget.observe(remaining=3, limit=3)
    assert budget.delay() > 0


@pytest.mark.anyio
async def test_acquire_counts_a_request_as_started() -> None:
    budget = RateBudget(RateLimit(2, 60))
    await budget.acquire()
    await budget.acquire()
    assert budget.delay() > 0


@pytest.mark.anyio
async def test_a_request_holds_its_place_until_its_answer_is_in() -> None:
    clock = Clock()
    budget = RateBudget(RateLimit(1, 10), clock=clock)
    slot = await budget.acquire()
    clock.now += 3  # the answer took three seconds: the vendor may have counted it late
    budget.done(slot)
    assert budget.delay() == pytest.approx(10.01)
    clock.now += 10.02
    assert budget.delay() == 0
