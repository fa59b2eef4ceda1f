"""The Zoho CRM connector: contacts, companies, leads and deals through Zoho CRM's v8 API.

Cardfile's entities map to Zoho's modules: contacts → Contacts, companies → Accounts,
leads → Leads, deals → Deals. Records are written with ``POST /crm/v8/{module}/upsert``, 100
to a request, matched on ``duplicate_check_fields: [match key]``: the module's system
duplicate-check field by default (``Email`` of contacts and leads, ``Account_Name`` of
accounts, ``Deal_Name`` of deals), or any field Zoho keeps unique. Zoho answers each record
in input order, so a resend updates what the first send created. Records sharing a key in one
call are sent once and share the result.

Zoho ignores fields a module does not have, which would drop data without a word: a record
naming one fails here instead, before a request, with the field named.

Zoho meters API credits over a rolling 24 hours (an upsert costs one credit per ten records,
any other call one) and the requests in flight (5 on Free to 25 on Ultimate; 10 for writes of
more than ten records). The budgets (``limits.py``) count requests against the credits as if
every write were a full batch; a semaphore keeps the requests in flight under the concurrency.
Campaigns are Zoho's lists: ``update_list`` links and delinks contacts (or leads) in a
campaign's related list.

``find`` uses Zoho's search (``GET /crm/v8/{module}/search?criteria=…``), ten values to a
request, and answers for the oldest record holding each value, as the upsert's duplicate check
does; with the match key ``id`` it reads the ids (``GET /crm/v8/{module}?ids=…``) to say which
exist. ``remove`` deletes records to Zoho's recycle bin (``DELETE /crm/v8/{module}?ids=…``,
100 to a request); an id Zoho answers as invalid counts as removed once a read shows that no
record has it. ``link`` sets contacts' ``Account_Name`` lookup by record updates (``PUT
/crm/v8/Contacts``, 100 to a request; ``links.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

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
    OAuthApp,
    Outcome,
    Record,
    RecordResult,
    UpsertMode,
    first_text,
    link_rounds,
)
from cardfile.connectors.errors import Action, ConnectorError, Refused, RetryLater, VendorError
from cardfile.connectors.http import RateBudget, VendorClient
from cardfile.connectors.values import UnsendableValue
from cardfile.connectors.zoho import links as linking
from cardfile.connectors.zoho.auth import AUTHORIZE_PATH, accounts_server, auth_for, token_url
from cardfile.connectors.zoho.errors import ERRORS, read_message
from cardfile.connectors.zoho.fields import DUPLICATE_CHECK, fields_of
from cardfile.connectors.zoho.limits import READS, WRITES, limits_of
from cardfile.connectors.zoho.lists import membership_results
from cardfile.connectors.zoho.records import (
    GONE_CODE,
    domain_of,
    items_by_id,
    key_text,
    payload,
    refused,
    removal_of,
    result_of,
)
from cardfile.connectors.zoho.search import (
    CRITERIA_PER_SEARCH,
    IDS_PER_READ,
    PER_PAGE,
    criteria,
    oldest_first,
    record_id,
)

BATCH_SIZE = 100
MODULES = {"contacts": "Contacts", "companies": "Accounts", "leads": "Leads", "deals": "Deals"}
MATCH_KEYS = {entity: (DUPLICATE_CHECK[module],) for entity, module in MODULES.items()}
LIST_MODULE = "Campaigns"
LIST_MEMBERS = ("Contacts", "Leads")  # a campaign's related lists of people, the default first
LIST_CHUNK = 100  # ids per link or delink request
DELETE_CHUNK = 100  # ids per delete request
RECORD_ID = "id"  # the match key ``find`` takes for Zoho's own record ids


@dataclass
class _Item:
    """The records of one call sharing a key, sent once and given one result."""

    indices: list[int]
    payload: dict[str, Any]
    result: RecordResult | None = None


def _json(response: httpx.Response) -> dict[str, Any]:
    """A JSON object answer (empty for Zoho's 204 and anything not an object)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _for_records(error: RetryLater | Refused) -> VendorError:
    """The error each record of a failed request carries: a request that outlasted the
    client's retries (a passing fault, a throttle, spent credits) is for a later run."""
    if isinstance(error, RetryLater):
        return replace(error.error, action=Action.RETRY)
    return error.error


class ZohoConnector(Connector):
    """Zoho CRM's Contacts, Accounts, Leads and Deals, and campaign members."""

    provider: ClassVar[str] = "zoho"
    default_base_url: ClassVar[str] = "https://www.zohoapis.com"
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=BATCH_SIZE,
        writes=WRITES,
        reads=READS,
        upsert=UpsertMode.BY_KEY,
        entities=frozenset(MODULES),
        match_keys=MATCH_KEYS,
        lists=True,
        reads_changes=False,
        finds=True,
        removes=True,
        people="contacts",
        companies="companies",
        links=linking.LINKS,
    )
    oauth_app: ClassVar[OAuthApp | None] = OAuthApp(
        authorize_url=f"https://accounts.zoho.com{AUTHORIZE_PATH}",
        scopes="ZohoCRM.modules.ALL,ZohoCRM.settings.fields.READ,ZohoCRM.org.READ",
        # Without these Zoho grants no refresh token, and the connection dies in an hour.
        authorize_params={"access_type": "offline", "prompt": "consent"},
    )

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        limits = limits_of(connection)
        self.write_budget = RateBudget(limits.writes)
        self.read_budget = RateBudget(limits.reads)
        self.concurrency = limits.concurrency
        self._client = VendorClient(
            self.base_url,
            auth=auth_for(connection, self.base_url),
            errors=ERRORS,
            writes=self.write_budget,
            reads=self.read_budget,
            message=read_message,
            secrets=connection.secrets(),
        )
        self._fields: dict[str, dict[str, Field]] = {}
        self._missing: dict[str, set[str]] = {}  # names asked for again once, and not found
        self._slots = asyncio.Semaphore(limits.concurrency)
        self.list_members = str(connection.settings.get("list_members", LIST_MEMBERS[0]))
        if self.list_members not in LIST_MEMBERS:
            raise ValueError(
                f"list_members must be one of {', '.join(LIST_MEMBERS)}, not {self.list_members!r}"
            )

    @property
    def client(self) -> VendorClient:
        """The HTTP client (its ``stats`` say what the connector did)."""
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    @classmethod
    def authorize_url(cls, base_url: str | None) -> str:
        """The consent page of the data centre serving ``base_url`` (``accounts.zoho.eu``
        for ``www.zohoapis.eu``), or under ``base_url`` for a simulator or proxy."""
        return f"{accounts_server(base_url or cls.default_base_url)}{AUTHORIZE_PATH}"

    @classmethod
    def base_url_of_grant(cls, grant: Mapping[str, Any]) -> str | None:
        """The ``api_domain`` Zoho's token endpoint names: where the org's data centre is."""
        domain = grant.get("api_domain")
        return str(domain).rstrip("/") if domain else None

    def token_url(self) -> str:
        """The accounts server's token endpoint for this connection's data centre."""
        return token_url(self.connection, self.base_url)

    def _module(self, entity: str) -> str:
        module = MODULES.get(entity)
        if module is None:
            known = ", ".join(sorted(MODULES))
            raise Refused(VendorError(f"the Zoho CRM connector handles {known}, not {entity!r}"))
        return module

    def identity(self, entity: str, record: Record) -> Identity:
        """Contacts and leads: ``Email`` and the name; companies: ``Account_Name`` and the
        ``Website``'s domain; deals: ``Deal_Name``."""
        if entity in {"contacts", "leads"}:
            name = first_text(record.get("Full_Name"))
            if name is None:
                parts = [first_text(record.get(k)) for k in ("First_Name", "Last_Name")]
                name = " ".join(p for p in parts if p) or None
            return Identity(email=first_text(record.get("Email")), name=name)
        if entity == "companies":
            return Identity(
                name=first_text(record.get("Account_Name"), "name"),
                domain=domain_of(record.get("Website")),
            )
        return Identity(name=first_text(record.get("Deal_Name")))

    async def check(self) -> Health:
        """``GET /crm/v8/org``: the org the token belongs to, or why it cannot be used."""
        try:
            response = await self._client.request("GET", "/crm/v8/org")
        except ConnectorError as error:
            return Health(False, error.message)
        orgs = _json(response).get("org")
        org = orgs[0] if isinstance(orgs, list) and orgs and isinstance(orgs[0], dict) else {}
        if not org.get("id"):
            return Health(False, "Zoho CRM answered the org call without an org")
        name = org.get("company_name") or "(unnamed)"
        return Health(True, f"Zoho CRM org {name} ({org['id']})", account=str(org["id"]))

    async def fields(self, entity: str) -> list[Field]:
        """Every field of the entity's module (``GET /crm/v8/settings/fields``)."""
        module = self._module(entity)
        params = {"module": module}
        response = await self._client.request("GET", "/crm/v8/settings/fields", params=params)
        found = fields_of(module, _json(response))
        self._fields[entity] = {known.name: known for known in found}
        return found

    async def _known(self, entity: str, names: set[str]) -> dict[str, Field]:
        """The entity's fields, asked for again when the cached ones lack any of ``names``
        (a field added since), but only once for each name Zoho did not have."""
        missing = self._missing.setdefault(entity, set())
        if entity not in self._fields or names - set(self._fields[entity]) - missing:
            await self.fields(entity)
            missing |= names - set(self._fields[entity])
        return self._fields[entity]

    async def upsert(
        self, entity: str, records: Sequence[Record], match_key: str
    ) -> list[RecordResult]:
        """Create or update each record, matched on ``match_key``; results in input order.

        Raises:
            ConnectionBroken: The token was refused, or a module is not available.
        """
        module = self._module(entity)
        if not records:
            return []
        names = {str(name) for record in records for name in record} | {match_key}
        try:
            known = await self._known(entity, names)
        except (RetryLater, Refused) as error:
            return [RecordResult.failed(_for_records(error)) for _ in records]
        key = known.get(match_key)
        if key is None or not key.unique or key.read_only:
            message = (
                f"Zoho CRM cannot match {entity} on '{match_key}': it is not a field Zoho checks "
                f"duplicates on in {module} (use {MATCH_KEYS[entity][0]}, or make the field "
                "unique in Zoho)"
            )
            return [refused(message) for _ in records]
        results: list[RecordResult | None] = [None] * len(records)
        items: dict[str, _Item] = {}
        for index, record in enumerate(records):
            unknown = sorted(str(n) for n in record if n not in known and n != "id")
            if unknown:
                message = (
                    f"Zoho CRM's {module} module has no field {', '.join(unknown)} "
                    "(Zoho would drop the value without a word)"
                )
                results[index] = refused(message)
                continue
            try:
                body = payload(record)
            except UnsendableValue as error:
                results[index] = refused(f"Zoho CRM cannot store {error}")
                continue
            value = key_text(record.get(match_key))
            if not value:
                results[index] = refused(f"the record has no {match_key}, its match key")
                continue
            item = items.get(value)
            if item is None:
                items[value] = _Item([index], body)
            else:  # a repeated key: sent once, later values winning
                item.indices.append(index)
                item.payload.update(body)
        batched = list(items.values())
        batches = [batched[i : i + BATCH_SIZE] for i in range(0, len(batched), BATCH_SIZE)]
        try:
            async with asyncio.TaskGroup() as group:
                for batch in batches:
                    group.create_task(self._send(module, match_key, batch))
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        for item in batched:
            for index in item.indices:
                results[index] = item.result
        return [result or refused("the record was not sent") for result in results]

    def _with_trigger(self, body: dict[str, Any]) -> None:
        """Name the automations a write runs (the ``trigger`` setting), when set."""
        trigger = self.connection.settings.get("trigger")
        if trigger is not None:  # Zoho runs workflows when none is named; [] runs none
            names = trigger.split(",") if isinstance(trigger, str) else trigger
            body["trigger"] = [str(name).strip() for name in names if str(name).strip()]

    async def _send(self, module: str, match_key: str, batch: list[_Item]) -> None:
        """One upsert request; its items get their results (never dropped)."""
        body: dict[str, Any] = {
            "data": [item.payload for item in batch],
            "duplicate_check_fields": [match_key],
        }
        self._with_trigger(body)
        async with self._slots:
            try:
                response = await self._client.request("POST", f"/crm/v8/{module}/upsert", json=body)
            except (RetryLater, Refused) as error:
                for item in batch:
                    item.result = RecordResult.failed(_for_records(error))
                return
        data = _json(response).get("data")
        answered = data if isinstance(data, list) else []
        for position, item in enumerate(batch):
            found = answered[position] if position < len(answered) else None
            item.result = result_of(found, response.status_code)

    async def link(self, links: Sequence[Link]) -> list[RecordResult]:
        """Link contacts to their account by their ``Account_Name`` lookup (see ``links.py``),
        100 to a request; a contact has one account, so a new link replaces the old. Results
        in input order.

        Raises:
            ConnectionBroken: The token was refused, or the module is not available.
        """
        results: list[RecordResult | None] = [None] * len(links)
        sendable: list[int] = []
        for index, link in enumerate(links):
            results[index] = linking.refusal(link)
            if results[index] is None:
                sendable.append(index)
        for indices in link_rounds(links, sendable):
            by_module: dict[str, list[int]] = {}
            for index in indices:
                module, _ = linking.LINK_FIELDS[(links[index].entity, links[index].target_entity)]
                by_module.setdefault(module, []).append(index)
            try:
                async with asyncio.TaskGroup() as group:
                    for module, chosen in by_module.items():
                        for start in range(0, len(chosen), BATCH_SIZE):
                            batch = chosen[start : start + BATCH_SIZE]
                            group.create_task(self._update(module, links, batch, results))
            except ExceptionGroup as failed:
                raise failed.exceptions[0] from None
        return [result or refused("the link was not sent") for result in results]

    async def _update(
        self,
        module: str,
        links: Sequence[Link],
        batch: list[int],
        results: list[RecordResult | None],
    ) -> None:
        """One update request of links; each gets its result (never dropped)."""
        body: dict[str, Any] = {"data": [linking.item_of(links[i]) for i in batch]}
        self._with_trigger(body)
        async with self._slots:
            try:
                response = await self._client.request("PUT", f"/crm/v8/{module}", json=body)
            except (RetryLater, Refused) as error:
                for index in batch:
                    results[index] = RecordResult.failed(_for_records(error))
                return
        data = _json(response).get("data")
        answered = data if isinstance(data, list) else []
        for position, index in enumerate(batch):
            found = answered[position] if position < len(answered) else None
            results[index] = linking.link_result(found, links[index], response.status_code)

    async def update_list(
        self, list_id: str, add_ids: Sequence[str], remove_ids: Sequence[str]
    ) -> list[ListResult]:
        """Link records to the campaign ``list_id`` and delink them (its ``Contacts`` related
        list, or ``Leads`` with the ``list_members`` setting; 100 ids to a request); results
        per id, additions first."""
        adds = [str(i) for i in add_ids]
        removes = [str(i) for i in remove_ids]
        path = f"/crm/v8/{LIST_MODULE}/{list_id}/{self.list_members}"
        added: list[ListResult] = []
        for start in range(0, len(adds), LIST_CHUNK):
            chunk = adds[start : start + LIST_CHUNK]
            body = {"data": [{"id": i} for i in chunk]}
            added += await self._members("PUT", path, chunk, adding=True, json=body)
        removed: list[ListResult] = []
        for start in range(0, len(removes), LIST_CHUNK):
            chunk = removes[start : start + LIST_CHUNK]
            params = {"ids": ",".join(chunk)}
            removed += await self._members("DELETE", path, chunk, adding=False, params=params)
        return added + removed

    async def _members(
        self,
        method: str,
        path: str,
        ids: list[str],
        *,
        adding: bool,
        json: Any = None,
        params: dict[str, str] | None = None,
    ) -> list[ListResult]:
        """One link or delink request; a result per id, matched by the id Zoho names."""
        async with self._slots:
            try:
                response = await self._client.request(method, path, json=json, params=params)
            except (RetryLater, Refused) as error:
                failure = _for_records(error)
                return [ListResult(i, adding, False, failure) for i in ids]
        return membership_results(_json(response), ids, adding=adding, status=response.status_code)

    async def find(self, entity: str, match_key: str, values: Sequence[str]) -> dict[str, str]:
        """The id of the oldest record holding each of ``values`` in ``match_key`` (compared
        without case, as the upsert's duplicate check compares); with ``id`` as the match key,
        the values that are ids of existing records. Writes nothing.

        Raises:
            Refused: The module has no field ``match_key``, or Zoho refused the search.
            RetryLater: A search failed in passing.
        """
        module = self._module(entity)
        given = [str(value) for value in values if str(value).strip()]
        if match_key == RECORD_ID:
            existing = await self._existing(module, given)
            return {value: value for value in given if value in existing}
        known = await self._known(entity, {match_key})
        if match_key not in known:
            raise Refused(VendorError(f"Zoho CRM's {module} module has no field {match_key}"))
        wanted: dict[str, list[str]] = {}
        for value in given:
            wanted.setdefault(key_text(value), []).append(value)
        # One value of each folded key is searched for: Zoho's equals ignores case too.
        searched = [held[0].strip() for held in wanted.values()]
        held_by: list[Mapping[str, Any]] = []
        for start in range(0, len(searched), CRITERIA_PER_SEARCH):
            query = criteria(match_key, searched[start : start + CRITERIA_PER_SEARCH])
            held_by += await self._search(module, query, match_key)
        found: dict[str, str] = {}
        for record in oldest_first(held_by):
            for value in wanted.get(key_text(record.get(match_key)), []):
                found.setdefault(value, str(record.get("id")))
        return found

    async def _search(self, module: str, query: str, match_key: str) -> list[Mapping[str, Any]]:
        """Every record a search's criteria match, page by page (204: none)."""
        found: list[Mapping[str, Any]] = []
        page = 1
        while True:
            params = {
                "criteria": query,
                "fields": f"{match_key},Created_Time",
                "page": str(page),
                "per_page": str(PER_PAGE),
            }
            async with self._slots:
                response = await self._client.request(
                    "GET", f"/crm/v8/{module}/search", params=params
                )
            body = _json(response)
            data = body.get("data")
            found += [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
            info = body.get("info")
            if not (isinstance(info, dict) and info.get("more_records")):
                return found
            page += 1

    async def _existing(self, module: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` name records of ``module`` (a read of each 100 ids)."""
        candidates = [i for i in dict.fromkeys(ids) if record_id(i)]
        found: set[str] = set()
        for start in range(0, len(candidates), IDS_PER_READ):
            chunk = candidates[start : start + IDS_PER_READ]
            params = {"ids": ",".join(chunk), "fields": "Created_Time"}
            async with self._slots:
                response = await self._client.request("GET", f"/crm/v8/{module}", params=params)
            data = _json(response).get("data")
            if isinstance(data, list):
                found |= {str(r.get("id")) for r in data if isinstance(r, dict)}
        return found

    async def remove(self, entity: str, vendor_ids: Sequence[str]) -> list[RecordResult]:
        """Delete records (into Zoho's recycle bin), 100 ids to a request; results in input
        order, an id no record has counting as removed."""
        module = self._module(entity)
        ids = [str(i).strip() for i in vendor_ids]
        # An id that is not a number names no Zoho record: gone already, without a request.
        sent = [i for i in dict.fromkeys(ids) if record_id(i)]
        answers: dict[str, RecordResult] = {}
        for start in range(0, len(sent), DELETE_CHUNK):
            answers |= await self._delete(module, sent[start : start + DELETE_CHUNK])
        return [answers.get(i) or RecordResult(Outcome.REMOVED, i or None) for i in ids]

    async def _delete(self, module: str, ids: list[str]) -> dict[str, RecordResult]:
        """One delete request's results by id; ids Zoho calls invalid are read back, and
        count as removed when no record has them."""
        async with self._slots:
            try:
                response = await self._client.request(
                    "DELETE", f"/crm/v8/{module}", params={"ids": ",".join(ids)}
                )
            except (RetryLater, Refused) as error:
                failure = RecordResult.failed(_for_records(error))
                return dict.fromkeys(ids, failure)
        items = items_by_id(_json(response).get("data"), ids)
        results = {i: removal_of(items.get(i), response.status_code) for i in ids}
        doubted = [i for i, result in results.items() if _maybe_gone(result)]
        if doubted:
            try:
                existing = await self._existing(module, doubted)
            except (RetryLater, Refused):
                existing = set(doubted)  # not known to be gone: Zoho's refusal stands
            for i in doubted:
                if i not in existing:
                    results[i] = RecordResult(Outcome.REMOVED, i)
        return {
            i: replace(result, vendor_id=i) if result.outcome is Outcome.REMOVED else result
            for i, result in results.items()
        }


def _maybe_gone(result: RecordResult) -> bool:
    """Whether a delete's refusal may be Zoho's answer for an id no record has."""
    return result.error is not None and result.error.code == GONE_CODE
