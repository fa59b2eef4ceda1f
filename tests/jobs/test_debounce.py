"""The debouncer behind ``Jobs.events_arrived``: one fire per burst, on the trailing edge,
from one thread; an arm during a fire schedules another; a failing fire stops nothing."""

from __future__ import annotations

import threading

from cardfile.jobs.debounce import Debouncer


def test_a_burst_fires_once_per_key_from_one_thread() -> None:
    fired: list[tuple[int, str]] = []
    both = threading.Semaphore(0)

    def fire(key: int) -> None:
        fired.append((key, threading.current_thread().name))
        both.release()

    debouncer: Debouncer[int] = Debouncer(0.05, fire, name="test-debouncer")
    for _ in range(50):
        debouncer.arm(1)
        debouncer.arm(2)
    assert both.acquire(timeout=5)
    assert both.acquire(timeout=5)
    assert not both.acquire(timeout=0.2)
    assert sorted(key for key, _ in fired) == [1, 2]
    assert {thread for _, thread in fired} == {"test-debouncer"}


def test_an_arm_while_firing_fires_again_and_a_failure_stops_nothing() -> None:
    calls: list[int] = []
    firing = threading.Event()
    go_on = threading.Event()
    fired = threading.Semaphore(0)

    def fire(key: int) -> None:
        calls.append(key)
        if len(calls) == 1:
            firing.set()
            go_on.wait(5)
            fired.release()
            raise RuntimeError("the queue is down")
        fired.release()

    debouncer: Debouncer[int] = Debouncer(0.01, fire, name="test-debouncer-2")
    debouncer.arm(7)
    assert firing.wait(5)
    debouncer.arm(7)  # the first fire is under way: this one must be followed by another
    go_on.set()
    assert fired.acquire(timeout=5)
    assert fired.acquire(timeout=5)
    assert calls == [7, 7]
