"""graph8's "CRM Syncs" endpoints: list, status, fields and pushes, through the connectors.

A route translates the request, finds the workspace's connection for the provider, and calls
the connector; nothing here talks to a vendor by itself. A connection failure is never a 5xx:
``status`` says ``connected: false``, a refused discovery call is a 502 with the vendor's
words, and a refused record is an entry of ``errors`` inside a 200.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from cardfile.api.rest.deps import Caller, CurrentCaller
from cardfile.api.rest.models import (
    CrmField,
    CrmFields,
    CrmStatus,
    CrmSync,
    Envelope,
    ErrorBody,
    HubResult,
    ListError,
    ListsBody,
    ListsResult,
    PushBody,
    PushError,
    PushResult,
)
from cardfile.connectors.base import Connector, Health, ListResult, Outcome
from cardfile.connectors.errors import ConnectorError
from cardfile.ingest.pushes import HubOutcome, Pushed, record_companies, record_people
from cardfile.store import connections
from cardfile.store.connections import StoredConnection
from cardfile.store.db import transaction
from cardfile.sync.connections import open_connector

router = APIRouter(prefix="/crm-syncs", tags=["crm-syncs"])

# graph8's entity names, and what each vendor may call the same thing.
ENTITY_NAMES = {
    "contacts": ("contacts", "people", "persons"),
    "companies": ("companies", "organizations", "accounts"),
    "leads": ("leads",),
    "deals": ("deals", "opportunities"),
}
NOT_CONNECTED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No connection for the provider"},
    401: {"model": ErrorBody, "description": "A missing or unknown API key"},
}


def connection_id(stored: StoredConnection) -> str:
    """The id graph8's clients see for a connection."""
    return f"cf-conn-{stored.id}"


def _find(caller: Caller, provider: str) -> StoredConnection:
    with caller.sessions() as session:
        found = connections.list_for(session, caller.workspace_id)
    matching = [c for c in found if c.provider == provider]
    if not matching:
        raise HTTPException(404, f"No active {provider} connection. Connect in Integrations first")
    # A connection named after its provider wins over others of the same vendor.
    return next((c for c in matching if c.name == provider), matching[0])


@asynccontextmanager
async def _connector(
    caller: Caller, provider: str
) -> AsyncIterator[tuple[StoredConnection, Connector]]:
    stored = await run_in_threadpool(_find, caller, provider)
    connector = await run_in_threadpool(
        open_connector, caller.sessions, caller.workspace_id, stored.name, caller.vault()
    )
    async with connector:
        yield stored, connector


def _entity(connector: Connector, entity_type: str) -> str:
    """The vendor's name for a graph8 entity type, or 422 naming the ones it has."""
    entities = connector.capabilities.entities
    for name in ENTITY_NAMES.get(entity_type, (entity_type,)):
        if name in entities:
            return name
    raise HTTPException(
        422,
        f"{connector.provider} has no {entity_type}; it offers {', '.join(sorted(entities))}",
    )


@router.get("", response_model=Envelope[list[CrmSync]])
async def list_crm_syncs(caller: CurrentCaller) -> Envelope[list[CrmSync]]:
    """The workspace's connected CRMs."""

    def listed() -> list[StoredConnection]:
        with caller.sessions() as session:
            return connections.list_for(session, caller.workspace_id)

    return Envelope(
        data=[
            CrmSync(
                provider=c.provider,
                status="broken" if c.status == "broken" else "connected",
                connection_id=connection_id(c),
                last_sync_at=None,  # syncs arrive with the sync engine
                connected_at=c.created_at,
            )
            for c in await run_in_threadpool(listed)
        ]
    )


async def check_and_keep(caller: Caller, stored: StoredConnection) -> Health:
    """Check a stored connection with a real call and keep the result; a failure of the
    call itself (the vendor unreachable) is an unhealthy answer, not an error."""
    connector = await run_in_threadpool(
        open_connector, caller.sessions, caller.workspace_id, stored.name, caller.vault()
    )
    async with connector:
        try:
            health = await connector.check()
        except ConnectorError as error:
            health = Health(False, error.message)

    def keep() -> None:
        with transaction(caller.sessions) as session:
            connections.record_check(
                session,
                caller.workspace_id,
                stored.name,
                healthy=health.healthy,
                message=health.message,
            )

    await run_in_threadpool(keep)
    return health


@router.get("/{provider}/status", response_model=Envelope[CrmStatus], responses=NOT_CONNECTED)
async def crm_status(provider: str, caller: CurrentCaller) -> Envelope[CrmStatus]:
    """A cheap real call to the CRM; ``connected: false`` with its words when it refuses."""
    stored = await run_in_threadpool(_find, caller, provider)
    health = await check_and_keep(caller, stored)
    return Envelope(
        data=CrmStatus(
            provider=provider,
            connected=health.healthy,
            connection_id=connection_id(stored),
            crm_type=provider,
            message="Connection is healthy" if health.healthy else health.message,
            last_sync_at=None,
        )
    )


