"""``/api/v1/connections``: a workspace's connections to vendors, in the same envelope.

Tokens go in and never come out. A connection whose token the vendor refuses is still
stored, marked broken with the vendor's words, as ``cardfile connections add`` does, so it can
be checked again once the vendor's side is fixed.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, HttpUrl
from starlette.concurrency import run_in_threadpool

from cardfile.api.rest.crm_syncs import check_and_keep, connection_id
from cardfile.api.rest.deps import Caller, CurrentCaller
from cardfile.api.rest.models import Envelope, ErrorBody
from cardfile.connectors.registry import UnknownProvider, connector_class
from cardfile.store import connections
from cardfile.store.connections import StoredConnection
from cardfile.store.db import transaction
from cardfile.store.errors import Conflict, Invalid, NotFound

router = APIRouter(prefix="/connections", tags=["connections"])


class ConnectionCreate(BaseModel):
    """A new connection with an API token."""

    provider: str = Field(examples=["hubspot"])
    token: str = Field(min_length=1, description="The vendor's API token; stored encrypted")
    base_url: HttpUrl | None = Field(default=None, description="Another API root")
    name: str | None = Field(default=None, description="Defaults to the provider's name")
    settings: dict[str, str] = Field(default_factory=dict)


class ConnectionPublic(BaseModel):
    """A connection as the API shows it: never its credentials."""

    connection_id: str
    name: str
    provider: str
    base_url: str | None
    status: str
    status_message: str
    checked_at: datetime | None
    connected_at: datetime


class Deleted(BaseModel):
    """A removal's answer."""

    deleted: bool


def _public(stored: StoredConnection) -> ConnectionPublic:
    return ConnectionPublic(
        connection_id=connection_id(stored),
        name=stored.name,
        provider=stored.provider,
        base_url=stored.base_url,
        status=stored.status,
        status_message=stored.status_message,
        checked_at=stored.checked_at,
        connected_at=stored.created_at,
    )


def _listed(caller: Caller) -> list[StoredConnection]:
    with caller.sessions() as session:
        return connections.list_for(session, caller.workspace_id)


@router.get("", response_model=Envelope[list[ConnectionPublic]])
async def list_connections(caller: CurrentCaller) -> Envelope[list[ConnectionPublic]]:
    """The workspace's connections."""
    return Envelope(data=[_public(c) for c in await run_in_threadpool(_listed, caller)])


@router.post(
    "",
    status_code=201,
    response_model=Envelope[ConnectionPublic],
    responses={409: {"model": ErrorBody}, 400: {"model": ErrorBody}},
)
async def create_connection(
    body: ConnectionCreate, caller: CurrentCaller
) -> Envelope[ConnectionPublic]:
    """Store a connection and check it at once with a real call to the vendor."""
    try:
        connector_class(body.provider)
    except UnknownProvider as error:
        raise HTTPException(400, str(error)) from None

    def add() -> StoredConnection:
        with transaction(caller.sessions) as session:
            return connections.add(
                session,
                caller.vault(),
                workspace_id=caller.workspace_id,
                provider=body.provider,
                credentials={"token": body.token.strip()},
                name=body.name,
                base_url=str(body.base_url) if body.base_url else None,
                settings=dict(body.settings),
            )

    try:
        stored = await run_in_threadpool(add)
    except Conflict as error:
        raise HTTPException(409, error.message) from None
    except Invalid as error:
        raise HTTPException(400, error.message) from None
    await check_and_keep(caller, stored)

    def reread() -> StoredConnection:
        with caller.sessions() as session:
            return connections.get(session, caller.workspace_id, stored.name)

    return Envelope(data=_public(await run_in_threadpool(reread)))


@router.delete("/{name}", response_model=Envelope[Deleted], responses={404: {"model": ErrorBody}})
async def delete_connection(name: str, caller: CurrentCaller) -> Envelope[Deleted]:
    """Remove a connection and its stored credentials."""

    def remove() -> None:
        with transaction(caller.sessions) as session:
            connections.remove(session, caller.workspace_id, name)

    try:
        await run_in_threadpool(remove)
    except NotFound as error:
        raise HTTPException(404, error.message) from None
    return Envelope(data=Deleted(deleted=True))
