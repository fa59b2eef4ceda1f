"""The Attio connector: records asserted one per request by a unique attribute, list entries
added and removed, schema read from the objects' attributes.

Attio has no batch endpoint, so every record is one ``PUT /v2/objects/{object}/records?
matching_attribute=<key>`` (the assert endpoint: create, or update the record holding the
key). Requests run a few at a time, paced by two budgets as Attio counts them: 25 writes and
100 reads per second. Records that share a key value are sent one after another, so that two
concurrent asserts never both create the record. Matching on ``record_id`` (deals, which have
no natural key) updates the record by id with ``PUT …/records/{record_id}`` and creates the
records that carry none.

``find`` reads the same matches without writing, through the record query (see
:mod:`~cardfile.connectors.attio.query`); ``remove`` deletes records one per request
(``DELETE /v2/objects/{object}/records/{record_id}``; Attio has no archive and no batch
delete), a 404 meaning the record is gone already. ``link`` points a record-reference
attribute (a person's company, a workspace's users) at another record, one ``PATCH`` a link
(see :mod:`~cardfile.connectors.attio.links`).

An object must be activated in the workspace before Attio serves it (users, workspaces and
deals are not by default): ``GET /v2/objects`` is read once per connector, and records of an
object that is not there fail at once, with the way to fix it, and without a request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from cardfile.connectors.attio.auth import auth_for, token_url
from cardfile.connectors.attio.chains import bounded, chained
from cardfile.connectors.attio.errors import ERRORS, for_records, read_message
from cardfile.connectors.attio.fields import WITH_CHOICES, field_of, listed, live_attributes
from cardfile.connectors.attio.links import LINKS, make_link, unsupported
from cardfile.connectors.attio.lists import add_member, remove_member
from cardfile.connectors.attio.query import (
    CASELESS_KEYS,
    CASELESS_TYPES,
    chunks,
    folded,
    held,
    holders,
    is_record_id,
)
from cardfile.connectors.attio.records import (
    json_of,
    key_values,
    record_id,
    record_of,
    refused,
    values_of,
    was_created,
    write_body,
    written,
)
from cardfile.connectors.attio.removal import delete_record
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

WRITES = RateLimit(25, 1.0)
READS = RateLimit(100, 1.0)
CONCURRENT_REQUESTS = 10  # the budgets pace them; more in flight would only queue
STANDARD_OBJECTS = frozenset({"people", "companies", "users", "workspaces", "deals"})
MATCH_KEYS = {
    "people": ("email_addresses",),
    "companies": ("domains",),
    "users": ("user_id",),
    "workspaces": ("workspace_id",),
    "deals": ("record_id",),
}
RECORD_ID = "record_id"


@dataclass(frozen=True)
class _Write:
    """One record's request, and its outcome when the request alone decides it."""

    method: str
    path: str
    params: dict[str, str] | None
    body: dict[str, Any]
    created: bool | None  # None: an assert, whose answer has to tell


def _missing_object(entity: str, objects: dict[str, Any]) -> VendorError:
    """Why records of ``entity`` cannot be written, and what a person can do about it."""
    if entity in STANDARD_OBJECTS:
        message = (
            f"the '{entity}' object is not activated in this Attio workspace; "
            "activate it under Settings → Objects"
        )
    else:
        known = ", ".join(sorted(objects)) or "none"
        message = f"Attio has no object '{entity}' in this workspace (its objects: {known})"
    return VendorError(message, code="object_not_activated", action=Action.BROKEN)


def _not_a_key(entity: str, match_key: str) -> str:
    """Why ``match_key`` cannot match records of ``entity``, and what would."""
    keys = " or ".join(MATCH_KEYS.get(entity, ())) or "a unique attribute"
    return (
        f"Attio cannot match {entity} on '{match_key}': it is not a unique, writable "
        f"attribute of the object (use {keys}, or make the attribute unique in Attio)"
    )