@router.get(
    "/{provider}/fields",
    response_model=Envelope[CrmFields],
    responses={**NOT_CONNECTED, 502: {"model": ErrorBody, "description": "The CRM refused"}},
)
async def crm_fields(
    provider: str,
    caller: CurrentCaller,
    entity_type: Annotated[str, Query(pattern="^(contacts|companies|leads|deals)$")] = "contacts",
) -> Envelope[CrmFields]:
    """The CRM's standard and custom fields of one entity type."""
    async with _connector(caller, provider) as (_, connector):
        entity = _entity(connector, entity_type)
        try:
            found = await connector.fields(entity)
        except ConnectorError as error:
            raise HTTPException(502, error.message) from None
    return Envelope(
        data=CrmFields(
            fields=[
                CrmField(
                    name=f.label,
                    slug=f.name,
                    type=f.type.value if f.type is not None else f.vendor_type,
                    required=f.required,
                    label=f.label,
                    unique=f.unique,
                    options=[{"value": o.id, "label": o.title} for o in f.options],
                )
                for f in found
            ]
        )
    )


def _renamed(record: dict[str, Any], renames: dict[str, str] | None) -> dict[str, Any]:
    if not renames:
        return record
    return {renames.get(key, key): value for key, value in record.items()}


def _label(record: dict[str, Any], key: str, index: int) -> str:
    value = record.get(key)
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = next(iter(value.values()), None)
    return str(value) if value not in (None, "") else f"record {index}"


async def _push(caller: Caller, provider: str, entity_type: str, body: PushBody) -> PushResult:
    async with _connector(caller, provider) as (_, connector):
        entity = _entity(connector, entity_type)
        key = connector.capabilities.match_keys[entity][0]
        records = [_renamed(r, body.provider_fields) for r in body.records]
        results = await connector.upsert(entity, records, key)
        accepted = [
            Pushed(**vars(connector.identity(entity, record)), vendor_id=result.vendor_id)
            for record, result in zip(records, results, strict=True)
            if result.outcome is not Outcome.FAILED
        ]
    errors = [
        PushError(record=_label(record, key, index), error=result.error.message)
        for index, (record, result) in enumerate(zip(records, results, strict=True))
        if result.outcome is Outcome.FAILED and result.error is not None
    ]

    def to_hub() -> HubOutcome:
        with transaction(caller.sessions) as session:
            if entity_type == "contacts":
                return record_people(session, caller.workspace_id, accepted)
            return record_companies(session, caller.workspace_id, provider, accepted)

    hub = await run_in_threadpool(to_hub)
    return PushResult(
        pushed_count=len(records) - len(errors),
        failed_count=len(errors),
        errors=errors,
        hub=HubResult(
            created=hub.created,
            updated=hub.updated,
            unchanged=hub.unchanged,
            errors=[PushError(record=record, error=reason) for record, reason in hub.errors],
        ),
    )


@router.post(
    "/{provider}/contacts/push", response_model=Envelope[PushResult], responses=NOT_CONNECTED
)
async def push_contacts(
    provider: str, body: PushBody, caller: CurrentCaller
) -> Envelope[PushResult]:
    """Create or update contacts in the CRM; each refused record is reported, none fails
    the others."""
    return Envelope(data=await _push(caller, provider, "contacts", body))


@router.post(
    "/{provider}/companies/push", response_model=Envelope[PushResult], responses=NOT_CONNECTED
)
async def push_companies(
    provider: str, body: PushBody, caller: CurrentCaller
) -> Envelope[PushResult]:
    """Create or update companies in the CRM, as contacts are pushed."""
    return Envelope(data=await _push(caller, provider, "companies", body))


def _list_errors(list_id: str, results: Sequence[ListResult]) -> list[ListError]:
    return [
        ListError(list_id=list_id, contact_id=r.record_id, error=r.error.message if r.error else "")
        for r in results
        if not r.ok
    ]


@router.post(
    "/{provider}/lists/push", response_model=Envelope[ListsResult], responses=NOT_CONNECTED
)
async def push_lists(
    provider: str, body: ListsBody, caller: CurrentCaller
) -> Envelope[ListsResult]:
    """Add and remove contacts (by CRM id) to and from CRM lists."""
    added = removed = 0
    errors: list[ListError] = []
    async with _connector(caller, provider) as (_, connector):
        for change in body.records:
            try:
                results = await connector.update_list(
                    change.list_id, change.add_contact_ids, change.remove_contact_ids
                )
            except ConnectorError as error:
                ids = [*change.add_contact_ids, *change.remove_contact_ids]
                errors += [
                    ListError(list_id=change.list_id, contact_id=i, error=error.message)
                    for i in ids
                ]
                continue
            added += sum(1 for r in results if r.ok and r.added)
            removed += sum(1 for r in results if r.ok and not r.added)
            errors += _list_errors(change.list_id, results)
    return Envelope(data=ListsResult(added=added, removed=removed, errors=errors))
