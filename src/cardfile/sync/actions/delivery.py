"""Delivering a destination's due events: each action carried out against the vendor, the
calls of many events batched together, one user's events in order.

The caller (``jobs.deliveries``) reads the due deliveries from the store, hands them here with
an open connector, and stores the outcomes. Per delivery:

* done → ``sent``, with the vendor ids written;
* a :class:`~cardfile.sync.actions.kinds.Refusal` (the vendor's words, or a mapping the vendor
  cannot take) → ``failed``: a person fixes it, then replays;
* a passing failure → ``pending`` again after a backoff, or ``dead`` when the retries are
  spent; the user's later events wait behind it, so they stay in order;
* a user the vendor does not know yet → ``waiting``; woken when the user's identify is
  delivered, ``dead`` when it never is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cardfile.connectors.base import Connector, Field, Link, Outcome, RecordResult
from cardfile.connectors.errors import Action, ConnectorError, Refused, VendorError
from cardfile.store import deliveries
from cardfile.store.deliveries import Due
from cardfile.sync.actions.batcher import Batcher
from cardfile.sync.actions.kinds import GROUP, KINDS, USER, Refusal, Retry, Wait
from cardfile.sync.actions.values import converted
from cardfile.sync.engine import retry_time

MAX_ATTEMPTS = 8
"""Attempts at a delivery before it is dead: with the sync engine's backoff (a minute,
doubling) about four hours of a vendor being down."""


@dataclass
class Report:
    """What a round of deliveries came to, for the store."""

    outcomes: list[deliveries.Outcome] = field(default_factory=list)
    learned: dict[str, dict[str, str]] = field(default_factory=lambda: {USER: {}, GROUP: {}})
    requests: int = 0


def _refusal_or_retry(error: VendorError) -> Exception:
    if error.action in (Action.RETRY, Action.RATE_LIMITED, Action.REFRESH):
        return Retry(str(error))
    return Refusal(str(error))


NOT_ACTIVATED = "object_not_activated"  # the connectors' code for an object to activate


def _whole_call(error: ConnectorError) -> Exception:
    if isinstance(error, Refused) or error.error.code == NOT_ACTIVATED:
        return Refusal(str(error.error))
    # A bad token or a vendor that stays down: retried, so that fixing the connection lets
    # delivery go on by itself; dead (and replayable) if it is not fixed in time.
    return Retry(str(error.error))


class Deliverer:
    """Carries out due deliveries of one destination through ``connector``.

    Args:
        connector: The destination's vendor, open.
        destination_id: The destination.
        known_users: The vendor ids of users the destination learned earlier, by userId.
        now: The time retries are counted from.
    """

    def __init__(
        self,
        connector: Connector,
        destination_id: int,
        known_users: Mapping[str, str],
        now: datetime,
    ) -> None:
        self.connector = connector
        self.capabilities = connector.capabilities
        self.destination_id = destination_id
        self.now = now
        self.batcher = Batcher(connector)
        self.report = Report()
        self._users = dict(known_users)
        self._fields: dict[str, asyncio.Future[dict[str, Field]]] = {}

    async def deliver(self, due: Sequence[Due]) -> Report:
        """Deliver ``due`` (oldest first); the outcomes, in any order."""
        chains: dict[str, list[Due]] = {}
        for item in due:
            chains.setdefault(item.chain, []).append(item)
        await asyncio.gather(*(self._chain(items) for items in chains.values()))
        self.report.requests = self.batcher.requests
        return self.report

    async def _chain(self, items: list[Due]) -> None:
        for item in items:
            outcome = await self._one(item)
            self.report.outcomes.append(outcome)
            if outcome.status == deliveries.PENDING:
                return  # waiting out a retry: the user's later events wait behind it

    async def _one(self, item: Due) -> deliveries.Outcome:
        kind = KINDS[item.action.kind]
        attempts = item.attempts + 1

        def ended(
            status: str, error: str | None, detail: dict[str, Any] | None = None
        ) -> deliveries.Outcome:
            retry_at = None
            if status in (deliveries.PENDING, deliveries.WAITING):
                if attempts >= MAX_ATTEMPTS:
                    status = deliveries.DEAD
                else:
                    retry_at = retry_time(attempts, self.now)
            return deliveries.Outcome(
                item.event_id, item.action_id, status, attempts, error, detail, retry_at
            )

        try:
            written = await kind.run(_Context(self), item.action.settings, item.event.payload)
        except Refusal as refusal:
            return ended(deliveries.FAILED, str(refusal))
        except Retry as retry:
            return ended(deliveries.PENDING, str(retry))
        except Wait as wait:
            return ended(deliveries.WAITING, str(wait))
        return ended(deliveries.SENT, None, written)

    async def fields(self, entity: str) -> dict[str, Field]:
        """The vendor's fields of ``entity``, read once per round.

        Raises:
            Refusal: The vendor refuses to list them (an object not activated, say).
            Retry: It could not be asked now.
        """
        if entity not in self._fields:
            future: asyncio.Future[dict[str, Field]] = asyncio.get_running_loop().create_future()
            self._fields[entity] = future
            try:
                found = await self.connector.fields(entity)
            except ConnectorError as error:
                future.set_exception(_whole_call(error))
            else:
                future.set_result({f.name: f for f in found})
        return await asyncio.shield(self._fields[entity])

    def user(self, user_id: str) -> str | None:
        """The vendor's id of a user learned before or in this round."""
        return self._users.get(user_id)

    def learned(self, kind: str, key: str, vendor_id: str) -> None:
        """Keep a learned id: for this round's later events, and for the store."""
        if kind == USER:
            self._users[key] = vendor_id
        self.report.learned.setdefault(kind, {})[key] = vendor_id


class _Context:
    """What one delivery's action sees (``kinds.Context``)."""

    def __init__(self, deliverer: Deliverer) -> None:
        self.d = deliverer
        self.capabilities = deliverer.capabilities

    async def write(self, entity: str, match_key: str, values: Mapping[str, Any]) -> str:
        fields = await self.d.fields(entity)
        record = converted(self.d.connector.provider, entity, fields, values)
        result = await self._result(self.d.batcher.upsert(entity, match_key, record))
        if result.vendor_id is None:
            raise Refusal(f"{self.d.connector.provider} answered without a record id")
        return result.vendor_id

    async def user(self, user_id: str, find: tuple[str, str] | None = None) -> str:
        known = self.d.user(user_id)
        if known is not None:
            return known
        if find is not None and self.capabilities.finds:
            entity, key = find
            try:
                found = await self.d.batcher.find(entity, key, user_id)
            except ConnectorError as error:
                raise _whole_call(error) from None
            if found is not None:
                self.d.learned(USER, user_id, found)
                return found
        raise Wait(
            f"{self.d.connector.provider} does not know user {user_id!r} yet; "
            "waiting for the user's identify"
        )

    async def link(self, link: Link) -> None:
        await self._result(self.d.batcher.link(link))

    def learned(self, kind: str, key: str, vendor_id: str) -> None:
        self.d.learned(kind, key, vendor_id)

    @staticmethod
    async def _result(call: Any) -> RecordResult:
        try:
            result: RecordResult = await call
        except ConnectorError as error:
            raise _whole_call(error) from None
        if result.outcome is Outcome.FAILED:
            raise _refusal_or_retry(result.error or VendorError("refused without a reason"))
        return result
