"""The HubSpot connector: companies and contacts through HubSpot's CRM v3 API.

Writes go in batches of 100, a few at a time, all paced by one budget: HubSpot counts every
request of a portal in one rolling burst window (190 per 10 s on Professional and
Enterprise, 100 on Free and Starter). How a record is matched depends on its key:

* a unique property (``email`` of contacts, or a custom property HubSpot reports
  ``hasUniqueValue``): ``batch/upsert`` with that ``idProperty``;
* ``hs_object_id``: ``batch/update`` for records that carry one, ``batch/create`` for the rest;
* ``domain`` of companies, which HubSpot does not keep unique (its API creates a second
  company with the same domain) and refuses as an ``idProperty``: a search for the domains
  first, then ``batch/update`` of the companies found (the oldest where several share a
  domain) and ``batch/create`` of the others.

``link`` associates contacts and companies through the v4 associations batch (see
:mod:`~cardfile.connectors.hubspot.links`).

Changes are read through the search API (exempt from the burst window, but limited to 4
requests a second), ordered by last-modified date, with a cursor that also remembers the
last record id read at that date, so that records modified in the same millisecond are
neither skipped nor read twice.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from cardfile.connectors.base import (
    Capabilities,
    ChangePage,
    Connection,
    Connector,
    Field,
    Health,
    Identity,
    Link,
    ListResult,
    OAuthApp,
    Outcome,
    RateLimit,
    Record,
    RecordResult,
    UpsertMode,
    first_text,
)
from cardfile.connectors.errors import (
    Action,
    ConnectorError,
    Refused,
    RetryLater,
    VendorError,
)
from cardfile.connectors.http import RateBudget, VendorClient
from cardfile.connectors.hubspot.auth import auth_for
from cardfile.connectors.hubspot.errors import (
    ERRORS,
    for_records,
    read_message,
    read_rate_headers,
)
from cardfile.connectors.hubspot.fields import ALWAYS_UNIQUE, fields_of
from cardfile.connectors.hubspot.links import LINKS, Plan, associate
from cardfile.connectors.hubspot.records import (
    Sent,
    UnsendableValue,
    create_input,
    key_text,
    properties_of,
    read_batch,
    refused,
    update_input,
    upsert_input,
)

BATCH_SIZE = 100
BURST = RateLimit(190, 10.0)
CONCURRENT_BATCHES = 3  # the budget paces them; more in flight would only queue
SEARCH_PER_SECOND = 4
SEARCH_PAGE = 200  # HubSpot's largest search page
SEARCH_IN_VALUES = 100  # values of one IN filter
CHANGES_PAGE = 100
LIST_CHUNK = 1_000  # ids per membership call
LAST_MODIFIED = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate"}
_CURSOR = re.compile(r"^(\d+)/(\d+)$")


@dataclass
class _Item:
    """The records of one call sharing a key, sent once and given one result."""

    indices: list[int]
    key: str | None
    properties: dict[str, str]
    target: str | None = None  # the record id an update goes to
    result: RecordResult | None = None

    @property
    def trace(self) -> str:
        return str(self.indices[0])


@dataclass
class _Batch:
    operation: str  # "upsert", "update" or "create"
    items: list[_Item]
    id_property: str | None
    inputs: Callable[[Sent], dict[str, Any]]


def _burst_limit(connection: Connection) -> RateLimit:
    """The burst budget: HubSpot's, or a connection setting for another tier."""
    configured = connection.settings.get("requests_per_10s")
    if configured is None:
        return BURST
    requests = int(configured)
    if requests <= 0:
        raise ValueError(f"requests_per_10s must be positive, not {configured!r}")
    return RateLimit(requests, BURST.seconds)


