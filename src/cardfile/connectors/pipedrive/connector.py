"""The Pipedrive connector: persons and organizations through the v2 API, one record per
request, found by an exact-match search first.

Pipedrive has no batch or upsert endpoint for persons or organizations, and keeps no field
unique. So each record is searched for by its match key (``GET …/search?exact_match=true``)
and then updated (``PATCH /api/v2/{object}/{id}``) or created (``POST /api/v2/{object}``).
Records of one call that share a key are merged and sent once (later values winning), so
that two concurrent writes never both create it; and a key this connector has written is
remembered, so a re-sent record goes straight to its record (searching again only if Pipedrive
says it is gone). A create that failed after Pipedrive may have stored it (a 5xx, a dropped
connection) is searched for again before it is sent again. Matching on ``id`` updates by id
and creates the records that carry none.

``find`` runs the same exact-match searches without writing (ids are looked up in one list
request per 100, ``GET /api/v2/{object}?ids=…``); ``remove`` deletes one record a request
(``DELETE /api/v2/{object}/{id}``: Pipedrive marks it deleted and purges it after 30 days),
and a 404 means it is gone already. ``link`` sets a person's ``org_id``, one ``PATCH`` a link
(``links.py``).

Requests run a few at a time, paced by one budget per connection: Pipedrive counts every
request of a token in a 2-second window (20 to 120 requests for an API token by plan, 80 to
480 for an OAuth token), and its ``x-ratelimit-*`` headers set the budget to the company's
real allowance after the first answer. Searches are limited further, to 10 per 2 seconds on
every plan, and have a budget of their own. Each request also spends tokens of the company's
daily budget (a search 20, a write 5); when the day's budget is gone, Pipedrive's 429 asks to
wait until midnight and the call ends at once with ``RetryLater``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from urllib.parse import urlsplit

from cardfile.connectors.base import (
    Capabilities,
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
    ConnectionBroken,
    ConnectorError,
    Refused,
    RetryLater,
    VendorError,
)
from cardfile.connectors.http import RateBudget, VendorClient
from cardfile.connectors.pipedrive import links as linking
from cardfile.connectors.pipedrive.auth import AUTH_METHOD, AUTHORIZE_URL, auth_for, token_url
from cardfile.connectors.pipedrive.errors import (
    ERRORS,
    WINDOW_SECONDS,
    read_message,
    read_rate_headers,
)
from cardfile.connectors.pipedrive.fields import (
    FIELDS_PATHS,
    NATURAL_KEYS,
    OBJECTS,
    SEARCHABLE_CUSTOM,
    FieldIndex,
)
from cardfile.connectors.pipedrive.labels import changed, labels_of, parse_list_id
from cardfile.connectors.pipedrive.matching import Matcher
from cardfile.connectors.pipedrive.records import (
    RECORD_ID,
    body_of,
    key_of,
    key_text,
    needs_index,
)
from cardfile.connectors.pipedrive.writes import RecordWriter, answer_of

API_TOKEN_BURST = RateLimit(20, WINDOW_SECONDS)  # Essential plan; the headers say the real one
OAUTH_BURST = RateLimit(80, WINDOW_SECONDS)
SEARCH_BURST = RateLimit(10, WINDOW_SECONDS)
CONCURRENT_REQUESTS = 8  # the budget paces them; more in flight would only queue
FIELDS_PAGE = 500
IDS_PER_LIST = 100  # the list endpoints' ``ids`` takes "up to 100 entity ids"
WRITTEN_OBJECTS = frozenset({"persons", "organizations"})
_MATCHERS = {
    ("persons", "emails"): Matcher("emails", "email"),
    ("organizations", "name"): Matcher("name", "name"),
}
_ALIASES = {"email": "emails", "phone": "phones"}


@dataclass
class _Item:
    """The records of one call sharing a key, sent once and given one result."""

    indices: list[int]
    key: str | None  # the compared key value (the record id when matching on id)
    body: dict[str, Any]
    result: RecordResult | None = None


def _for_records(error: RetryLater | Refused) -> VendorError:
    """The error each record of a failed request carries: a request that outlasted the
    client's retries (a passing fault, a rate limit, the daily budget) is for a later run."""
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error


