"""The SugarCRM connector: Accounts, Contacts, Leads and Opportunities through Sugar's REST
API (v11), and Target List memberships.

Sugar has no upsert by a natural key (its ``sync_key`` endpoints need an admin and a key
stored beforehand), so records are matched by search, then written: one ``POST
/{Module}/filter`` with ``$in`` on the match key finds the records that exist (the oldest
where several share a value), then creates (``POST /{Module}``) and updates (``PUT
/{Module}/{id}``) go out as sub-requests of ``POST /bulk`` envelopes, each sub-request
answered on its own. A sub-request that failed in passing is not re-sent blindly: the next
round searches again first, so that a create Sugar did carry out becomes an update, and a
resend never duplicates a record.

The same search answers ``find`` (without writing); ``remove`` deletes records by id with
``DELETE /{Module}/{id}`` sub-requests of the same envelopes (see ``removal.py``); ``link``
sets contacts' ``account_id`` by ``PUT`` sub-requests of them (see ``links.py``).

Sugar silently drops fields a module does not define; the connector refuses such a record
instead (naming the field), so that nothing a user mapped disappears without a word.

One budget paces every request: Sugar publishes no rate limit, so the default (5 requests a
second) is a conservative choice, settable per connection (see ``settings.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from cardfile.connectors.base import (
    Capabilities,
    Connection,
    Connector,
    Field,
    Health,
    Identity,
    Link,
    ListResult,
    RateLimit,
    Record,
    RecordResult,
    UpsertMode,
    first_text,
)
from cardfile.connectors.errors import (
    Action,
    ConnectionBroken,
    ConnectorError,
    Refused,
    RetryLater,
    VendorError,
)
from cardfile.connectors.http import RateBudget, VendorClient
from cardfile.connectors.sugarcrm import bulk
from cardfile.connectors.sugarcrm.auth import credentials_of, session_for
from cardfile.connectors.sugarcrm.errors import ERRORS, read_message
from cardfile.connectors.sugarcrm.fields import fields_of
from cardfile.connectors.sugarcrm.links import LINKS, Linking
from cardfile.connectors.sugarcrm.lists import Memberships
from cardfile.connectors.sugarcrm.records import (
    SubRequest,
    domain_of,
    email_list,
    key_texts,
    refused,
    values_of,
    written,
)
from cardfile.connectors.sugarcrm.removal import Removal
from cardfile.connectors.sugarcrm.settings import (
    DEFAULT_BULK_SIZE,
    DEFAULT_REQUESTS_PER_SECOND,
    instance_root,
    settings_of,
)
from cardfile.connectors.values import UnsendableValue

MODULES = {
    "contacts": "Contacts",
    "companies": "Accounts",
    "leads": "Leads",
    "deals": "Opportunities",
}
MATCH_KEYS = {
    "contacts": ("email", "id"),
    "companies": ("website", "name", "id"),
    "leads": ("email", "id"),
    "deals": ("name", "id"),
}
RECORD_ID = "id"
BUDGET = RateLimit(DEFAULT_REQUESTS_PER_SECOND, 1.0)
FILTER_PAGE = 200
FILTER_IN_VALUES = 100
ROUNDS = 3  # searches-then-writes for records whose sub-request failed in passing
ROUND_PAUSE = 0.25  # seconds before another round, doubled each time
CONCURRENT_ENVELOPES = 2  # the budget paces them; more in flight would only queue
LANGUAGE = "en_us"
_RETRYABLE = {Action.RETRY, Action.RATE_LIMITED, Action.REFRESH}


@dataclass
class _Item:
    """The records of one call sharing a key, sent once and given one result."""

    indices: list[int]
    key: str | None  # the match key's value as compared (None: create)
    sought: str | None  # the value searched for
    values: dict[str, Any]
    target: str | None = None  # the record an update goes to
    result: RecordResult | None = None
    last_error: VendorError | None = field(default=None, repr=False)


def _for_records(error: RetryLater | Refused) -> VendorError:
    """The error each record of a failed request carries: a request that outlasted the
    client's retries (a passing fault, a rate limit) is for a later run."""
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error


