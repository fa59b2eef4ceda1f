"""What the suite needs to know about one vendor and its simulator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import httpx

from cardfile.connectors.base import Connection, Record


class SimulatorControl:
    """The control API every simulator mounts under ``/_simulator`` (faults, tokens, stats)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.base_url}/_simulator/{path}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def reset(self) -> None:
        """Forget records, faults and counters."""
        self._post("reset")

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status``."""
        body = {"status": status, "times": times, "path": path, "method": method}
        self._post("faults", {**body, "headers": headers, "delay": delay})

    def refuse(self, field: str, value: str, message: str) -> None:
        """Refuse records whose ``field`` holds ``value`` with ``message``."""
        self._post("refusals", {"field": field, "value": value, "message": message})

    def grant(self) -> dict[str, Any]:
        """A fresh OAuth grant, as the authorization-code exchange would return it."""
        return self._post("tokens/grant")

    def expire_tokens(self) -> None:
        """End every OAuth access token the simulator issued."""
        self._post("tokens/expire")

    def stats(self) -> dict[str, Any]:
        """Records per object, requests, 429s answered."""
        response = httpx.get(f"{self.base_url}/_simulator/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def stored(self, entity: str) -> int:
        """How many records of ``entity`` the simulator holds."""
        return int(self.stats()["records"].get(entity, 0))


class Harness(Protocol):
    """One connector and a running simulator of its vendor.

    Attributes:
        provider: The registry name.
        entity: The entity the suite writes (one the connector upserts by key).
        match_key: The field records are matched on.
        write_path: A path fragment of the entity's write requests (to aim faults at).
        control: The simulator's control API.
    """

    provider: str
    entity: str
    match_key: str
    write_path: str
    control: SimulatorControl

    def connection(self) -> Connection:
        """A connection with a valid static token."""
        ...

    def bad_connection(self) -> Connection:
        """A connection whose token the vendor refuses."""
        ...

    def oauth_connection(self, on_tokens: Any) -> Connection:
        """A connection holding an OAuth grant from the simulator (refreshable)."""
        ...

    def record(self, n: int) -> Record:
        """A valid record, distinct for each ``n`` (its match key derives from ``n``)."""
        ...

    def changed(self, record: Record) -> Record:
        """The same record (same match key) with another value in some field."""
        ...

    def invalid(self) -> tuple[Record, str]:
        """A record the vendor's validation refuses, and a fragment of its message."""
        ...

    def refusable(self, n: int) -> tuple[str, str]:
        """The (field, value) of ``record(n)`` to tell the simulator to refuse it by."""
        ...

    def rate_limited_headers(self) -> dict[str, str]:
        """The headers of the vendor's 429 (a short ``Retry-After`` in its format)."""
        ...

    def create_list(self) -> str:
        """A list that holds records of ``entity``; its id."""
        ...

    def members(self, list_id: str) -> Sequence[str]:
        """The record ids in the list, as the vendor reports them."""
        ...

    def link_records(self, n: int) -> tuple[tuple[str, str, Record], tuple[str, str, Record]]:
        """``(entity, match_key, record)`` of a person and of a company it can be linked to,
        distinct for each ``n`` (used only where ``capabilities.links`` is set)."""
        ...

    def linked(self, entity: str, vendor_id: str, target_entity: str) -> list[str]:
        """The ids of ``target_entity`` records the vendor's API reports linked to the record
        ``vendor_id`` of ``entity`` (read through the vendor's own read API)."""
        ...
