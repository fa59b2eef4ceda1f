"""``/api/v1/connections``: a workspace's connections to vendors, in the same envelope.

Tokens go in and never come out. A connection whose token the vendor refuses is still
stored, marked broken with the vendor's words, as ``cardfile connections add`` does, so it can
be checked again once the vendor's side is fixed.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, HttpUrl
from starlette.concurrency import run_in_threadpool

from cardfile.api.rest.crm_syncs import check_and_keep, connection_id
from cardfile.api.rest.deps import Caller, CurrentCaller
from cardfile.api.rest.models import Envelope, ErrorBody
from cardfile.connectors.errors import ConnectorError
from cardfile.connectors.registry import UnknownProvider, connector_class
from cardfile.settings import Settings
from cardfile.store import connections
from cardfile.store.connections import StoredConnection
from cardfile.store.db import transaction
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.vault import Vault
from cardfile.sync import oauth

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


class OAuthStart(BaseModel):
    """What to call the connection, and another API root (a proxy, a data centre)."""

    name: str | None = None
    base_url: HttpUrl | None = None


class OAuthLink(BaseModel):
    """Where to send the user, and the redirect URI to register with the vendor."""

    connect_url: str
    redirect_uri: str


@router.post(
    "/oauth/{provider}",
    response_model=Envelope[OAuthLink],
    responses={400: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
async def start_oauth(
    provider: str, body: OAuthStart, caller: CurrentCaller
) -> Envelope[OAuthLink]:
    """The vendor's consent page for this workspace (OAuth2 authorization code)."""
    try:
        connector_class(provider)
        started = oauth.connect_url(
            caller.settings,
            caller.vault(),
            workspace_id=caller.workspace_id,
            provider=provider,
            name=body.name,
            base_url=str(body.base_url).rstrip("/") if body.base_url else None,
        )
    except UnknownProvider as error:
        raise HTTPException(404, str(error)) from None
    except Invalid as error:
        raise HTTPException(400, error.message) from None
    return Envelope(
        data=OAuthLink(connect_url=started.connect_url, redirect_uri=started.redirect_uri)
    )


@router.get(
    "/oauth/callback",
    response_model=Envelope[ConnectionPublic],
    responses={400: {"model": ErrorBody}, 502: {"model": ErrorBody}},
)
async def finish_oauth(request: Request, code: str, state: str) -> Envelope[ConnectionPublic]:
    """Where the vendor sends the user back: the code becomes a stored, checked connection.

    No API key here: the browser comes from the vendor; the sealed ``state`` says which
    workspace started the flow, and expires.
    """
    settings: Settings = request.app.state.settings
    sessions = request.app.state.store.sessions
    vault = Vault(settings.resolved_secret_key())
    try:
        stored = await oauth.finish(settings, vault, sessions, code=code, state=state)
    except (Invalid, Conflict) as error:
        raise HTTPException(400 if isinstance(error, Invalid) else 409, error.message) from None
    except ConnectorError as error:
        raise HTTPException(502, error.message) from None
    caller = Caller(stored.workspace_id, sessions, settings, request.app.state.jobs)
    await check_and_keep(caller, stored)

    def reread() -> StoredConnection:
        with sessions() as session:
            return connections.get(session, stored.workspace_id, stored.name)

    return Envelope(data=_public(await run_in_threadpool(reread)))
