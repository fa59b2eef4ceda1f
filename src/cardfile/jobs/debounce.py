"""A trailing-edge debouncer run by one long-lived thread.

The first ``arm(key)`` schedules ``fire(key)`` for ``delay`` seconds later; further arms of
the same key before then change nothing. The key is disarmed just before it fires, so an arm
that comes while ``fire`` runs schedules another: whatever caused an arm is always followed
by a fire that starts after it. One thread fires every key, so what ``fire`` opens per thread
(the job queue's database connection) is opened once, not once per burst.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
log = logging.getLogger(__name__)


class Debouncer(Generic[K]):
    """Calls ``fire(key)`` ``delay`` seconds after the first of a burst of ``arm(key)``."""

    def __init__(self, delay: float, fire: Callable[[K], None], *, name: str) -> None:
        self.delay = delay
        self._fire = fire
        self._name = name
        self._due: dict[K, float] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, key: K) -> None:
        """Fire for ``key`` after the delay, unless it is armed already."""
        with self._changed:
            if key in self._due:
                return
            self._due[key] = time.monotonic() + self.delay
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due:
                    self._changed.wait()
                key, at = min(self._due.items(), key=lambda item: item[1])
                wait = at - time.monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                del self._due[key]
            try:
                self._fire(key)
            except Exception:  # one failed fire (the queue unreachable) must not stop the rest
                log.exception("%s: firing for %r failed", self._name, key)
