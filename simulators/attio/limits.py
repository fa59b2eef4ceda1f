"""Attio's rate limits: 25 write requests and 100 read requests per second.

Writes are POST, PUT, PATCH and DELETE, except the ``…/query`` endpoints, which only read.
Over a limit Attio answers 429 with ``Retry-After`` as an HTTP date, "usually the following
second": here the first whole second at which the window has room again.
"""

from __future__ import annotations

import math
import time
from email.utils import formatdate

from simulators.kit import RollingWindow


def is_write(method: str, path: str) -> bool:
    """Whether Attio counts a request against the write limit."""
    return method.upper() in {"POST", "PUT", "PATCH", "DELETE"} and not path.rstrip("/").endswith(
        "/query"
    )


class Limits:
    """The two rolling one-second windows of a workspace."""

    def __init__(self, writes_per_second: int, reads_per_second: int) -> None:
        self.writes = RollingWindow(writes_per_second, 1.0)
        self.reads = RollingWindow(reads_per_second, 1.0)

    def admit(self, *, write: bool) -> str | None:
        """Count one request; None when it may go on, else the ``Retry-After`` date."""
        verdict = (self.writes if write else self.reads).hit()
        if verdict.allowed:
            return None
        return formatdate(math.ceil(time.time() + verdict.retry_after), usegmt=True)

    def reset(self) -> None:
        """Empty both windows."""
        self.writes.reset()
        self.reads.reset()