class AttioConnector(Connector):
    """Attio's people, companies, users, workspaces and deals (and custom objects), and lists."""

    provider: ClassVar[str] = "attio"
    default_base_url: ClassVar[str] = "https://api.attio.com"
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=1,
        writes=WRITES,
        reads=READS,
        upsert=UpsertMode.BY_KEY,
        entities=STANDARD_OBJECTS,
        match_keys=MATCH_KEYS,
        lists=True,
        reads_changes=False,
        record_id_key=RECORD_ID,
        finds=True,
        removes=True,
        people="people",
        companies="companies",
        links=LINKS,
    )
    oauth_app: ClassVar[OAuthApp | None] = OAuthApp(
        authorize_url="https://app.attio.com/authorize",
        scopes=(
            "record_permission:read-write object_configuration:read "
            "list_entry:read-write list_configuration:read"
        ),
    )

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.write_budget = RateBudget(WRITES)
        self.read_budget = RateBudget(READS)
        self._auth = auth_for(connection)
        self._client = VendorClient(
            self.base_url,
            auth=self._auth,
            errors=ERRORS,
            writes=self.write_budget,
            reads=self.read_budget,
            message=read_message,
            secrets=connection.secrets(),
        )
        self._objects: dict[str, dict[str, Any]] | None = None
        self._objects_lock = asyncio.Lock()
        self._fields: dict[str, list[Field]] = {}
        self._written: set[str] = set()
        self._slots = asyncio.Semaphore(CONCURRENT_REQUESTS)

    @property
    def client(self) -> VendorClient:
        """The HTTP client (its ``stats`` say what the connector did)."""
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    def token_url(self) -> str:
        """Attio's token endpoint (or the overridden base URL's ``/oauth/token``)."""
        return token_url(self.connection)

    def identity(self, entity: str, record: Record) -> Identity:
        """People: ``email_addresses`` and ``name`` (a personal name); companies: ``name`` and
        ``domains``, in any of the shapes Attio takes them."""
        name = first_text(record.get("name"), "full_name", "value", "first_name")
        if entity == "people":
            email = first_text(record.get("email_addresses"), "email_address")
            return Identity(email=email, name=name)
        return Identity(name=name, domain=first_text(record.get("domains"), "domain"))

    async def check(self) -> Health:
        """``GET /v2/self``: the workspace the token belongs to, or why it cannot be used.

        Attio answers an unknown, revoked or expired token here with ``{"active": false}``
        rather than a 401, so an OAuth grant is refreshed once before the token is given up.
        """
        for attempt in range(2):
            try:
                response = await self._client.request("GET", "/v2/self")
            except ConnectorError as error:
                return Health(False, error.message)
            body = json_of(response)
            if isinstance(body, dict) and body.get("active") is True:
                name = body.get("workspace_name") or body.get("workspace_slug") or "(unnamed)"
                workspace = body.get("workspace_id")
                return Health(
                    True, f"Attio workspace {name}", account=str(workspace) if workspace else None
                )
            if attempt == 0 and self._auth.can_refresh:
                try:
                    await self._auth.refresh()
                except ConnectorError as error:
                    return Health(False, error.message)
                continue
            break
        return Health(
            False,
            'Attio reports the access token as not active ({"active": false}): it is unknown, '
            "revoked or expired",
        )

    async def _activated(self) -> dict[str, dict[str, Any]]:
        """The workspace's activated objects by slug (``GET /v2/objects``, read once)."""
        if self._objects is None:
            async with self._objects_lock:
                if self._objects is None:
                    response = await self._client.request("GET", "/v2/objects")
                    self._objects = {
                        str(obj["api_slug"]): obj
                        for obj in listed(json_of(response))
                        if obj.get("api_slug")
                    }
        return self._objects

    async def fields(self, entity: str) -> list[Field]:
        """The object's attributes, with the options of selects and the statuses of statuses.

        Raises:
            ConnectionBroken: The object is not activated in the workspace.
        """
        objects = await self._activated()
        if entity not in objects:
            raise ConnectionBroken(_missing_object(entity, objects))
        path = f"/v2/objects/{entity}/attributes"
        attributes = live_attributes(json_of(await self._client.request("GET", path)))
        choices: dict[str, list[dict[str, Any]]] = {}

        async def load(attribute: dict[str, Any]) -> None:
            slug = str(attribute["api_slug"])
            segment = WITH_CHOICES[str(attribute["type"])]
            answer = await self._client.request("GET", f"{path}/{slug}/{segment}")
            choices[slug] = listed(json_of(answer))

        await bounded(self._slots, [load(a) for a in attributes if a.get("type") in WITH_CHOICES])
        found = [field_of(a, choices.get(str(a["api_slug"]), ())) for a in attributes]
        self._fields[entity] = found
        return found

    async def _mode(self, entity: str, match_key: str) -> str | None:
        """``"id"`` (match on the record id), ``"assert"`` (a unique attribute), or None."""
        if match_key == RECORD_ID:
            return "id"
        if match_key in MATCH_KEYS.get(entity, ()):
            return "assert"
        for refresh in (False, True):
            if refresh or entity not in self._fields:
                await self.fields(entity)
            for known in self._fields[entity]:
                if known.name == match_key:
                    return "assert" if known.unique and not known.read_only else None
        return None

    async def upsert(
        self, entity: str, records: Sequence[Record], match_key: str
    ) -> list[RecordResult]:
        """Create or update each record, matched on ``match_key``; results in input order.

        Raises:
            ConnectionBroken: The token was refused, or Attio lost the object mid-way.
        """
        if not records:
            return []
        try:
            objects = await self._activated()
            if entity not in objects:
                missing = _missing_object(entity, objects)
                return [RecordResult.failed(missing) for _ in records]
            mode = await self._mode(entity, match_key)
        except (RetryLater, Refused) as error:
            return [RecordResult.failed(for_records(error)) for _ in records]
        if mode is None:
            return [refused(_not_a_key(entity, match_key)) for _ in records]
        results: list[RecordResult | None] = [None] * len(records)
        writes: dict[int, _Write] = {}
        keys_of: dict[int, list[str]] = {}
        for index, record in enumerate(records):
            planned = self._plan(entity, record, match_key, mode)
            if isinstance(planned, RecordResult):
                results[index] = planned
                continue
            writes[index], keys_of[index] = planned
        sent = await chained(self._slots, keys_of, lambda index: self._send(writes[index]))
        for index, result in sent.items():
            results[index] = result
        return [result or refused("the record was not sent") for result in results]

    def _plan(
        self, entity: str, record: Record, match_key: str, mode: str
    ) -> tuple[_Write, list[str]] | RecordResult:
        """The request for one record and the key values it is chained on, or its result
        when it cannot be sent."""
        path = f"/v2/objects/{entity}/records"
        if mode == "id":
            target = record.get(RECORD_ID)
            body = write_body(values_of(record, without=(RECORD_ID,)))
            if target:
                write = _Write("PUT", f"{path}/{target}", None, body, created=False)
                chain_keys = [f"id:{target}"]
            else:
                write, chain_keys = _Write("POST", path, None, body, created=True), []
        else:
            keys = key_values(record.get(match_key))
            if not keys:
                return refused(f"the record has no {match_key}, its match key")
            body = write_body(values_of(record))
            params = {"matching_attribute": match_key}
            write, chain_keys = _Write("PUT", path, params, body, created=None), keys
        try:
            json.dumps(write.body)
        except (TypeError, ValueError) as error:
            return refused(f"Attio cannot store this record: {error}")
        return write, chain_keys

    async def _send(self, write: _Write) -> RecordResult:
        """Send one record's request.

        Raises:
            ConnectorError: The connection is broken.
        """
        try:
            response = await self._client.request(
                write.method, write.path, params=write.params, json=write.body
            )
        except (RetryLater, Refused) as error:
            return RecordResult.failed(for_records(error))
        body = json_of(response)
        found = record_id(body)
        created = write.created
        if created is None:
            created = found not in self._written and was_created(body, response.headers.get("Date"))
        if found is not None:
            self._written.add(found)
        return written(body, created=created)

    async def find(self, entity: str, match_key: str, values: Sequence[str]) -> dict[str, str]:
        """The record holding each of ``values`` in ``match_key``, as upsert would match it
        (Attio's record query, oldest first; no write). ``record_id`` names the ids that exist.

        Raises:
            ConnectionBroken: The object is not activated, or the token was refused.
            Refused: ``match_key`` is no key Attio matches on, or Attio refused the query.
            RetryLater: The query failed in passing.
        """
        objects = await self._activated()
        if entity not in objects:
            raise ConnectionBroken(_missing_object(entity, objects))
        mode = await self._mode(entity, match_key)
        if mode is None:
            raise Refused(VendorError(_not_a_key(entity, match_key)))
        caseless = self._caseless(entity, match_key)
        wanted: dict[str, list[str]] = {}  # the value as compared → the values as given
        for value in values:
            key = folded(value, caseless=caseless)
            if key and (mode != "id" or is_record_id(key)):
                wanted.setdefault(key, []).append(value)
        pages = await bounded(
            self._slots, [holders(self._client, entity, match_key, c) for c in chunks([*wanted])]
        )
        found: dict[str, str] = {}
        for page in pages:
            for record in page:
                found_id = record_id({"data": record})
                if found_id is None:
                    continue
                for key in held(record, match_key, caseless=caseless):
                    for given in wanted.get(key, ()):
                        found.setdefault(given, found_id)  # oldest first: it wins
        return found

    def _caseless(self, entity: str, match_key: str) -> bool:
        """Whether Attio compares ``match_key`` without case (record ids are lower case)."""
        if match_key in CASELESS_KEYS or match_key == RECORD_ID:
            return True
        known = next((f for f in self._fields.get(entity, ()) if f.name == match_key), None)
        return known is not None and known.vendor_type in CASELESS_TYPES

    async def link(self, links: Sequence[Link]) -> list[RecordResult]:
        """Point each record's record-reference attribute at its target, one ``PATCH`` a link
        (see :mod:`~cardfile.connectors.attio.links`), a few at a time and paced by the write
        budget. Links of one record go one after another, in order, so the last of several
        single-valued links wins. Results in input order.

        Raises:
            ConnectionBroken: The token was refused, or Attio lost an object mid-way.
        """
        if not links:
            return []
        try:
            objects = await self._activated()
        except (RetryLater, Refused) as error:
            return [RecordResult.failed(for_records(error)) for _ in links]
        results: list[RecordResult | None] = [None] * len(links)
        keys_of: dict[int, list[str]] = {}
        for index, link in enumerate(links):
            results[index] = unsupported(link)
            missing = [e for e in (link.entity, link.target_entity) if e not in objects]
            if results[index] is None and missing:
                results[index] = RecordResult.failed(_missing_object(missing[0], objects))
            if results[index] is None:
                keys_of[index] = [f"{link.entity}/{link.vendor_id.strip().lower()}"]
        made = await chained(
            self._slots, keys_of, lambda index: make_link(self._client, links[index])
        )
        for index, result in made.items():
            results[index] = result
        return [result or refused("the link was not sent") for result in results]

    async def remove(self, entity: str, vendor_ids: Sequence[str]) -> list[RecordResult]:
        """Delete records by id, one request each, a few at a time and paced by the write
        budget; a record Attio no longer has (404) counts as removed.

        Raises:
            ConnectionBroken: The token was refused, or Attio lost the object mid-way.
        """
        ids = [str(i).strip() for i in vendor_ids]
        if not ids:
            return []
        try:
            objects = await self._activated()
        except (RetryLater, Refused) as error:
            return [RecordResult.failed(for_records(error)) for _ in ids]
        if entity not in objects:
            missing = _missing_object(entity, objects)
            return [RecordResult.failed(missing) for _ in ids]
        broken: list[ConnectorError] = []
        results = await bounded(self._slots, [self._delete(entity, i, broken) for i in ids])
        if broken:
            raise broken[0]
        return results

    async def _delete(self, entity: str, record: str, broken: list[ConnectorError]) -> RecordResult:
        """Delete one record; a broken connection is noted for the caller to raise."""
        if broken:
            return RecordResult.failed(broken[0].error)
        try:
            result = await delete_record(self._client, entity, record)
        except ConnectorError as error:
            broken.append(error)
            return RecordResult.failed(error.error)
        self._written.discard(record)
        return result

    async def update_list(
        self, list_id: str, add_ids: Sequence[str], remove_ids: Sequence[str]
    ) -> list[ListResult]:
        """Add records to a list (``PUT …/entries``, which adds a record once however often it
        is sent) and remove them (every entry of the record in that list); results per id,
        additions first."""
        adds = [str(i) for i in add_ids]
        removes = [str(i) for i in remove_ids]
        try:
            answer = await self._client.request("GET", f"/v2/lists/{list_id}")
        except (RetryLater, Refused) as error:
            failure = for_records(error)
            return [ListResult(i, True, False, failure) for i in adds] + [
                ListResult(i, False, False, failure) for i in removes
            ]
        listed_list = record_of(json_of(answer))
        parents = listed_list.get("parent_object") or []
        parent = str(parents[0] if isinstance(parents, list) and parents else parents or "")
        ids = listed_list.get("id")
        real_id = str((ids.get("list_id") if isinstance(ids, dict) else None) or list_id)
        if not parent:
            failure = VendorError(f"Attio's list {list_id} names no parent object")
            return [ListResult(i, True, False, failure) for i in adds] + [
                ListResult(i, False, False, failure) for i in removes
            ]
        added = await bounded(
            self._slots, [add_member(self._client, list_id, parent, i) for i in adds]
        )
        removed = await bounded(
            self._slots, [remove_member(self._client, list_id, real_id, parent, i) for i in removes]
        )
        return added + removed