def _sought(match_key: str, key: str, value: Any) -> str:
    """The text searched for: the compared key where it is already what Sugar holds (an
    address, an id), else the value as given (the filter ignores case itself)."""
    return key if match_key in ("email", "email1", RECORD_ID) else str(value).strip()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class SugarCRMConnector(Connector):
    """A self-hosted Sugar instance's Accounts, Contacts, Leads and Opportunities, and its
    Target Lists."""

    provider: ClassVar[str] = "sugarcrm"
    default_base_url: ClassVar[str] = ""  # self-hosted: every connection names its instance
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=DEFAULT_BULK_SIZE,
        writes=BUDGET,
        reads=BUDGET,
        upsert=UpsertMode.SEARCH_THEN_WRITE,
        entities=frozenset(MODULES),
        match_keys=MATCH_KEYS,
        lists=True,
        reads_changes=False,
        record_id_key="id",
        finds=True,
        removes=True,
        people="contacts",
        companies="companies",
        links=LINKS,
    )

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.settings = settings_of(connection.settings)
        self.root = instance_root(connection.base_url)
        self.api_root = f"{self.root or ''}/rest/{self.settings.rest_version}"
        self.budget = RateBudget(RateLimit(self.settings.requests_per_second, 1.0))
        self.session = session_for(connection, self.token_url(), self.settings)
        self._client = VendorClient(
            self.api_root,
            auth=self.session,
            errors=ERRORS,
            writes=self.budget,
            reads=self.budget,
            message=read_message,
            secrets=connection.secrets(),
        )
        self._fields: dict[str, dict[str, Field]] = {}
        self._language: dict[str, Any] | None = None
        self._envelopes = asyncio.Semaphore(CONCURRENT_ENVELOPES)

    @property
    def base_url(self) -> str:
        """The REST API root in use (``{instance}/rest/{version}``)."""
        return self.api_root

    @property
    def client(self) -> VendorClient:
        """The HTTP client (its ``stats`` say what the connector did)."""
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP connections (the API's and the token endpoint's)."""
        await self._client.aclose()
        await self.session.aclose()

    def token_url(self) -> str:
        """Sugar's token endpoint: ``/rest/{version}/oauth2/token`` on the instance."""
        return f"{self.api_root}/oauth2/token"

    def _unusable(self) -> str | None:
        """Why the connection cannot make a call at all (None: it can)."""
        if self.root is None:
            return (
                "SugarCRM is self-hosted: the connection needs the instance's base URL "
                "(cardfile connections add sugarcrm --base-url https://crm.example.com "
                "--token 'user:password')"
            )
        if self.connection.oauth is None and credentials_of(self.connection.token) is None:
            return "a SugarCRM connection's token holds the credentials as 'username:password'"
        return None

    def _usable(self) -> None:
        reason = self._unusable()
        if reason is not None:
            raise ConnectionBroken(VendorError(reason, action=Action.BROKEN))

    def _module(self, entity: str) -> str:
        module = MODULES.get(entity)
        if module is None:
            known = ", ".join(sorted(MODULES))
            raise Refused(VendorError(f"the SugarCRM connector handles {known}, not {entity!r}"))
        return module

    def identity(self, entity: str, record: Record) -> Identity:
        """Contacts and leads: ``email`` (or ``email1``) and the first and last name;
        companies: ``name`` and the domain of ``website``; deals: ``name``."""
        if entity in ("contacts", "leads"):
            addresses = email_list(record.get("email")) if record.get("email") else []
            email = first_text(addresses, "email_address") or first_text(record.get("email1"))
            parts = [first_text(record.get(k)) for k in ("first_name", "last_name")]
            name = " ".join(p for p in parts if p) or first_text(record.get("full_name"))
            return Identity(email=email, name=name)
        if entity == "companies":
            return Identity(
                name=first_text(record.get("name")), domain=domain_of(record.get("website"))
            )
        return Identity(name=first_text(record.get("name")))

    async def check(self) -> Health:
        """``GET /me``: the user the session belongs to, or why it cannot be used."""
        reason = self._unusable()
        if reason is not None:
            return Health(False, reason)
        try:
            response = await self._client.request("GET", "/me")
        except ConnectorError as error:
            return Health(False, error.message)
        user = _json(response).get("current_user") or {}
        if not isinstance(user, dict) or not user.get("user_name"):
            return Health(False, "SugarCRM answered /me without a current user")
        host = urlsplit(self.root or "").netloc
        version = self.settings.rest_version
        return Health(True, f"SugarCRM user {user['user_name']} at {host} (REST {version})", host)

    async def fields(self, entity: str) -> list[Field]:
        """The module's vardefs (``GET /metadata``), labelled and with dropdown choices from
        the language strings (``GET /lang/en_us``, read once per connector)."""
        module = self._module(entity)
        self._usable()
        params = {"type_filter": "modules", "module_filter": module}
        metadata = _json(await self._client.request("GET", "/metadata", params=params))
        if self._language is None:
            self._language = _json(await self._client.request("GET", f"/lang/{LANGUAGE}"))
        unique = [key for key in MATCH_KEYS[entity] if key != RECORD_ID]
        found = fields_of(module, metadata, self._language, unique)
        if not found:
            raise ConnectionBroken(
                VendorError(f"SugarCRM describes no fields of {module}", action=Action.BROKEN)
            )
        self._fields[entity] = {known.name: known for known in found}
        return found

    async def upsert(
        self, entity: str, records: Sequence[Record], match_key: str
    ) -> list[RecordResult]:
        """Create or update each record, matched on ``match_key``; results in input order.

        Raises:
            ConnectionBroken: The connection cannot log in, or Sugar broke it mid-way.
        """
        module = self._module(entity)
        if not records:
            return []
        self._usable()
        try:
            known = await self._known(entity, records)
        except (RetryLater, Refused) as error:
            return [RecordResult.failed(_for_records(error)) for _ in records]
        if match_key != RECORD_ID and match_key not in known:
            message = f"SugarCRM {module} has no field {match_key!r} to match records on"
            return [refused(message) for _ in records]
        results: list[RecordResult | None] = [None] * len(records)
        items = self._items(module, records, match_key, known, results)
        for round_number in range(ROUNDS):
            # A create without a key (matching on id) cannot be searched for: sent once only.
            pending = [
                item
                for item in items
                if item.result is None and (item.key or match_key != RECORD_ID or not round_number)
            ]
            if not pending:
                break
            if round_number:
                await asyncio.sleep(ROUND_PAUSE * 2 ** (round_number - 1))
            if match_key == RECORD_ID:
                for item in pending:
                    item.target = item.key
            else:
                try:
                    await self._find(module, match_key, [i for i in pending if i.sought])
                except (RetryLater, Refused) as error:
                    for item in pending:
                        item.result = RecordResult.failed(_for_records(error))
                    break
            await self._write(module, pending)
        for item in items:
            outcome = item.result or RecordResult.failed(
                replace(
                    item.last_error or VendorError("SugarCRM did not answer for this record"),
                    action=Action.RETRY,
                )
            )
            for index in item.indices:
                results[index] = outcome
        return [result or refused("the record was not sent") for result in results]

    async def _known(self, entity: str, records: Sequence[Record]) -> dict[str, Field]:
        """The entity's fields by name; read again once when a record names a field the
        cached list lacks (it may have been added in Studio since)."""
        cached = self._fields.get(entity)
        if cached is None or any(n != RECORD_ID and n not in cached for r in records for n in r):
            await self.fields(entity)
        return self._fields[entity]

    def _items(
        self,
        module: str,
        records: Sequence[Record],
        match_key: str,
        known: dict[str, Field],
        results: list[RecordResult | None],
    ) -> list[_Item]:
        """The records as items, those sharing a key merged (later values winning). Records
        that cannot be sent get their result here, without a request."""
        keyed: dict[str, _Item] = {}
        unkeyed: list[_Item] = []
        for index, record in enumerate(records):
            unknown = sorted(str(n) for n in record if n != RECORD_ID and n not in known)
            if unknown:
                names = ", ".join(repr(n) for n in unknown)
                results[index] = refused(
                    f"SugarCRM {module} has no field {names} (Sugar would drop it silently)",
                    code="unknown_field",
                )
                continue
            try:
                values = values_of(record, without=(RECORD_ID,))
                keys = key_texts(match_key, record.get(match_key))
            except UnsendableValue as error:
                results[index] = refused(f"SugarCRM cannot store {error}")
                continue
            if not keys:
                if match_key == RECORD_ID:
                    unkeyed.append(_Item([index], None, None, values))
                else:
                    results[index] = refused(f"the record has no {match_key}, its match key")
                continue
            key = keys[0]  # an email list is matched on its primary (first) address
            sought = _sought(match_key, key, record.get(match_key))
            item = keyed.get(key)
            if item is None:
                keyed[key] = _Item([index], key, sought, values)
            else:
                item.indices.append(index)
                item.values.update(values)
        return [*keyed.values(), *unkeyed]

    async def _find(self, module: str, match_key: str, items: list[_Item]) -> None:
        """Point each item at the oldest record holding its key, where one exists."""
        by_key = {item.key: item for item in items if item.key}
        sought = list(dict.fromkeys(item.sought for item in items if item.sought))
        shown = "email" if match_key in ("email", "email1") else match_key
        wanted = "id" if shown == RECORD_ID else f"id,{shown}"
        for start in range(0, len(sought), FILTER_IN_VALUES):
            chunk = sought[start : start + FILTER_IN_VALUES]
            body: dict[str, Any] = {
                "filter": [{match_key: {"$in": chunk}}],
                "fields": wanted,
                "max_num": FILTER_PAGE,
                "order_by": "date_entered:ASC",
                "offset": 0,
            }
            while True:
                page = _json(
                    await self._client.request("POST", f"/{module}/filter", json=body, write=False)
                )
                for found in page.get("records") or []:
                    if not isinstance(found, dict) or not found.get("id"):
                        continue
                    for key in key_texts(match_key, found.get(shown)):
                        item = by_key.get(key)
                        if item is not None and item.target is None:
                            item.target = str(found["id"])
                following = page.get("next_offset")
                if not isinstance(following, int) or following < 0 or not page.get("records"):
                    break
                body["offset"] = following

    async def find(self, entity: str, match_key: str, values: Sequence[str]) -> dict[str, str]:
        """The id of the oldest record holding each value in ``match_key``, by the search
        upserts match with (the same case-insensitivity, every address of a record for
        ``email``); ``id`` answers which ids name records. Writes nothing.

        Raises:
            Refused: The module has no field ``match_key``, or Sugar refused the search.
            RetryLater: The search failed in passing, past the client's retries.
            ConnectionBroken: The connection cannot log in, or Sugar broke it.
        """
        module = self._module(entity)
        given = [str(v) for v in values if v not in (None, "")]
        if not given:
            return {}
        self._usable()
        if match_key != RECORD_ID and match_key not in await self._known(entity, []):
            raise Refused(
                VendorError(f"SugarCRM {module} has no field {match_key!r} to find records by")
            )
        keys: dict[str, str] = {}  # value as given -> key as compared
        items: dict[str, _Item] = {}
        for value in given:
            texts = key_texts(match_key, value)
            if not texts or not texts[0]:  # blank: no record holds it
                continue
            keys[value] = texts[0]
            if texts[0] not in items:
                items[texts[0]] = _Item([], texts[0], _sought(match_key, texts[0], value), {})
        await self._find(module, match_key, list(items.values()))
        targets = {key: item.target for key, item in items.items() if item.target}
        return {value: targets[key] for value, key in keys.items() if key in targets}

    async def remove(self, entity: str, vendor_ids: Sequence[str]) -> list[RecordResult]:
        """Delete records by id (``DELETE /{Module}/{id}`` in ``/bulk`` envelopes); an id
        Sugar does not have counts as removed. Results in input order.

        Raises:
            ConnectionBroken: The connection cannot log in, or Sugar broke it mid-way.
        """
        module = self._module(entity)
        if not vendor_ids:
            return []
        self._usable()
        removal = Removal(
            self._client, self.settings.rest_version, self.settings.bulk_size, self._envelopes
        )
        return await removal.remove(module, [str(i) for i in vendor_ids])

    async def link(self, links: Sequence[Link]) -> list[RecordResult]:
        """Link contacts to their account (``account_id``, see ``links.py``) by ``PUT``
        sub-requests of ``/bulk`` envelopes; a contact shows one account, so a new link
        replaces the old. Results in input order.

        Raises:
            ConnectionBroken: The connection cannot log in, or Sugar broke it mid-way.
        """
        if not links:
            return []
        self._usable()
        linking = Linking(
            self._client,
            self.settings.rest_version,
            self.settings.bulk_size,
            self._envelopes,
            self._existing,
        )
        return await linking.link(links)

    async def _existing(self, module: str, ids: list[str]) -> set[str]:
        """Which of ``ids`` name records of ``module`` (the search upserts match ids with)."""
        items = {i: _Item([], i, i, {}) for i in ids}
        await self._find(module, RECORD_ID, list(items.values()))
        return {i for i, item in items.items() if item.target}

    async def _write(self, module: str, items: list[_Item]) -> None:
        """Creates and updates of ``items`` in envelopes; each item gets its result, or keeps
        none (with its last error) when its sub-request failed in passing."""
        subs = [
            SubRequest("PUT", f"{module}/{item.target}", item.values)
            if item.target
            else SubRequest("POST", module, item.values)
            for item in items
        ]
        size = self.settings.bulk_size
        chunks = [(items[s : s + size], subs[s : s + size]) for s in range(0, len(items), size)]
        try:
            async with asyncio.TaskGroup() as group:
                for chunk_items, chunk_subs in chunks:
                    group.create_task(self._envelope(chunk_items, chunk_subs))
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None

    async def _envelope(self, items: list[_Item], subs: list[SubRequest]) -> None:
        async with self._envelopes:
            try:
                answers = await bulk.send(self._client, self.settings.rest_version, subs)
            except (RetryLater, Refused) as error:
                for item in items:
                    item.result = RecordResult.failed(_for_records(error))
                return
        for item, sub, answer in zip(items, subs, answers, strict=True):
            if answer.action is None:
                item.result = written(answer.contents, created=sub.method == "POST")
            elif answer.action in _RETRYABLE:
                item.last_error = answer.error()
            else:
                item.result = RecordResult.failed(answer.error())

    async def update_list(
        self, list_id: str, add_ids: Sequence[str], remove_ids: Sequence[str]
    ) -> list[ListResult]:
        """Relate records to a Target List and unrelate them; results per id, additions
        first. Sugar ids do not say their module, so the ids are looked up first."""
        self._usable()
        memberships = Memberships(self._client, self.settings.rest_version, self._envelopes)
        return await memberships.update(
            str(list_id), [str(i) for i in add_ids], [str(i) for i in remove_ids]
        )
