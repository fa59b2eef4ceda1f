"""``/api/v1/sources``: tracking sources and their write keys, in the same envelope.

A write key's secret is shown once, in the answer that creates it (and, for a new source,
its first key's); only its hash is kept. Revoking a key or removing a source here takes
effect at once in this process (the tracking API's key cache is cleared); other processes
stop accepting the key within ``CARDFILE_TRACKING_KEY_CACHE_SECONDS``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cardfile.api.rest.deps import Caller, CurrentCaller
from cardfile.api.rest.models import Envelope, ErrorBody
from cardfile.store import sources
from cardfile.store.db import transaction
from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.schema import Source, WriteKey, as_utc

router = APIRouter(prefix="/sources", tags=["sources"])

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,99}$"
_MAX_ID = 2**63 - 1
KeyId = Annotated[int, Path(ge=1, le=_MAX_ID, description="The write key's id")]
SourceRef = Annotated[str, Path(description="The source's id or name")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}


class SourceCreate(BaseModel):
    """A new source."""

    name: str = Field(pattern=NAME_PATTERN, examples=["website"])


class WriteKeyCreate(BaseModel):
    """A new write key."""

    name: str = Field(default="", max_length=200, description="What the key is for")


class SourcePublic(BaseModel):
    """A source."""

    source_id: int
    name: str
    created_at: datetime


class WriteKeyPublic(BaseModel):
    """A write key as the API shows it: never its secret."""

    key_id: int
    source_id: int
    name: str
    prefix: str = Field(description="The secret's first characters, to tell keys apart")
    status: str = Field(examples=["live", "revoked"])
    created_at: datetime
    revoked_at: datetime | None


class WriteKeyIssued(WriteKeyPublic):
    """A new write key, with its secret: shown this once, never again."""

    secret: str


class SourceCreated(SourcePublic):
    """A new source and its first write key."""

    write_key: WriteKeyIssued


class Rejection(BaseModel):
    """A message the tracking API refused for this source (this server process's newest)."""

    at: datetime
    code: str
    message: str
    message_id: str | None
    type: str | None


class Deleted(BaseModel):
    """A removal's answer."""

    deleted: bool


def _source_public(source: Source) -> SourcePublic:
    return SourcePublic(source_id=source.id, name=source.name, created_at=as_utc(source.created_at))


def _key_public(key: WriteKey) -> WriteKeyPublic:
    return WriteKeyPublic(
        key_id=key.id,
        source_id=key.source_id,
        name=key.name,
        prefix=key.prefix,
        status="revoked" if key.revoked_at else "live",
        created_at=as_utc(key.created_at),
        revoked_at=as_utc(key.revoked_at) if key.revoked_at else None,
    )


def _issued(issued: sources.IssuedWriteKey) -> WriteKeyIssued:
    return WriteKeyIssued(**_key_public(issued.record).model_dump(), secret=issued.secret)


def _ref(ref: str) -> str | int:
    """A path's source reference as the store takes it; 404 for what can name no source."""
    if ref.isascii() and ref.isdigit():
        number = int(ref)
        if 0 < number <= _MAX_ID:
            return number
    elif re.match(NAME_PATTERN, ref):
        return ref
    raise HTTPException(404, f"no source {ref!r} in this workspace")


def _forget_keys(request: Request, source_id: int | None = None) -> None:
    tracking = getattr(request.app.state, "tracking", None)
    if tracking is not None:
        tracking.keys.forget()
        if source_id is not None:
            tracking.rejections.forget(source_id)


@router.get("", response_model=Envelope[list[SourcePublic]])
async def list_sources(caller: CurrentCaller) -> Envelope[list[SourcePublic]]:
    """The workspace's sources, oldest first."""

    def listed() -> list[SourcePublic]:
        with caller.sessions() as session:
            return [_source_public(s) for s in sources.list_for(session, caller.workspace_id)]

    return Envelope(data=await run_in_threadpool(listed))


@router.post(
    "",
    status_code=201,
    response_model=Envelope[SourceCreated],
    responses={409: {"model": ErrorBody}, 400: {"model": ErrorBody}},
)
async def create_source(body: SourceCreate, caller: CurrentCaller) -> Envelope[SourceCreated]:
    """A new source, with a first write key (its secret shown this once)."""

    def create() -> SourceCreated:
        with transaction(caller.sessions) as session:
            source = sources.create(session, workspace_id=caller.workspace_id, name=body.name)
            issued = sources.create_key(session, source)
            return SourceCreated(**_source_public(source).model_dump(), write_key=_issued(issued))

    try:
        return Envelope(data=await run_in_threadpool(create))
    except Conflict as error:
        raise HTTPException(409, error.message) from None
    except Invalid as error:
        raise HTTPException(400, error.message) from None


def _get(caller: Caller, ref: str) -> Source:
    with caller.sessions() as session:
        return sources.get(session, caller.workspace_id, _ref(ref))


@router.get("/{source}", response_model=Envelope[SourcePublic], responses=NOT_FOUND)
async def get_source(source: SourceRef, caller: CurrentCaller) -> Envelope[SourcePublic]:
    """One source, by id or name."""
    try:
        return Envelope(data=_source_public(await run_in_threadpool(_get, caller, source)))
    except NotFound as error:
        raise HTTPException(404, error.message) from None


@router.delete("/{source}", response_model=Envelope[Deleted], responses=NOT_FOUND)
async def delete_source(
    source: SourceRef, caller: CurrentCaller, request: Request
) -> Envelope[Deleted]:
    """Remove a source with its write keys and its events."""

    def remove() -> int:
        with transaction(caller.sessions) as session:
            found = sources.get(session, caller.workspace_id, _ref(source))
            sources.delete(session, caller.workspace_id, found.id)
            return found.id

    try:
        removed = await run_in_threadpool(remove)
    except NotFound as error:
        raise HTTPException(404, error.message) from None
    _forget_keys(request, removed)
    return Envelope(data=Deleted(deleted=True))


@router.get(
    "/{source}/write-keys", response_model=Envelope[list[WriteKeyPublic]], responses=NOT_FOUND
)
async def list_write_keys(
    source: SourceRef, caller: CurrentCaller
) -> Envelope[list[WriteKeyPublic]]:
    """The source's write keys, revoked ones included (never their secrets)."""

    def listed() -> list[WriteKeyPublic]:
        with caller.sessions() as session:
            found = sources.get(session, caller.workspace_id, _ref(source))
            return [_key_public(k) for k in sources.keys_of(session, found)]

    try:
        return Envelope(data=await run_in_threadpool(listed))
    except NotFound as error:
        raise HTTPException(404, error.message) from None


@router.post(
    "/{source}/write-keys",
    status_code=201,
    response_model=Envelope[WriteKeyIssued],
    responses=NOT_FOUND,
)
async def create_write_key(
    source: SourceRef, body: WriteKeyCreate, caller: CurrentCaller
) -> Envelope[WriteKeyIssued]:
    """A new write key for the source; its secret is shown this once."""

    def create() -> WriteKeyIssued:
        with transaction(caller.sessions) as session:
            found = sources.get(session, caller.workspace_id, _ref(source))
            return _issued(sources.create_key(session, found, name=body.name))

    try:
        return Envelope(data=await run_in_threadpool(create))
    except NotFound as error:
        raise HTTPException(404, error.message) from None


@router.delete(
    "/{source}/write-keys/{key_id}", response_model=Envelope[WriteKeyPublic], responses=NOT_FOUND
)
async def revoke_write_key(
    source: SourceRef, key_id: KeyId, caller: CurrentCaller, request: Request
) -> Envelope[WriteKeyPublic]:
    """Revoke a write key: the tracking API refuses it from now on (401)."""

    def revoke() -> WriteKeyPublic:
        with transaction(caller.sessions) as session:
            found = sources.get(session, caller.workspace_id, _ref(source))
            if not any(k.id == key_id for k in sources.keys_of(session, found)):
                raise NotFound(f"no write key with id {key_id} in source {found.name!r}")
            return _key_public(sources.revoke_key(session, caller.workspace_id, key_id))

    try:
        revoked = await run_in_threadpool(revoke)
    except NotFound as error:
        raise HTTPException(404, error.message) from None
    _forget_keys(request)
    return Envelope(data=revoked)


@router.get("/{source}/rejections", response_model=Envelope[list[Rejection]], responses=NOT_FOUND)
async def list_rejections(
    source: SourceRef, caller: CurrentCaller, request: Request
) -> Envelope[list[Rejection]]:
    """The messages the tracking API refused for this source lately, newest first: what this
    server process remembers (the newest 100), each with Segment's code and the reason."""
    try:
        found = await run_in_threadpool(_get, caller, source)
    except NotFound as error:
        raise HTTPException(404, error.message) from None
    tracking = getattr(request.app.state, "tracking", None)
    kept = tracking.rejections.of(found.id) if tracking is not None else []
    # An id the store reused (SQLite) must not show a removed source's refusals.
    kept = [r for r in kept if r.at >= as_utc(found.created_at)]
    return Envelope(
        data=[
            Rejection(at=r.at, code=r.code, message=r.message, message_id=r.message_id, type=r.type)
            for r in kept
        ]
    )