def _refused(message: str) -> RecordResult:
    return RecordResult.failed(VendorError(message))


def _is_id(text: str) -> bool:
    """Whether ``text`` can be a Pipedrive record id (ids are integers)."""
    return text.isascii() and text.isdigit()


def _merge(into: dict[str, Any], later: dict[str, Any]) -> None:
    """Merge a later duplicate's body into the first one's (custom fields one by one)."""
    custom = {**(into.get("custom_fields") or {}), **(later.get("custom_fields") or {})}
    into.update(later)
    if custom:
        into["custom_fields"] = custom


def _burst(connection: Connection) -> RateLimit:
    """The burst budget: a connection setting for the company's plan, else the lowest plan's
    for the kind of token (Pipedrive's headers correct it after the first answer)."""
    configured = connection.settings.get("requests_per_2s")
    if configured is not None:
        requests = int(configured)
        if requests <= 0:
            raise ValueError(f"requests_per_2s must be positive, not {configured!r}")
        return RateLimit(requests, WINDOW_SECONDS)
    return OAUTH_BURST if connection.oauth is not None else API_TOKEN_BURST


def _domain(website: Any) -> str | None:
    """The domain of a website (``https://www.acme.com/about`` → ``acme.com``)."""
    text = first_text(website, "value")
    if text is None:
        return None
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.")
    return host or None


