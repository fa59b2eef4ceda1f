"""A Huey consumer run inside another process: ``cardfile serve``'s embedded workers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from huey import Huey
from huey.consumer import Consumer


class _Embedded(Consumer):  # type: ignore[misc]
    """A consumer that leaves signals to its host (uvicorn handles SIGINT and SIGTERM and
    stops the consumer through the app's lifespan)."""

    def _set_signal_handlers(self) -> None:
        pass


@contextmanager
def consuming(huey: Huey, workers: int, *, shutdown_timeout: float = 30.0) -> Iterator[None]:
    """Run ``workers`` worker threads and the scheduler until the block ends; then let the
    running tasks finish (up to ``shutdown_timeout``)."""
    consumer = _Embedded(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=True,
        initial_delay=0.05,
        max_delay=1.0,
        check_worker_health=False,
        shutdown_timeout=shutdown_timeout,
    )
    consumer.start()
    try:
        yield
    finally:
        consumer.stop(graceful=True)