def _ms(text: Any) -> int | None:
    """Epoch milliseconds from HubSpot's datetime text (ISO 8601, or digits)."""
    if text is None:
        return None
    raw = str(text).strip()
    if raw.isdigit():
        return int(raw)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_cursor(cursor: str | None) -> tuple[int | None, str | None]:
    """``(milliseconds, last record id read at them)`` from a change cursor.

    Accepts the connector's own cursors (``"<ms>/<id>"``), epoch milliseconds and ISO 8601
    timestamps.

    Raises:
        Refused: The cursor is none of those.
    """
    if not cursor:
        return None, None
    found = _CURSOR.match(cursor.strip())
    if found:
        return int(found.group(1)), found.group(2)
    ms = _ms(cursor)
    if ms is None:
        raise Refused(VendorError(f"{cursor!r} is not a HubSpot change cursor or timestamp"))
    return ms, None


class HubSpotConnector(Connector):
    """HubSpot companies and contacts, lists, and changes read through search."""

    provider: ClassVar[str] = "hubspot"
    default_base_url: ClassVar[str] = "https://api.hubapi.com"
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=BATCH_SIZE,
        writes=BURST,
        reads=BURST,
        upsert=UpsertMode.BY_KEY,
        entities=frozenset({"companies", "contacts"}),
        match_keys={
            "contacts": ("email", "hs_object_id"),
            "companies": ("domain", "hs_object_id"),
        },
        lists=True,
        reads_changes=True,
        record_id_key="hs_object_id",
        finds=True,
        removes=True,
        people="contacts",
        companies="companies",
        links=LINKS,
    )
    oauth_app: ClassVar[OAuthApp | None] = OAuthApp(
        authorize_url="https://app.hubspot.com/oauth/authorize",
        scopes=(
            "crm.objects.contacts.read crm.objects.contacts.write crm.objects.companies.read "
            "crm.objects.companies.write crm.lists.read crm.lists.write"
        ),
    )

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        # One budget for reads and writes: HubSpot counts both in the same window.
        self.budget = RateBudget(_burst_limit(connection))
        self._search_budget = RateBudget(RateLimit(SEARCH_PER_SECOND, 1.0))
        self._client = VendorClient(
            self.base_url,
            auth=auth_for(connection, self.base_url),
            errors=ERRORS,
            writes=self.budget,
            reads=self.budget,
            message=read_message,
            headers=read_rate_headers,
            secrets=connection.secrets(),
            timeout=float(connection.settings.get("timeout", 30.0)),
        )
        self._fields: dict[str, list[Field]] = {}
        self._in_flight = asyncio.Semaphore(CONCURRENT_BATCHES)

    @property
    def client(self) -> VendorClient:
        """The HTTP client (its ``stats`` say what the connector did)."""
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    def _entity(self, entity: str) -> None:
        if entity not in self.capabilities.entities:
            known = ", ".join(sorted(self.capabilities.entities))
            raise Refused(VendorError(f"the HubSpot connector handles {known}, not {entity!r}"))

    def token_url(self) -> str:
        """``/oauth/v1/token`` under the API root."""
        return f"{self.base_url}/oauth/v1/token"

    def identity(self, entity: str, record: Record) -> Identity:
        """Contacts: ``email`` and ``firstname`` ``lastname``; companies: ``name``, ``domain``."""
        if entity == "contacts":
            parts = [first_text(record.get(k)) for k in ("firstname", "lastname")]
            name = " ".join(p for p in parts if p) or None
            return Identity(email=first_text(record.get("email")), name=name)
        return Identity(
            name=first_text(record.get("name")), domain=first_text(record.get("domain"))
        )

    async def check(self) -> Health:
        """``GET /account-info/v3/details``: the portal id and account type, or why not."""
        try:
            response = await self._client.request("GET", "/account-info/v3/details")
        except ConnectorError as error:
            return Health(False, error.message)
        body = _json(response)
        if body.get("portalId") is None:
            return Health(False, "HubSpot answered the account call without a portal id")
        portal = str(body["portalId"])
        return Health(True, f"HubSpot portal {portal} ({body.get('accountType')})", account=portal)

    async def fields(self, entity: str) -> list[Field]:
        """Every property of ``entity`` (``GET /crm/v3/properties/{entity}``)."""
        self._entity(entity)
        response = await self._client.request("GET", f"/crm/v3/properties/{entity}")
        found = fields_of(entity, _json(response))
        self._fields[entity] = found
        return found

    async def _field(self, entity: str, name: str) -> Field | None:
        """A property by name, asking HubSpot again when the cached list lacks it."""
        for refresh in (False, True):
            if refresh or entity not in self._fields:
                await self.fields(entity)
            for known in self._fields[entity]:
                if known.name == name:
                    return known
        return None

    async def upsert(
        self, entity: str, records: Sequence[Record], match_key: str
    ) -> list[RecordResult]:
        """Create or update each record, matched on ``match_key``; results in input order."""
        self._entity(entity)
        if not records:
            return []
        results: list[RecordResult | None] = [None] * len(records)
        try:
            mode = await self._mode(entity, match_key)
        except (RetryLater, Refused) as error:
            return [RecordResult.failed(for_records(error)) for _ in records]
        if mode is None:
            message = (
                f"HubSpot cannot match {entity} on {match_key!r}: it is not a property HubSpot "
                "keeps unique (create one with hasUniqueValue, or use "
                f"{' or '.join(self.capabilities.match_keys[entity])})"
            )
            return [refused(message) for _ in records]
        keyed, unkeyed = self._items(records, match_key, mode, results)
        batches: list[_Batch] = []
        if mode == "upsert":
            batches += _chunks("upsert", list(keyed.values()), match_key, _upsert_inputs(match_key))
        elif mode == "record_id":
            for item in keyed.values():
                item.target = item.key
            batches += _chunks("update", list(keyed.values()), None, update_input)
        else:
            await self._find_targets(entity, match_key, keyed)
            found = [item for item in keyed.values() if item.target and item.result is None]
            fresh = [item for item in keyed.values() if not item.target and item.result is None]
            batches += _chunks("update", found, None, update_input)
            unkeyed += fresh
        batches += _chunks("create", unkeyed, None, create_input)
        await self._run([self._send(entity, batch) for batch in batches])
        for item in [*keyed.values(), *unkeyed]:
            outcome = item.result or refused("HubSpot's answer did not mention this record")
            for index in item.indices:
                results[index] = outcome
        return [result or refused("the record was not sent") for result in results]

    async def _mode(self, entity: str, match_key: str) -> str | None:
        """How records are matched on ``match_key`` (None: HubSpot cannot match on it)."""
        if match_key == "hs_object_id":
            return "record_id"
        if match_key in ALWAYS_UNIQUE[entity]:
            return "upsert"
        known = await self._field(entity, match_key)
        if known is not None and known.unique:
            return "upsert"
        if known is not None and match_key in self.capabilities.match_keys[entity]:
            return "search"
        return None

    def _items(
        self,
        records: Sequence[Record],
        match_key: str,
        mode: str,
        results: list[RecordResult | None],
    ) -> tuple[dict[str, _Item], list[_Item]]:
        """The records as items: keyed ones merged by key, unkeyed ones (to create) apart.

        Records that cannot be sent get their result here, without a request.
        """
        keyed: dict[str, _Item] = {}
        unkeyed: list[_Item] = []
        # The key travels as the upsert's id, or as the record id; a search match keeps it.
        without = (match_key,) if mode in {"upsert", "record_id"} else ()
        for index, record in enumerate(records):
            raw = record.get(match_key)
            try:
                props = properties_of(record, without=without)
                key = key_text(match_key, raw) if raw not in (None, "") else ""
            except UnsendableValue as error:
                results[index] = refused(f"HubSpot cannot store {error}")
                continue
            if not key:
                if mode == "record_id":
                    unkeyed.append(_Item([index], None, props))
                else:
                    results[index] = refused(f"the record has no {match_key}, its match key")
                continue
            item = keyed.get(key)
            if item is None:
                keyed[key] = _Item([index], key, props)
            else:  # a duplicate: sent once, later values winning
                item.indices.append(index)
                item.properties.update(props)
        return keyed, unkeyed

    async def _find_targets(self, entity: str, match_key: str, keyed: dict[str, _Item]) -> None:
        """Set each item's target to the oldest record holding its key, where one exists."""
        keys = list(keyed)
        for start in range(0, len(keys), SEARCH_IN_VALUES):
            chunk = keys[start : start + SEARCH_IN_VALUES]
            filters = [{"propertyName": match_key, "operator": "IN", "values": chunk}]
            try:
                found = await self._search_all(entity, filters, "hs_object_id", [match_key])
            except (RetryLater, Refused) as error:
                for key in chunk:
                    keyed[key].result = RecordResult.failed(for_records(error))
                continue
            for result in found:
                held = (result.get("properties") or {}).get(match_key)
                item = keyed.get(key_text(match_key, held)) if held else None
                if item is not None and item.target is None:
                    item.target = str(result.get("id"))

    async def _run(self, calls: Sequence[Coroutine[Any, Any, None]]) -> None:
        """Run the batch requests concurrently (each takes an in-flight slot); a broken
        connection stops all."""
        try:
            async with asyncio.TaskGroup() as group:
                for call in calls:
                    group.create_task(call)
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None

    async def _send(self, entity: str, batch: _Batch) -> None:
        """One batch request; its items get their results (never dropped)."""
        sent = [Sent(item.trace, item.target or item.key, item.properties) for item in batch.items]
        body = {"inputs": [batch.inputs(one) for one in sent]}
        path = f"/crm/v3/objects/{entity}/batch/{batch.operation}"
        async with self._in_flight:
            try:
                response = await self._client.request("POST", path, json=body)
            except (RetryLater, Refused) as error:
                for item in batch.items:
                    item.result = RecordResult.failed(for_records(error))
                return
        found = read_batch(
            _json(response),
            sent,
            status=response.status_code,
            created=batch.operation == "create",
            id_property=batch.id_property,
        )
        for item in batch.items:
            item.result = found.get(item.trace)

    async def _search(
        self,
        entity: str,
        filters: list[dict[str, Any]],
        sort: str,
        names: list[str],
        limit: int,
        after: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One search page, ascending by ``sort``: its results and the next ``after``."""
        body: dict[str, Any] = {
            "filterGroups": [{"filters": filters}] if filters else [],
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "properties": names,
            "limit": limit,
        }
        if after is not None:
            body["after"] = after
        await self._search_budget.acquire()
        path = f"/crm/v3/objects/{entity}/search"
        answer = _json(await self._client.request("POST", path, json=body, write=False))
        results = [r for r in answer.get("results") or [] if isinstance(r, dict)]
        following = ((answer.get("paging") or {}).get("next") or {}).get("after")
        return results, str(following) if following is not None else None

    async def _search_all(
        self, entity: str, filters: list[dict[str, Any]], sort: str, names: list[str]
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            page, after = await self._search(entity, filters, sort, names, SEARCH_PAGE, after)
            found += page
            if after is None or not page:
                return found

    async def find(self, entity: str, match_key: str, values: Sequence[str]) -> dict[str, str]:
        """Search the vendor for the records holding ``values`` (no write).

        Raises:
            Refused: ``match_key`` is no property of the object.
            RetryLater: the search failed in passing.
        """
        self._entity(entity)
        if match_key == "hs_object_id":
            found_ids = await self._existing(entity, [str(v) for v in values])
            return {v: v for v in values if str(v) in found_ids}
        wanted = {key_text(match_key, v): v for v in values if v not in (None, "")}
        found: dict[str, str] = {}
        keys = list(wanted)
        for start in range(0, len(keys), SEARCH_IN_VALUES):
            chunk = keys[start : start + SEARCH_IN_VALUES]
            filters = [{"propertyName": match_key, "operator": "IN", "values": chunk}]
            for result in await self._search_all(entity, filters, "hs_object_id", [match_key]):
                held = (result.get("properties") or {}).get(match_key)
                given = wanted.get(key_text(match_key, held)) if held else None
                if given is not None and given not in found:  # the oldest wins
                    found[given] = str(result.get("id"))
        return found

    async def _existing(self, entity: str, ids: list[str]) -> set[str]:
        """Which of ``ids`` name records (a batch read of each 100)."""
        found: set[str] = set()
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            response = await self.client.request(
                "POST",
                f"/crm/v3/objects/{entity}/batch/read",
                json={"inputs": [{"id": i} for i in chunk], "properties": ["hs_object_id"]},
                write=False,
            )
            found |= {str(r.get("id")) for r in _json(response).get("results", [])}
        return found

    async def remove(self, entity: str, vendor_ids: Sequence[str]) -> list[RecordResult]:
        """Archive records (HubSpot's recycling bin), a batch of 100 a request."""
        self._entity(entity)
        results: list[RecordResult] = []
        ids = [str(i) for i in vendor_ids]
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            try:
                await self.client.request(
                    "POST",
                    f"/crm/v3/objects/{entity}/batch/archive",
                    json={"inputs": [{"id": i} for i in chunk]},
                )
            except (RetryLater, Refused) as error:
                results += [RecordResult.failed(for_records(error)) for _ in chunk]
                continue
            results += [RecordResult(Outcome.REMOVED, vendor_id=i) for i in chunk]
        return results

    async def link(self, links: Sequence[Link]) -> list[RecordResult]:
        """Associate each contact with its company (or company with its contact) through
        HubSpot's v4 associations batch, up to 2,000 pairs a request, a few requests in
        flight and paced by the portal's budget (see :mod:`~cardfile.connectors.hubspot.
        links`). A record gains the target beside the records it is associated with; a pair
        given twice is sent once. Results in input order.

        Raises:
            ConnectionBroken: The token was refused.
        """
        plan = Plan(links)
        await self._run([associate(self._client, self._in_flight, b) for b in plan.batches])
        return plan.results()

    async def update_list(
        self, list_id: str, add_ids: Sequence[str], remove_ids: Sequence[str]
    ) -> list[ListResult]:
        """Add and remove record ids (``memberships/add-and-remove``, in chunks)."""
        adds = [str(i) for i in add_ids]
        removes = [str(i) for i in remove_ids]
        added: list[ListResult] = []
        removed: list[ListResult] = []
        path = f"/crm/v3/lists/{list_id}/memberships/add-and-remove"
        for start in range(0, max(len(adds), len(removes)), LIST_CHUNK):
            to_add = adds[start : start + LIST_CHUNK]
            to_remove = removes[start : start + LIST_CHUNK]
            body = {"recordIdsToAdd": to_add, "recordIdsToRemove": to_remove}
            try:
                response = await self._client.request("PUT", path, json=body)
            except (RetryLater, Refused) as error:
                failure = for_records(error)
                added += [ListResult(i, True, False, failure) for i in to_add]
                removed += [ListResult(i, False, False, failure) for i in to_remove]
                continue
            answer = _json(response)
            missing = {str(i) for i in answer.get("recordIdsMissing") or []}
            status = response.status_code
            added += [_membership(i, True, list_id, missing, status) for i in to_add]
            removed += [_membership(i, False, list_id, missing, status) for i in to_remove]
        return added + removed

    async def read_changes(self, entity: str, since: str | None) -> ChangePage:
        """Records of ``entity`` modified since the cursor, oldest change first.

        Args:
            entity: ``companies`` or ``contacts``.
            since: A cursor this method returned, an ISO 8601 timestamp or epoch
                milliseconds (None: from the start).

        Returns:
            Up to 100 records with every property, the cursor to read on from, and whether
            more changes were waiting.
        """
        self._entity(entity)
        modified = LAST_MODIFIED[entity]
        if entity not in self._fields:
            await self.fields(entity)
        names = [known.name for known in self._fields[entity]]
        ms, last_id = parse_cursor(since)
        page: list[dict[str, Any]] = []
        if ms is not None and last_id is not None:
            group = await self._group(entity, modified, ms, last_id, names, CHANGES_PAGE)
            page += group
            if len(group) == CHANGES_PAGE:
                return _changes(page, f"{ms}/{group[-1]['id']}", more=True)
        filters: list[dict[str, Any]] = []
        if ms is not None:
            operator = "GT" if last_id is not None else "GTE"
            filters.append({"propertyName": modified, "operator": operator, "value": str(ms)})
        wanted = CHANGES_PAGE - len(page)
        following, _ = await self._search(entity, filters, modified, names, wanted)
        if not following:
            cursor = f"{ms}/{page[-1]['id']}" if page and ms is not None else since
            return _changes(page, cursor, more=False)
        last_ms = _ms((following[-1].get("properties") or {}).get(modified)) or 0
        if len(following) < wanted:  # every group in it is complete
            page += following
            at_last = [int(r["id"]) for r in following if _record_ms(r, modified) == last_ms]
            return _changes(page, f"{last_ms}/{max(at_last)}", more=False)
        # The page may end inside the group modified at ``last_ms``: read that group by id.
        page += [r for r in following if _record_ms(r, modified) != last_ms]
        group = await self._group(entity, modified, last_ms, "0", names, CHANGES_PAGE - len(page))
        page += group
        last_id = str(group[-1]["id"]) if group else "0"
        return _changes(page, f"{last_ms}/{last_id}", more=True)

    async def _group(
        self, entity: str, modified: str, ms: int, after_id: str, names: list[str], limit: int
    ) -> list[dict[str, Any]]:
        """Records modified exactly at ``ms`` with an id above ``after_id``, by id."""
        if limit <= 0:
            return []
        filters = [
            {"propertyName": modified, "operator": "EQ", "value": str(ms)},
            {"propertyName": "hs_object_id", "operator": "GT", "value": after_id},
        ]
        results, _ = await self._search(entity, filters, "hs_object_id", names, limit)
        return results


def _json(response: httpx.Response) -> dict[str, Any]:
    """A JSON object answer (an empty one when HubSpot sent something else)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _upsert_inputs(id_property: str) -> Callable[[Sent], dict[str, Any]]:
    return lambda sent: upsert_input(sent, id_property)


def _chunks(
    operation: str,
    items: list[_Item],
    id_property: str | None,
    inputs: Callable[[Sent], dict[str, Any]],
) -> list[_Batch]:
    return [
        _Batch(operation, items[start : start + BATCH_SIZE], id_property, inputs)
        for start in range(0, len(items), BATCH_SIZE)
    ]


def _membership(
    record_id: str, adding: bool, list_id: str, missing: set[str], status: int
) -> ListResult:
    if record_id not in missing:
        return ListResult(record_id, adding, True)
    verb = "add to" if adding else "remove from"
    error = VendorError(
        f"HubSpot has no record {record_id} to {verb} list {list_id}",
        status,
        "RECORD_MISSING",
        Action.REFUSE,
    )
    return ListResult(record_id, adding, False, error)


def _record_ms(result: dict[str, Any], modified: str) -> int | None:
    return _ms((result.get("properties") or {}).get(modified))


def _changes(results: list[dict[str, Any]], cursor: str | None, *, more: bool) -> ChangePage:
    records: list[tuple[str, Record]] = [
        (str(r["id"]), dict(r.get("properties") or {})) for r in results
    ]
    return ChangePage(records=records, cursor=cursor, more=more)
