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

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cardfile.api.rest.deps import Caller, CurrentCaller
from cardfile.api.rest.job_routes import job_url, push_result
from cardfile.api.rest.models import (
    CrmField,
    CrmFields,
    CrmStatus,
    CrmSync,
    Envelope,
    ErrorBody,
    ListError,
    ListsBody,
    ListsResult,
    PushBody,
    PushJob,
    PushResult,
)
from cardfile.connectors.base import Connector, Health, ListResult
from cardfile.connectors.errors import ConnectorError
from cardfile.jobs.pushes import KIND, hub_writer, push_params
from cardfile.store import connections, jobs
from cardfile.store.connections import StoredConnection
from cardfile.store.db import transaction
from cardfile.sync.connections import open_connector
from cardfile.sync.pushes import NoSuchEntity, estimated_seconds, push, vendor_entity

router = APIRouter(prefix="/crm-syncs", tags=["crm-syncs"])

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
    try:
        return vendor_entity(connector, entity_type)
    except NoSuchEntity as error:
        raise HTTPException(422, str(error)) from None


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


def _wants_job(request: Request) -> bool:
    # RFC 7240: the caller asks for an answer now and the work later.
    return "respond-async" in request.headers.get("prefer", "").lower()


async def _push(
    request: Request, caller: Caller, provider: str, entity_type: str, body: PushBody
) -> Envelope[PushResult] | JSONResponse:
    async with _connector(caller, provider) as (stored, connector):
        _entity(connector, entity_type)
        expected = estimated_seconds(connector.capabilities, len(body.records))
        if _wants_job(request) or expected > caller.settings.push_wait_seconds:
            job = await run_in_threadpool(_queue_push, caller, stored, entity_type, body)
            return JSONResponse(
                Envelope(data=job).model_dump(mode="json"),
                status_code=202,
                headers={"Location": job.poll_url},
            )
        try:
            tally = await push(
                connector,
                entity_type,
                body.records,
                renames=body.provider_fields,
                to_hub=hub_writer(caller.sessions, caller.workspace_id, provider, entity_type),
            )
        except ConnectorError as error:
            raise HTTPException(502, error.message) from None
    return Envelope(data=push_result(tally))


def _queue_push(
    caller: Caller, stored: StoredConnection, entity_type: str, body: PushBody
) -> PushJob:
    params = push_params(
        stored.name, stored.provider, entity_type, body.records, body.provider_fields
    )
    with transaction(caller.sessions) as session:
        job = jobs.create(session, caller.workspace_id, KIND, params)
    caller.jobs.push(job.id)
    return PushJob(
        job_id=job.id, status=job.status, records=len(body.records), poll_url=job_url(job.id)
    )


PUSHED: dict[int | str, dict[str, Any]] = {
    **NOT_CONNECTED,
    202: {
        "model": Envelope[PushJob],
        "description": "A push longer than the wait limit (or asked with Prefer: respond-async)"
        " runs as a job; poll it at the Location",
    },
    502: {"model": ErrorBody, "description": "The CRM failed the whole push"},
}


@router.post("/{provider}/contacts/push", response_model=Envelope[PushResult], responses=PUSHED)
async def push_contacts(
    provider: str, body: PushBody, caller: CurrentCaller, request: Request
) -> Envelope[PushResult] | JSONResponse:
    """Create or update contacts in the CRM; each refused record is reported, none fails
    the others. A push the CRM's rate limit lets finish within the wait limit is answered
    when done; a longer one is answered 202 with a job to poll."""
    return await _push(request, caller, provider, "contacts", body)


@router.post("/{provider}/companies/push", response_model=Envelope[PushResult], responses=PUSHED)
async def push_companies(
    provider: str, body: PushBody, caller: CurrentCaller, request: Request
) -> Envelope[PushResult] | JSONResponse:
    """Create or update companies in the CRM, as contacts are pushed."""
    return await _push(request, caller, provider, "companies", body)


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
