"""The Salesforce connector: contacts, accounts, leads and opportunities through the REST
API, pinned to one API version (``api_version`` setting to override it).

Writes go through sObject Collections, 200 records a request, a few requests at a time. How a
record is matched depends on its key:

* an external id field (``externalId`` in the describe, such as a custom ``Cardfile_Id__c``):
  ``PATCH /composite/sobjects/{SObject}/{Field}``, Salesforce's upsert, which creates or
  updates by the key in one request;
* ``Id``: ``PATCH /composite/sobjects`` for records that carry one, ``POST`` for the rest;
* any other key, the defaults among them (``Email`` of contacts and leads, ``Website`` or
  ``Name`` of accounts), which Salesforce does not keep unique and cannot upsert by: a SOQL
  query for the keys first (``WHERE key IN (…)``, in chunks a GET can carry), then ``PATCH`` of
  the records found (the oldest where several share a key) and ``POST`` of the others. A resend
  finds what the first send created, so it updates instead of duplicating.

Salesforce publishes no per-second limit, only the org's daily allocation over a rolling 24
hours, which every answer reports in ``Sforce-Limit-Info`` (see ``limits.py``). Lists are
campaigns (``campaigns.py``); changes are read by ``SystemModstamp`` (``changes.py``).
``find`` asks the same SOQL an upsert asks, and writes nothing (``lookups.py``); ``remove``
deletes by id into the recycle bin (``removals.py``); ``link`` sets a contact's ``AccountId``
through the same collection update (``links.py``).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

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
    RateLimit,
    Record,
    RecordResult,
    UpsertMode,
    first_text,
    link_rounds,
)
from cardfile.connectors.errors import (
    ConnectionBroken,
    ConnectorError,
    Refused,
    RetryLater,
    VendorError,
)
from cardfile.connectors.http import VendorClient
from cardfile.connectors.salesforce import soql
from cardfile.connectors.salesforce.auth import AUTHORIZE_PATH, auth_for, login_server, token_url
from cardfile.connectors.salesforce.campaigns import CampaignMembers
from cardfile.connectors.salesforce.changes import (
    STAMP,
    changes_query,
    page_size,
    parse_cursor,
    soql_datetime,
)
from cardfile.connectors.salesforce.errors import ERRORS, for_records, read_message
from cardfile.connectors.salesforce.fields import described, field_of
from cardfile.connectors.salesforce.limits import DAILY, DailyAllowance, read_limit_info
from cardfile.connectors.salesforce.links import (
    LINK_FIELDS,
    LINKS,
    link_result,
    record_key,
    unnamed,
    unsupported,
)
from cardfile.connectors.salesforce.lookups import existing, oldest
from cardfile.connectors.salesforce.query import json_of, query_rows
from cardfile.connectors.salesforce.records import (
    key_text,
    refused,
    result_of,
    sobject_record,
    values_of,
)
from cardfile.connectors.salesforce.removals import remove_records
from cardfile.connectors.values import UnsendableValue

API_VERSION = "66.0"
BATCH_SIZE = 200
CONCURRENT_REQUESTS = 4  # Salesforce limits long-running requests in flight to 25 per org
SOBJECTS = {"contacts": "Contact", "companies": "Account", "leads": "Lead", "deals": "Opportunity"}
MATCH_KEYS = {
    "contacts": ("Email", "Id"),
    "companies": ("Website", "Name", "Id"),
    "leads": ("Email", "Id"),
    "deals": ("Id",),
}
RECORD_ID = "Id"
_VERSION = re.compile(r"^v?(\d{2,3})\.0$")
_NO_SUCH_COLUMN = re.compile(r"No such column '([^']+)'")
_UNREADABLE = re.compile(r"from VALUE_\w+ value (.*?) or request may be missing")


@dataclass
class _Item:
    """The records of one call sharing a key, sent once and given one result."""

    indices: list[int]
    key: str | None  # the key as compared (folded); None for records created without one
    values: dict[str, Any]
    target: str | None = None  # the record id an update goes to
    result: RecordResult | None = None


@dataclass
class _Batch:
    """One collection request: its method and path, its items, how each becomes a record."""

    method: str
    path: str
    items: list[_Item]
    build: Callable[[_Item], dict[str, Any]]
    created: bool | None  # what success means (None: the upsert result says)


def api_version(connection: Connection) -> str:
    """The API version in use, as ``vNN.0``: the connection's setting, else the pinned one.

    Raises:
        ValueError: The setting is not a version such as ``62.0``.
    """
    configured = str(connection.settings.get("api_version") or API_VERSION).strip()
    found = _VERSION.match(configured)
    if found is None:
        raise ValueError(f"api_version must look like '{API_VERSION}', not {configured!r}")
    return f"v{found.group(1)}.0"


def _setting(connection: Connection, name: str, default: int, least: int) -> int:
    raw = connection.settings.get(name)
    if raw is None:
        return default
    value = int(raw)
    if value < least:
        raise ValueError(f"{name} must be at least {least}, not {raw!r}")
    return value


def domain_of(website: str | None) -> str | None:
    """The domain of a website as people type it (``https://www.Acme.com/about`` → acme.com)."""
    if not website:
        return None
    text = website.strip()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.lower().removeprefix("www.")
    return host or None


def _culprits(message: str, items: list[_Item]) -> list[_Item]:
    """The items a whole-request refusal points at: those carrying the unknown field it
    names, or holding the value its JSON reader could not read (none: it names neither)."""
    column = _NO_SUCH_COLUMN.search(message)
    if column is not None:
        return [item for item in items if column.group(1) in item.values]
    unreadable = _UNREADABLE.search(message)
    if unreadable is not None:
        text = unreadable.group(1)
        return [item for item in items if any(str(v) == text for v in item.values.values())]
    return []


class SalesforceConnector(Connector):
    """Salesforce contacts, accounts, leads and opportunities, and campaign members."""

    provider: ClassVar[str] = "salesforce"
    default_base_url: ClassVar[str] = "https://login.salesforce.com"
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=BATCH_SIZE,
        writes=DAILY,
        reads=DAILY,
        upsert=UpsertMode.SEARCH_THEN_WRITE,
        entities=frozenset(SOBJECTS),
        match_keys=MATCH_KEYS,
        lists=True,
        reads_changes=True,
        record_id_key="Id",
        finds=True,
        removes=True,
        people="contacts",
        companies="companies",
        links=LINKS,
    )
    oauth_app: ClassVar[OAuthApp | None] = OAuthApp(
        authorize_url=f"{login_server(None)}{AUTHORIZE_PATH}",
        scopes="api refresh_token",
    )

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.version = api_version(connection)
        daily = _setting(connection, "daily_api_requests", DAILY.requests, 1)
        reserve = _setting(connection, "daily_api_reserve", 0, 0)
        # One allocation for reads and writes: Salesforce counts both against the same day.
        self.budget = DailyAllowance(RateLimit(daily, DAILY.seconds), reserve=reserve)
        self._client = VendorClient(
            self.base_url,
            auth=auth_for(connection),
            errors=ERRORS,
            writes=self.budget,
            reads=self.budget,
            message=read_message,
            headers=read_limit_info,
            secrets=connection.secrets(),
        )
        self._described: dict[str, dict[str, dict[str, Any]]] = {}
        self._slots = asyncio.Semaphore(CONCURRENT_REQUESTS)

    @property
    def client(self) -> VendorClient:
        """The HTTP client (its ``stats`` say what the connector did)."""
        return self._client

    @property
    def api(self) -> str:
        """The REST API's path prefix, version included."""
        return f"/services/data/{self.version}"

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    @classmethod
    def authorize_url(cls, base_url: str | None) -> str:
        """The consent page on the org's login server (My Domain or sandbox when given)."""
        return f"{login_server(base_url)}{AUTHORIZE_PATH}"

    @classmethod
    def base_url_of_grant(cls, grant: Mapping[str, Any]) -> str | None:
        """The org's ``instance_url``, which the token endpoint names."""
        instance = grant.get("instance_url")
        return str(instance).rstrip("/") if instance else None

    def token_url(self) -> str:
        """``/services/oauth2/token`` on the login server (or the client's own)."""
        return token_url(self.connection)

    def _sobject(self, entity: str) -> str:
        sobject = SOBJECTS.get(entity)
        if sobject is None:
            known = ", ".join(sorted(SOBJECTS))
            raise Refused(VendorError(f"the Salesforce connector handles {known}, not {entity!r}"))
        return sobject

    def _instance(self) -> None:
        """Salesforce's API lives on the org's instance, never on the login server.

        Raises:
            ConnectionBroken: The connection names no instance URL.
        """
        if self.connection.base_url is None:
            raise ConnectionBroken(
                VendorError(
                    "a Salesforce connection needs its org's instance URL (or My Domain URL) "
                    "as its base URL; OAuth connections take it from the grant's instance_url"
                )
            )

    def identity(self, entity: str, record: Record) -> Identity:
        """People (contacts, leads): ``Email`` and ``Name`` (or ``FirstName`` ``LastName``);
        accounts: ``Name`` and the domain of ``Website``; opportunities: ``Name``."""
        name = first_text(record.get("Name"))
        if entity in ("contacts", "leads"):
            if name is None:
                parts = [first_text(record.get(k)) for k in ("FirstName", "LastName")]
                name = " ".join(p for p in parts if p) or None
            return Identity(email=first_text(record.get("Email")), name=name)
        if entity == "companies":
            return Identity(name=name, domain=domain_of(first_text(record.get("Website"))))
        return Identity(name=name)

    async def check(self) -> Health:
        """``GET /limits``: the org's daily API allocation, or why it cannot be read."""
        try:
            self._instance()
            response = await self._client.request("GET", f"{self.api}/limits")
        except ConnectorError as error:
            return Health(False, error.message)
        daily = (json_of(response) or {}).get("DailyApiRequests") or {}
        host = urlsplit(self.base_url).hostname or self.base_url
        if "Max" not in daily:
            return Health(True, f"Salesforce org at {host} (API {self.version})")
        return Health(
            True,
            f"Salesforce org at {host} (API {self.version}): {daily.get('Remaining')} of "
            f"{daily['Max']} daily API requests left",
        )

    async def _describe(self, entity: str, *, again: bool = False) -> dict[str, dict[str, Any]]:
        if again or entity not in self._described:
            sobject = self._sobject(entity)
            self._instance()
            response = await self._client.request("GET", f"{self.api}/sobjects/{sobject}/describe")
            self._described[entity] = described(json_of(response))
        return self._described[entity]

    async def fields(self, entity: str) -> list[Field]:
        """Every field of the entity's object (``GET /sobjects/{SObject}/describe``)."""
        found = await self._describe(entity, again=True)
        return [field_of(entity, raw) for raw in found.values()]

    async def _mode(self, entity: str, match_key: str) -> str | None:
        """``"id"``, ``"external"`` (upsert by the field), ``"search"``, or None (no match)."""
        if match_key == RECORD_ID:
            return "id"
        if match_key in MATCH_KEYS[entity]:  # standard fields: never external ids
            return "search"
        for again in (False, True):
            raw = (await self._describe(entity, again=again)).get(match_key)
            if raw is not None:
                if raw.get("externalId"):
                    return "external"
                if raw.get("idLookup") or raw.get("unique"):
                    return "search"
                return None
        return None

    async def upsert(
        self, entity: str, records: Sequence[Record], match_key: str
    ) -> list[RecordResult]:
        """Create or update each record, matched on ``match_key``; results in input order.

        Raises:
            ConnectionBroken: The session was refused and could not be renewed, or the
                connection names no instance.
        """
        sobject = self._sobject(entity)
        if not records:
            return []
        self._instance()
        try:
            mode = await self._mode(entity, match_key)
        except (RetryLater, Refused) as error:
            return [RecordResult.failed(for_records(error)) for _ in records]
        if mode is None:
            message = (
                f"Salesforce cannot match {entity} on {match_key!r}: it is not an external id "
                f"or lookup field of {sobject} (use {' or '.join(MATCH_KEYS[entity])}, or an "
                "external id field)"
            )
            return [refused(message) for _ in records]
        results: list[RecordResult | None] = [None] * len(records)
        keyed, unkeyed = self._items(records, match_key, mode, results)
        batches: list[_Batch] = []
        collection = f"{self.api}/composite/sobjects"
        if mode == "external":
            batches += self._chunks(
                "PATCH",
                f"{collection}/{sobject}/{match_key}",
                list(keyed.values()),
                sobject,
                created=None,
            )
        else:
            if mode == "id":
                for item in keyed.values():
                    item.target = str(item.values.pop(RECORD_ID))
            else:
                await self._find_targets(sobject, match_key, keyed)
            found = [item for item in keyed.values() if item.target and item.result is None]
            unkeyed += [item for item in keyed.values() if not item.target and not item.result]
            batches += self._chunks("PATCH", collection, found, sobject, created=False)
        batches += self._chunks("POST", collection, unkeyed, sobject, created=True)
        await self._gather([self._send(batch) for batch in batches])
        for item in [*keyed.values(), *unkeyed]:
            outcome = item.result or refused("Salesforce's answer did not mention this record")
            for index in item.indices:
                results[index] = outcome
        return [result or refused("the record was not sent") for result in results]

    def _items(
        self,
        records: Sequence[Record],
        match_key: str,
        mode: str,
        results: list[RecordResult | None],
    ) -> tuple[dict[str, _Item], list[_Item]]:
        """The records as items: keyed ones merged by key (later values winning), unkeyed
        ones (to create) apart. Records that cannot be sent get their result here."""
        keyed: dict[str, _Item] = {}
        unkeyed: list[_Item] = []
        # An upsert by external id must not carry an Id; the key itself travels as a field.
        without = (RECORD_ID,) if mode == "external" else ()
        for index, record in enumerate(records):
            raw = record.get(match_key)
            try:
                values = values_of(record, without=without)
                if mode == "id":  # 15-character ids are case-sensitive; 18 extend them
                    key = str(raw).strip()[:15] if raw not in (None, "") else ""
                else:
                    key = key_text(raw) if raw not in (None, "") else ""
            except UnsendableValue as error:
                results[index] = refused(f"Salesforce cannot store {error}")
                continue
            if not key:
                if mode == "id":
                    values.pop(RECORD_ID, None)
                    unkeyed.append(_Item([index], None, values))
                else:
                    results[index] = refused(f"the record has no {match_key}, its match key")
                continue
            item = keyed.get(key)
            if item is None:
                keyed[key] = _Item([index], key, values)
            else:
                item.indices.append(index)
                item.values.update(values)
        return keyed, unkeyed

    def _chunks(
        self, method: str, path: str, items: list[_Item], sobject: str, *, created: bool | None
    ) -> list[_Batch]:
        def build(item: _Item) -> dict[str, Any]:
            values = dict(item.values)
            if method == "PATCH" and created is False:
                values[RECORD_ID] = item.target
            return sobject_record(sobject, values)

        return [
            _Batch(method, path, items[start : start + BATCH_SIZE], build, created)
            for start in range(0, len(items), BATCH_SIZE)
        ]

    async def _gather(self, calls: Sequence[Awaitable[None]]) -> None:
        """Run ``calls`` a few at a time; a broken connection is raised once all are done."""

        async def bounded(call: Awaitable[None]) -> None:
            async with self._slots:
                await call

        outcomes = await asyncio.gather(*(bounded(c) for c in calls), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _send(self, batch: _Batch, items: list[_Item] | None = None) -> None:
        """One collection request; its items get their results (never dropped).

        Salesforce refuses a whole request for one bad record when its JSON reader meets it
        (a field the object lacks, text in a number or date field), before saving anything.
        A refusal naming a field or a value fails the records carrying it; another 400 is
        narrowed down by halves, so that in the end only the record Salesforce cannot read
        fails, in its words, and every other record is sent again.
        """
        pending = list(batch.items if items is None else items)
        while pending:
            body = {"allOrNone": False, "records": [batch.build(item) for item in pending]}
            try:
                response = await self._client.request(batch.method, batch.path, json=body)
            except Refused as error:
                carrying = _culprits(error.message, pending)
                if not carrying and error.status == 400 and len(pending) > 1:
                    half = len(pending) // 2
                    await self._send(batch, pending[:half])
                    await self._send(batch, pending[half:])
                    return
                for item in carrying or pending:
                    item.result = RecordResult.failed(error.error)
                pending = [item for item in pending if item.result is None]
                continue
            except RetryLater as error:
                for item in pending:
                    item.result = RecordResult.failed(for_records(error))
                return
            answer = json_of(response)
            listed = answer if isinstance(answer, list) else []
            for position, item in enumerate(pending):
                found = listed[position] if position < len(listed) else None
                item.result = result_of(found, created=batch.created, status=response.status_code)
            return

    async def _find_targets(self, sobject: str, match_key: str, keyed: dict[str, _Item]) -> None:
        """Set each item's target to the oldest record holding its key, where one exists."""

        async def find(chunk: list[str]) -> None:
            try:
                found = await oldest(self._client, self.api, sobject, match_key, chunk)
            except (RetryLater, Refused) as error:
                for key in chunk:
                    keyed[key].result = RecordResult.failed(for_records(error))
                return
            for key in chunk:
                keyed[key].target = found.get(key)

        await self._gather([find(chunk) for chunk in soql.chunks(list(keyed))])

    async def find(self, entity: str, match_key: str, values: Sequence[str]) -> dict[str, str]:
        """The id of the oldest record holding each value in ``match_key``, found as
        :meth:`upsert` finds them (SOQL, without case); ``Id`` answers which ids exist.
        Writes nothing.

        Raises:
            Refused: ``match_key`` is no key Salesforce can match on, or a query was refused.
            RetryLater: A query failed in passing, or the daily allocation is spent.
            ConnectionBroken: The session was refused and could not be renewed, or the
                connection names no instance.
        """
        sobject = self._sobject(entity)
        given = [str(v) for v in values if v not in (None, "")]
        if not given:
            return {}
        self._instance()
        if match_key == RECORD_ID:
            return await existing(self._client, self.api, self._gather, sobject, given)
        if await self._mode(entity, match_key) is None:
            raise Refused(
                VendorError(f"Salesforce cannot match {entity} on {match_key!r}: no such key")
            )
        wanted: dict[str, list[str]] = {}  # values differing only in case share a record
        for value in given:
            wanted.setdefault(key_text(value), []).append(value)
        holders: dict[str, str] = {}

        async def look(chunk: list[str]) -> None:
            holders.update(await oldest(self._client, self.api, sobject, match_key, chunk))

        await self._gather([look(chunk) for chunk in soql.chunks(list(wanted))])
        return {v: holders[key] for key, group in wanted.items() if key in holders for v in group}

    async def remove(self, entity: str, vendor_ids: Sequence[str]) -> list[RecordResult]:
        """Delete records by id into the org's recycle bin (see ``removals.py``); an id
        already gone counts as removed. Results in input order.

        Raises:
            ConnectionBroken: The session was refused and could not be renewed, or the
                connection names no instance.
        """
        sobject = self._sobject(entity)
        ids = [str(i).strip() for i in vendor_ids]
        if not ids:
            return []
        self._instance()
        return await remove_records(self._client, self.api, self._gather, sobject, ids)

    async def link(self, links: Sequence[Link]) -> list[RecordResult]:
        """Link contacts to their account by setting ``AccountId`` (see ``links.py``), 200 a
        request; a contact has one account, so a new link replaces the old. Results in
        input order.

        Raises:
            ConnectionBroken: The session was refused and could not be renewed, or the
                connection names no instance.
        """
        results: list[RecordResult | None] = [None] * len(links)
        sendable: list[int] = []
        for index, link in enumerate(links):
            pair = (link.entity, link.target_entity)
            results[index] = unsupported(link) if pair not in LINK_FIELDS else unnamed(link)
            if results[index] is None:
                sendable.append(index)
        if sendable:
            self._instance()
        collection = f"{self.api}/composite/sobjects"
        for indices in link_rounds(links, sendable, same=record_key):
            items: dict[int, _Item] = {}
            for index in indices:
                link = links[index]
                field = LINK_FIELDS[(link.entity, link.target_entity)]
                values = {field: link.target_id.strip()}
                items[index] = _Item([index], None, values, target=link.vendor_id.strip())
            batches: list[_Batch] = []
            for entity in LINKS:  # one object per collection request
                chosen = [item for i, item in items.items() if links[i].entity == entity]
                batches += self._chunks(
                    "PATCH", collection, chosen, SOBJECTS[entity], created=False
                )
            await self._gather([self._send(batch) for batch in batches])
            for index, item in items.items():
                sent = item.result or refused("Salesforce's answer did not mention this record")
                results[index] = link_result(sent, links[index])
        return [result or refused("the link was not sent") for result in results]

    async def update_list(
        self, list_id: str, add_ids: Sequence[str], remove_ids: Sequence[str]
    ) -> list[ListResult]:
        """Add and remove campaign members (``list_id`` is the Campaign's id); a contact, lead
        or account already a member counts as added, one that is not as removed."""
        self._instance()
        members = CampaignMembers(self._client, self.api, self._gather)
        added = await members.add(list_id, [str(i) for i in add_ids])
        removed = await members.remove(list_id, [str(i) for i in remove_ids])
        return added + removed

    async def read_changes(self, entity: str, since: str | None) -> ChangePage:
        """Records of ``entity`` changed since the cursor, oldest change first.

        Args:
            entity: ``contacts``, ``companies``, ``leads`` or ``deals``.
            since: A cursor this method returned, or an ISO 8601 datetime (None: from the
                start).

        Returns:
            Up to 200 records with every field, the cursor to read on from, and whether more
            changes were waiting.
        """
        sobject = self._sobject(entity)
        stamp, last_id = parse_cursor(since)
        fields = await self._describe(entity)
        # Compound fields (an address, a location) are read through their parts.
        names = [n for n, f in fields.items() if f.get("type") not in ("address", "location")]
        for needed in (STAMP, RECORD_ID):
            if needed not in names:
                names.append(needed)
        text = changes_query(sobject, names, stamp, last_id)
        rows = await query_rows(self._client, self.api, text)
        records: list[tuple[str, Record]] = [
            (str(row[RECORD_ID]), {k: v for k, v in row.items() if k != "attributes"})
            for row in rows
        ]
        if not rows:
            return ChangePage(records=[], cursor=since, more=False)
        last = rows[-1]
        cursor = f"{soql_datetime(str(last[STAMP]))}/{last[RECORD_ID]}"
        return ChangePage(records=records, cursor=cursor, more=len(rows) == page_size())