class PipedriveConnector(Connector):
    """Pipedrive persons (contacts) and organizations (companies), deal fields, and labels."""

    provider: ClassVar[str] = "pipedrive"
    default_base_url: ClassVar[str] = "https://api.pipedrive.com"
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=1,
        writes=API_TOKEN_BURST,
        reads=API_TOKEN_BURST,
        upsert=UpsertMode.SEARCH_THEN_WRITE,
        entities=frozenset(OBJECTS),
        match_keys={
            "contacts": ("emails", RECORD_ID),
            "companies": ("name", RECORD_ID),
            "deals": (RECORD_ID,),
        },
        lists=True,
        reads_changes=False,
        record_id_key=RECORD_ID,
        finds=True,
        removes=True,
        people="contacts",
        companies="companies",
        links=linking.LINKS,
    )
    oauth_app: ClassVar[OAuthApp | None] = OAuthApp(
        authorize_url=AUTHORIZE_URL,
        scopes="base contacts:full deals:read search:read",
        auth_method=AUTH_METHOD,
    )

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.budget = RateBudget(_burst(connection))
        self.search_budget = RateBudget(SEARCH_BURST)
        self._client = VendorClient(
            self.base_url,
            auth=auth_for(connection),
            errors=ERRORS,
            writes=self.budget,
            reads=self.budget,
            message=read_message,
            headers=read_rate_headers,
            secrets=connection.secrets(),
        )
        # Creates are sent once per request: the writer, not the client, retries them.
        self._creates = VendorClient(
            self.base_url,
            auth=self._client.auth,
            errors=ERRORS,
            writes=self.budget,
            reads=self.budget,
            message=read_message,
            headers=read_rate_headers,
            attempts=1,
        )
        self._creates.stats = self._client.stats
        self._writer = RecordWriter(self._client, self._creates, self.search_budget)
        self._indexes: dict[str, FieldIndex] = {}
        self._index_lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(CONCURRENT_REQUESTS)

    @property
    def client(self) -> VendorClient:
        """The HTTP client (its ``stats`` say what the connector did)."""
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()
        await self._creates.aclose()

    @classmethod
    def base_url_of_grant(cls, grant: Mapping[str, Any]) -> str | None:
        """The company's ``api_domain`` a token endpoint's answer names (its API calls go
        there, not to api.pipedrive.com)."""
        domain = grant.get("api_domain")
        return str(domain).rstrip("/") if domain else None

    def token_url(self) -> str:
        """Pipedrive's token endpoint (or an overridden base URL's ``/oauth/token``)."""
        return token_url(self.connection)

    def _object(self, entity: str) -> str:
        found = OBJECTS.get(entity)
        if found is None:
            known = ", ".join(sorted(OBJECTS))
            raise Refused(VendorError(f"the Pipedrive connector handles {known}, not {entity!r}"))
        return found

    def identity(self, entity: str, record: Record) -> Identity:
        """Contacts: the first of ``emails`` and ``name``; companies: ``name`` and the domain of
        ``website``."""
        name = first_text(record.get("name"))
        if entity == "contacts":
            email = first_text(record.get("emails", record.get("email")), "value")
            if name is None:
                parts = [first_text(record.get(k)) for k in ("first_name", "last_name")]
                name = " ".join(p for p in parts if p) or None
            return Identity(email=email, name=name)
        return Identity(name=name, domain=_domain(record.get("website")))

    async def check(self) -> Health:
        """``GET /api/v1/users/me``: the company the token belongs to, or why not."""
        try:
            response = await self._client.request("GET", "/api/v1/users/me")
        except ConnectorError as error:
            return Health(False, error.message)
        data = answer_of(response).get("data")
        if not isinstance(data, dict) or data.get("company_id") is None:
            return Health(False, "Pipedrive answered the current-user call without a company")
        company = str(data["company_id"])
        name = data.get("company_name") or company
        domain = data.get("company_domain")
        where = f" ({domain}.pipedrive.com)" if domain else ""
        return Health(True, f"Pipedrive company {name}{where}", account=company)

    async def _index(self, kind: str, *, fresh: bool = False) -> FieldIndex:
        """The object's fields, read once per connector (again when ``fresh``)."""
        async with self._index_lock:
            if fresh or kind not in self._indexes:
                raw: list[dict[str, Any]] = []
                cursor: str | None = None
                while True:
                    params: dict[str, Any] = {
                        "include_fields": "required_fields",
                        "limit": FIELDS_PAGE,
                    }
                    if cursor:
                        params["cursor"] = cursor
                    answer = answer_of(
                        await self._client.request("GET", FIELDS_PATHS[kind], params=params)
                    )
                    raw += [f for f in answer.get("data") or [] if isinstance(f, dict)]
                    more = answer.get("additional_data") or {}
                    cursor = more.get("next_cursor") if isinstance(more, dict) else None
                    if not cursor:
                        break
                self._indexes[kind] = FieldIndex(kind, raw)
            return self._indexes[kind]

    async def fields(self, entity: str) -> list[Field]:
        """The object's standard and custom fields, with options and required flags."""
        index = await self._index(self._object(entity), fresh=True)
        return index.fields()

    async def _matcher(self, kind: str, match_key: str) -> Matcher | None:
        """How records are found by ``match_key`` (None: Pipedrive cannot search it)."""
        key = _ALIASES.get(match_key, match_key)
        if NATURAL_KEYS.get(kind) == key:
            return _MATCHERS[(kind, key)]
        found = (await self._index(kind)).custom(key)
        if found is None:  # a field made since the fields were read
            found = (await self._index(kind, fresh=True)).custom(key)
        if found is None or found.get("field_type") not in SEARCHABLE_CUSTOM:
            return None
        return Matcher(str(found["field_code"]), "custom_fields")

    async def upsert(
        self, entity: str, records: Sequence[Record], match_key: str
    ) -> list[RecordResult]:
        """Create or update each record, matched on ``match_key``; results in input order.

        Raises:
            ConnectionBroken: The token was refused or lacks a permission.
        """
        kind = self._object(entity)
        if not records:
            return []
        if kind not in WRITTEN_OBJECTS:
            message = (
                f"the Pipedrive connector reads the fields of {entity} but does not write them"
            )
            return [_refused(message) for _ in records]
        try:
            matcher = None if match_key == RECORD_ID else await self._matcher(kind, match_key)
            index = await self._index(kind) if any(needs_index(kind, r) for r in records) else None
        except (RetryLater, Refused) as error:
            return [RecordResult.failed(_for_records(error)) for _ in records]
        if match_key != RECORD_ID and matcher is None:
            keys = " or ".join(self.capabilities.match_keys[entity])
            message = (
                f"Pipedrive cannot match {entity} on {match_key!r}: its search does not look "
                f"into that field (use {keys}, or a custom text or number field)"
            )
            return [_refused(message) for _ in records]
        results: list[RecordResult | None] = [None] * len(records)
        keyed: dict[str, _Item] = {}
        fresh: list[_Item] = []
        for position, record in enumerate(records):
            body = body_of(kind, record, index)
            value = (
                key_text(record.get(RECORD_ID)) if matcher is None else key_of(body, matcher.key)
            )
            if value is None and matcher is not None:
                results[position] = _refused(f"the record has no {match_key}, its match key")
            elif value is None:
                fresh.append(_Item([position], None, body))
            elif value in keyed:  # a duplicate: sent once, later values winning
                keyed[value].indices.append(position)
                _merge(keyed[value].body, body)
            else:
                keyed[value] = _Item([position], value, body)
        items = [*keyed.values(), *fresh]
        broken: list[ConnectorError] = []
        await asyncio.gather(*(self._run(kind, item, matcher, broken) for item in items))
        if broken:
            raise broken[0]
        for item in items:
            for position in item.indices:
                results[position] = item.result
        return [result or _refused("the record was not sent") for result in results]

    async def _run(
        self, kind: str, item: _Item, matcher: Matcher | None, broken: list[ConnectorError]
    ) -> None:
        async with self._slots:
            if broken:
                item.result = RecordResult.failed(broken[0].error)
                return
            try:
                item.result = await self._writer.write(kind, item.key, item.body, matcher)
            except (RetryLater, Refused) as error:
                item.result = RecordResult.failed(_for_records(error))
            except ConnectionBroken as error:
                broken.append(error)
                item.result = RecordResult.failed(error.error)

    def _written_kind(self, entity: str) -> str:
        kind = self._object(entity)
        if kind not in WRITTEN_OBJECTS:
            raise Refused(VendorError(f"the Pipedrive connector does not write {entity}"))
        return kind

    async def find(self, entity: str, match_key: str, values: Sequence[str]) -> dict[str, str]:
        """The id of the oldest record holding each value in ``match_key``, found as
        ``upsert`` finds it (an exact search per value, compared without case); for ``id``,
        the ids that name records. Writes nothing.

        Raises:
            Refused: The entity is not written, or Pipedrive cannot search ``match_key``.
            RetryLater: A search failed in passing.
            ConnectionBroken: The token was refused or lacks a permission.
        """
        kind = self._written_kind(entity)
        if match_key == RECORD_ID:
            held = await self._existing(kind, values)
            return {v: str(v).strip() for v in values if str(v).strip() in held}
        matcher = await self._matcher(kind, match_key)
        if matcher is None:
            raise Refused(VendorError(f"Pipedrive cannot search {entity} by {match_key!r}"))
        given: dict[str, list[str]] = {}  # compared text → the values as given
        for value in values:
            text = key_text(value)
            if text is not None:
                given.setdefault(text, []).append(value)
        texts = list(given)
        found = await asyncio.gather(
            *(self._find_one(kind, matcher, text) for text in texts), return_exceptions=True
        )
        failure = next((f for f in found if isinstance(f, BaseException)), None)
        if failure is not None:
            raise failure
        return {
            value: record_id
            for text, record_id in zip(texts, found, strict=True)
            if isinstance(record_id, str)
            for value in given[text]
        }

    async def _find_one(self, kind: str, matcher: Matcher, text: str) -> str | None:
        async with self._slots:
            return await self._writer.find(kind, matcher, text)

    async def _existing(self, kind: str, values: Sequence[str]) -> set[str]:
        """Which of the ids name records: one list request per 100 (an id that is no number
        names none, and Pipedrive would refuse the whole request for it)."""
        ids = list(dict.fromkeys(t for v in values if _is_id(t := str(v).strip())))
        found: set[str] = set()
        for start in range(0, len(ids), IDS_PER_LIST):
            chunk = ids[start : start + IDS_PER_LIST]
            params = {"ids": ",".join(chunk), "limit": IDS_PER_LIST}
            answer = answer_of(await self._client.request("GET", f"/api/v2/{kind}", params=params))
            listed = answer.get("data")
            found |= {str(r.get("id")) for r in listed or [] if isinstance(r, dict)}
        return found

    async def remove(self, entity: str, vendor_ids: Sequence[str]) -> list[RecordResult]:
        """Delete records by id, one request each; a record already gone is removed.

        Raises:
            ConnectionBroken: The token was refused or lacks a permission.
        """
        ids = [str(i).strip() for i in vendor_ids]
        try:
            kind = self._written_kind(entity)
        except Refused as error:
            return [RecordResult.failed(error.error) for _ in ids]
        unique = list(dict.fromkeys(ids))  # an id given twice is deleted once
        broken: list[ConnectorError] = []
        done = await asyncio.gather(*(self._delete(kind, i, broken) for i in unique))
        if broken:
            raise broken[0]
        by_id = dict(zip(unique, done, strict=True))
        return [by_id[i] for i in ids]

    async def _delete(
        self, kind: str, record_id: str, broken: list[ConnectorError]
    ) -> RecordResult:
        if not _is_id(record_id):
            return _refused(f"{record_id!r} is not a Pipedrive record id")
        async with self._slots:
            if broken:
                return RecordResult.failed(broken[0].error)
            try:
                await self._writer.delete(kind, record_id)
            except (RetryLater, Refused) as error:
                return RecordResult.failed(_for_records(error))
            except ConnectionBroken as error:
                broken.append(error)
                return RecordResult.failed(error.error)
        return RecordResult(Outcome.REMOVED, record_id)

    async def link(self, links: Sequence[Link]) -> list[RecordResult]:
        """Link persons to their organization (``org_id``, see ``links.py``), one request a
        link, a few at a time; a person has one organization, so a new link replaces the old.
        Links of one person are made one after another, in the order given. Results in input
        order.

        Raises:
            ConnectionBroken: The token was refused or lacks a permission.
        """
        results: list[RecordResult | None] = [None] * len(links)
        chains: dict[str, list[int]] = {}
        for index, link in enumerate(links):
            results[index] = linking.refusal(link)
            if results[index] is None:
                chains.setdefault(link.vendor_id.strip(), []).append(index)
        broken: list[ConnectorError] = []

        async def chain(indices: list[int]) -> None:
            for index in indices:
                results[index] = await self._link(links[index], broken)

        await asyncio.gather(*(chain(indices) for indices in chains.values()))
        if broken:
            raise broken[0]
        return [result or _refused("the link was not sent") for result in results]

    async def _link(self, link: Link, broken: list[ConnectorError]) -> RecordResult:
        async with self._slots:
            if broken:
                return RecordResult.failed(broken[0].error)
            try:
                return await linking.send(self._client, link)
            except ConnectionBroken as error:
                broken.append(error)
                return RecordResult.failed(error.error)

    async def update_list(
        self, list_id: str, add_ids: Sequence[str], remove_ids: Sequence[str]
    ) -> list[ListResult]:
        """Add the list's label to records and take it off others; results per id,
        additions first (see ``labels.py`` for the list ids)."""
        adds = list(dict.fromkeys(str(i) for i in add_ids))
        removes = list(dict.fromkeys(str(i) for i in remove_ids))
        try:
            kind, label = parse_list_id(list_id)
        except Refused as error:
            return [ListResult(i, True, False, error.error) for i in adds] + [
                ListResult(i, False, False, error.error) for i in removes
            ]
        broken: list[ConnectorError] = []
        calls = [self._label(kind, label, i, True, broken) for i in adds]
        calls += [self._label(kind, label, i, False, broken) for i in removes]
        results = await asyncio.gather(*calls)
        if broken:
            raise broken[0]
        return list(results)

    async def _label(
        self, kind: str, label: int, record: str, adding: bool, broken: list[ConnectorError]
    ) -> ListResult:
        path = f"/api/v2/{kind}/{record}"
        async with self._slots:
            try:
                held = labels_of(answer_of(await self._client.request("GET", path)))
                wanted = changed(held, label, adding)
                if wanted is not None:
                    await self._client.request("PATCH", path, json={"label_ids": wanted})
            except (RetryLater, Refused) as error:
                return ListResult(record, adding, False, _for_records(error))
            except ConnectionBroken as error:
                broken.append(error)
                return ListResult(record, adding, False, error.error)
        return ListResult(record, adding, True)
