"""Fault injection: answer chosen requests with an error, slowly, or not at all, and refuse
chosen records, the way a vendor sometimes does."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

ErrorBody = Callable[[int], Any]  # a JSON object for most vendors, an array for Salesforce
"""The vendor's error body for a status it was told to fail with."""


@dataclass
class Fault:
    """One injected fault, used up after ``times`` matching requests.

    Attributes:
        status: The status to answer with (None: answer normally, after ``delay``).
        delay: Seconds to wait before answering (longer than a client's timeout: a timeout).
        times: How many matching requests it applies to.
        path: Only requests whose path contains this (None: any request).
        method: Only requests with this method (None: any).
        headers: Extra response headers (``Retry-After``, …).
    """

    status: int | None = 500
    delay: float = 0.0
    times: int = 1
    path: str | None = None
    method: str | None = None
    headers: dict[str, str] | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        return (self.path is None or self.path in path) and (
            self.method is None or self.method.upper() == method.upper()
        )


@dataclass
class Refusal:
    """Refuse records whose ``field`` holds ``value``, with the vendor's ``message``."""

    field: str
    value: str
    message: str


class Faults:
    """The faults a simulator is told to inject; safe to change from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._refusals: list[Refusal] = []

    def add(self, fault: Fault) -> None:
        """Inject ``fault``."""
        with self._lock:
            self._faults.append(fault)

    def fail(self, status: int = 500, *, times: int = 1, path: str | None = None) -> None:
        """Answer the next ``times`` matching requests with ``status``."""
        self.add(Fault(status=status, times=times, path=path))

    def slow(self, seconds: float, *, times: int = 1, path: str | None = None) -> None:
        """Answer the next ``times`` matching requests after ``seconds``."""
        self.add(Fault(status=None, delay=seconds, times=times, path=path))

    def refuse(self, field: str, value: str, message: str) -> None:
        """Refuse every record whose ``field`` is ``value``, with ``message``."""
        with self._lock:
            self._refusals.append(Refusal(field, value, message))

    def refusal(self, values: dict[str, Any]) -> str | None:
        """The message refusing a record with these values, if one was asked for."""
        with self._lock:
            for refusal in self._refusals:
                held = values.get(refusal.field)
                held_values = held if isinstance(held, list) else [held]
                if any(_plain(v) == refusal.value for v in held_values):
                    return refusal.message
        return None

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, counting it as used once."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Forget every fault and refusal."""
        with self._lock:
            self._faults.clear()
            self._refusals.clear()


def _plain(value: Any) -> Any:
    """A vendor value reduced to what a refusal compares with (Attio wraps values)."""
    if isinstance(value, dict):
        for key in ("value", "domain", "email_address", "original_email_address"):
            if key in value:
                return value[key]
    return value


class FaultMiddleware:
    """ASGI middleware applying a simulator's :class:`Faults` before its routes answer.

    Requests under ``/_simulator`` (the control API) are never faulted.
    """

    def __init__(self, app: ASGIApp, faults: Faults, error_body: ErrorBody) -> None:
        self.app = app
        self.faults = faults
        self.error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_simulator"):
            await self.app(scope, receive, send)
            return
        fault = self.faults.take(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status is None:
            await self.app(scope, receive, send)
            return
        body = json.dumps(self.error_body(fault.status)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        headers += [(k.lower().encode(), v.encode()) for k, v in (fault.headers or {}).items()]
        await send({"type": "http.response.start", "status": fault.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
