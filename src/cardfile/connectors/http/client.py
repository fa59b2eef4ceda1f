"""The shared vendor client: every connector's requests go through :meth:`VendorClient.request`.

One loop does everything a vendor call needs: wait for the rate budget, authenticate, send,
let the vendor's headers correct the budget, classify the answer with the error table, and
then retry (passing faults, with backoff), wait and retry (rate limits, for as long as the
vendor asked), refresh and retry (an expired token), or raise the classified error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from cardfile.connectors.errors import (
    Action,
    ConnectorError,
    RetryLater,
    VendorError,
    raised_for,
)
from cardfile.connectors.http import redaction
from cardfile.connectors.http.auth import Auth
from cardfile.connectors.http.ratelimit import RateBudget
from cardfile.connectors.http.table import ErrorTable, json_object

log = logging.getLogger("cardfile.connectors")
redaction.install("cardfile.connectors")

MessageReader = Callable[[httpx.Response], tuple[str, str | None]]
"""Reads a vendor's error body into (message, code)."""

HeaderReader = Callable[[httpx.Headers, RateBudget], None]
"""Lets a vendor's rate-limit headers correct the budget."""


def plain_message(response: httpx.Response) -> tuple[str, str | None]:
    """The ``message`` of a JSON error body, else the body's text."""
    body = json_object(response)
    if not body:
        return response.text[:500] or response.reason_phrase, None
    message = body.get("message") or body.get("error") or response.reason_phrase
    code = body.get("code") or body.get("errorType") or body.get("category")
    return str(message), str(code) if code is not None else None


@dataclass
class CallStats:
    """What a client did, for run summaries, metrics and benchmarks."""

    requests: int = 0
    rate_limited: int = 0  # 429s (or the vendor's equivalent) met
    retried: int = 0
    refreshed: int = 0


class _Again(Exception):
    """One attempt failed in a way that may be retried."""

    def __init__(self, error: ConnectorError, wait: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


def _wait(fallback: Callable[[RetryCallState], float]) -> Callable[[RetryCallState], float]:
    """Wait as long as the vendor asked, else back off exponentially."""

    def strategy(state: RetryCallState) -> float:
        outcome = state.outcome
        failure = outcome.exception() if outcome is not None else None
        if isinstance(failure, _Again) and failure.wait is not None:
            return failure.wait
        return fallback(state)

    return strategy


class VendorClient:
    """An httpx client bound to one connection of one vendor.

    Args:
        base_url: The vendor's API root.
        auth: The connection's credentials.
        errors: The vendor's error table.
        writes: The budget write requests spend.
        reads: The budget read requests spend (may be the same object as ``writes``).
        message: Reads the vendor's error bodies.
        headers: Lets the vendor's rate-limit headers correct the budgets.
        attempts: Tries per request before a retryable failure is raised.
        timeout: Seconds per request.
        backoff: The first retry's wait in seconds (it doubles, with jitter, up to 30 s).
        max_wait: The longest the vendor may ask us to wait inside one call; a longer wait
            (a daily limit) raises ``RetryLater`` at once, for a later run to try again.
        transport: An httpx transport (tests hand in one that fails on purpose).
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth,
        errors: ErrorTable,
        writes: RateBudget,
        reads: RateBudget | None = None,
        message: MessageReader = plain_message,
        headers: HeaderReader | None = None,
        attempts: int = 6,
        timeout: float = 30.0,
        backoff: float = 0.5,
        max_wait: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
        secrets: list[str] | None = None,
    ) -> None:
        self.auth = auth
        self.errors = errors
        self.writes = writes
        self.reads = reads or writes
        self.stats = CallStats()
        self._message = message
        self._headers = headers
        self._attempts = attempts
        self._backoff = backoff
        self._max_wait = max_wait
        redaction.register(*(secrets or []))
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
            headers={"User-Agent": "Cardfile"},
        )

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        write: bool | None = None,
    ) -> httpx.Response:
        """Send one request with everything above; returns a successful response.

        Args:
            method: The HTTP method.
            path: The path under the base URL.
            json: A JSON body.
            params: Query parameters.
            data: A form body.
            write: Which budget to spend; by default writes are anything but GET.

        Raises:
            ConnectorError: The classified failure, after retries where they apply.
        """
        is_write = method.upper() != "GET" if write is None else write
        budget = self.writes if is_write else self.reads
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=_wait(
                wait_exponential_jitter(multiplier=self._backoff, max=30.0, jitter=self._backoff)
            ),
            retry=retry_if_exception(lambda e: isinstance(e, _Again)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        self.stats.retried += 1
                    return await self._once(method, path, budget, json, params, data)
        except _Again as again:
            raise again.error from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _once(
        self,
        method: str,
        path: str,
        budget: RateBudget,
        json: Any,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
    ) -> httpx.Response:
        slot = await budget.acquire()
        try:
            headers = await self.auth.headers()
            self.stats.requests += 1
            response = await self._http.request(
                method, path, json=json, params=params, data=data, headers=headers
            )
        except httpx.TransportError as fault:
            failure = VendorError(
                redaction.redact(f"{type(fault).__name__}: {fault}") or type(fault).__name__,
                action=ErrorTable.transport_action(fault),
            )
            log.info("%s %s failed: %s", method, path, failure.message)
            raise _Again(RetryLater(failure), None) from None
        finally:
            budget.done(slot)
        if self._headers is not None:
            self._headers(response.headers, budget)
        action = self.errors.action(response)
        log.debug("%s %s -> %s", method, redaction.redact(str(response.url)), response.status_code)
        if action is None:
            return response
        message, code = self._message(response)
        error = VendorError(redaction.redact(message), response.status_code, code, action)
        match action:
            case Action.RATE_LIMITED:
                self.stats.rate_limited += 1
                wait = self.errors.wait(response)
                if wait is not None and wait > self._max_wait:
                    raise raised_for(error, wait)
                budget.pause(wait if wait is not None else 1.0)
                # The budget holds the request back; tenacity need not wait as well.
                raise _Again(raised_for(error, wait), 0.0)
            case Action.RETRY:
                raise _Again(raised_for(error), self.errors.wait(response))
            case Action.REFRESH if self.auth.can_refresh:
                self.stats.refreshed += 1
                await self.auth.refresh()
                raise _Again(raised_for(error), 0.0)
            case Action.REFRESH:  # a static token cannot be renewed: the connection is broken
                broken = VendorError(error.message, error.status, error.code, Action.BROKEN)
                raise raised_for(broken)
            case _:
                raise raised_for(error)
