"""``/api/v1/destinations``, replay, and the event debugger (``/api/v1/sources/{source}/
events``): destinations managed by REST in the envelope and error style of ``/api/v1``.

A definition is checked against the vendor (its kinds, its attributes) before it is stored; a
422 names the field at fault. Warnings (an object the vendor has not activated) come back with
the saved destination.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from cardfile.api.rest.deps import Caller, CurrentCaller
from cardfile.api.rest.models import Envelope, ErrorBody
from cardfile.store import deliveries, destinations
from cardfile.store.db import transaction
from cardfile.store.destinations import StoredDestination
from cardfile.store.errors import Conflict, NotFound
from cardfile.sync.actions import debugger, definitions
from cardfile.sync.spec import SpecError

router = APIRouter(tags=["destinations"])


class TriggerBody(BaseModel):
    """Which events an action takes."""

    type: str | list[str] = Field(examples=["identify"])
    condition: list[dict[str, Any]] = Field(
        default_factory=list, examples=[[{"path": "traits.plan", "op": "eq", "value": "pro"}]]
    )


class ActionBody(BaseModel):
    """One action: its name, kind and trigger, and the kind's own settings (mappings of
    vendor attribute to event path, the object and matching attribute, …)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$", examples=["identify"])
    kind: Literal[
        "identify_user", "group_workspace", "assert_record", "upsert_contact", "upsert_company"
    ]
    trigger: TriggerBody | None = None
    enabled: bool = True


class DestinationBody(BaseModel):
    """A destination's definition, as ``cardfile destinations apply`` reads it."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$", examples=["attio"])
    source: str = Field(min_length=1, examples=["web"], description="The source's name")
    connection: str = Field(min_length=1, examples=["attio"], description="The connection")
    enabled: bool = True
    actions: list[ActionBody] = Field(min_length=1)

    def definition(self) -> dict[str, Any]:
        """The definition as the checker reads it."""
        data = self.model_dump(exclude_none=True)
        data["actions"] = [a.model_dump(exclude_none=True) for a in self.actions]
        return data


class DestinationOut(BaseModel):
    """A stored destination, how many deliveries it has in each status, and warnings."""

    destination_id: int
    name: str
    source: str
    connection: str
    provider: str
    enabled: bool
    actions: list[dict[str, Any]]
    deliveries: dict[str, int]
    warnings: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


ReplayStatus = Literal["failed", "dead", "sent", "waiting"]
_REPLAYED: tuple[ReplayStatus, ...] = ("failed", "dead")


class ReplayBody(BaseModel):
    """Which deliveries to make again: those of events received in [since, until) in the
    given statuses (failed and dead ones by default)."""

    since: datetime | None = None
    until: datetime | None = None
    statuses: list[ReplayStatus] = Field(default_factory=lambda: list(_REPLAYED))


class Replayed(BaseModel):
    """How many deliveries were queued again."""

    replayed: int


class Deleted(BaseModel):
    """A removal's answer."""

    deleted: bool


class ActionOut(BaseModel):
    """What one action did with an event."""

    destination: str
    action: str
    status: str = Field(examples=["sent", "failed", "pending", "waiting", "dead", "skipped"])
    attempts: int
    error: str | None
    detail: dict[str, Any] | None
    retry_at: datetime | None


class EventOut(BaseModel):
    """An event, what the hub did with it and what every action did."""

    event_id: int
    message_id: str
    type: str
    user_id: str | None
    anonymous_id: str | None
    received_at: datetime
    hub_status: str = Field(examples=["pending", "applied", "ignored", "failed"])
    hub_detail: str | None
    payload: dict[str, Any]
    actions: list[ActionOut]


class EventPage(BaseModel):
    """A page of a source's events, newest first; pass ``next_before`` as ``before``."""

    events: list[EventOut]
    next_before: int | None


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such destination or source in this workspace"},
}
REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "The definition names a field at fault"},
}


def _out(caller: Caller, stored: StoredDestination, warnings: list[str]) -> DestinationOut:
    with caller.sessions() as session:
        counts = deliveries.counts(session, stored.id)
    return DestinationOut(
        destination_id=stored.id,
        name=stored.name,
        source=stored.source,
        connection=stored.connection,
        provider=stored.provider,
        enabled=stored.enabled,
        actions=stored.definition()["actions"],
        deliveries=counts,
        warnings=warnings,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


def _get(caller: Caller, name: str) -> StoredDestination:
    with caller.sessions() as session:
        try:
            return destinations.get(session, caller.workspace_id, name)
        except NotFound as error:
            raise HTTPException(404, error.message) from None


async def _save(caller: Caller, body: DestinationBody) -> DestinationOut:
    try:
        stored, _, warnings = await definitions.save(
            caller.sessions, caller.vault(), caller.workspace_id, body.definition()
        )
    except SpecError as error:
        where = f"{error.field}: " if error.field else ""
        raise HTTPException(422, f"{where}{error.message}") from None
    except NotFound as error:
        raise HTTPException(422, error.message) from None
    except Conflict as error:
        raise HTTPException(409, error.message) from None
    return await run_in_threadpool(_out, caller, stored, warnings)


@router.get("/destinations", response_model=Envelope[list[DestinationOut]])
async def list_destinations(caller: CurrentCaller) -> Envelope[list[DestinationOut]]:
    """The workspace's destinations."""

    def listed() -> list[DestinationOut]:
        with caller.sessions() as session:
            found = destinations.list_for(session, caller.workspace_id)
        return [_out(caller, d, []) for d in found]

    return Envelope(data=await run_in_threadpool(listed))


@router.post(
    "/destinations",
    response_model=Envelope[DestinationOut],
    status_code=201,
    responses={**REFUSED, 409: {"model": ErrorBody, "description": "The name is taken"}},
)
async def create_destination(
    body: DestinationBody, caller: CurrentCaller
) -> Envelope[DestinationOut]:
    """Create a destination; its actions are checked against the vendor first."""

    def exists() -> bool:
        try:
            _get(caller, body.name)
        except HTTPException:
            return False
        return True

    if await run_in_threadpool(exists):
        raise HTTPException(409, f"a destination named '{body.name}' exists; PUT it to change it")
    return Envelope(data=await _save(caller, body))


@router.get("/destinations/{name}", response_model=Envelope[DestinationOut], responses=NOT_FOUND)
async def get_destination(name: str, caller: CurrentCaller) -> Envelope[DestinationOut]:
    """One destination, with its deliveries counted by status."""
    stored = await run_in_threadpool(_get, caller, name)
    return Envelope(data=await run_in_threadpool(_out, caller, stored, []))


@router.put(
    "/destinations/{name}",
    response_model=Envelope[DestinationOut],
    responses={**NOT_FOUND, **REFUSED},
)
async def put_destination(
    name: str, body: DestinationBody, caller: CurrentCaller
) -> Envelope[DestinationOut]:
    """Create or replace a destination (actions kept by name keep their deliveries)."""
    if body.name != name:
        raise HTTPException(422, f"name: the body names '{body.name}', the path '{name}'")
    return Envelope(data=await _save(caller, body))


@router.delete("/destinations/{name}", response_model=Envelope[Deleted], responses=NOT_FOUND)
async def delete_destination(name: str, caller: CurrentCaller) -> Envelope[Deleted]:
    """Delete a destination with its deliveries (the vendor's records stay)."""

    def remove() -> None:
        with transaction(caller.sessions) as session:
            try:
                destinations.delete(session, caller.workspace_id, name)
            except NotFound as error:
                raise HTTPException(404, error.message) from None

    await run_in_threadpool(remove)
    return Envelope(data=Deleted(deleted=True))


@router.post("/destinations/{name}/replay", response_model=Envelope[Replayed], responses=NOT_FOUND)
async def replay(name: str, body: ReplayBody, caller: CurrentCaller) -> Envelope[Replayed]:
    """Deliver again (after fixing a mapping, say) the deliveries of events received in a
    time range, or the dead letters; they go at once, oldest first."""
    stored = await run_in_threadpool(_get, caller, name)

    def again() -> int:
        with transaction(caller.sessions) as session:
            return deliveries.replay(
                session,
                caller.workspace_id,
                destination_id=stored.id,
                since=body.since,
                until=body.until,
                statuses=body.statuses,
            )

    count = await run_in_threadpool(again)
    if count:
        await run_in_threadpool(caller.jobs.deliver, stored.id)
    return Envelope(data=Replayed(replayed=count))


@router.get("/sources/{source}/events", response_model=Envelope[EventPage], responses=NOT_FOUND)
async def source_events(
    source: str,
    caller: CurrentCaller,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Envelope[EventPage]:
    """The event debugger: the source's newest events, each with what the hub and every
    destination action did with it."""

    def read() -> list[debugger.EventView]:
        with caller.sessions() as session:
            try:
                return debugger.recent(
                    session, caller.workspace_id, source, limit=limit, before=before
                )
            except NotFound as error:
                raise HTTPException(404, error.message) from None

    views = await run_in_threadpool(read)
    page = [
        EventOut(
            event_id=v.id,
            message_id=v.message_id,
            type=v.type,
            user_id=v.user_id,
            anonymous_id=v.anonymous_id,
            received_at=v.received_at,
            hub_status=v.hub_status,
            hub_detail=v.hub_detail,
            payload=v.payload,
            actions=[ActionOut(**a.__dict__) for a in v.actions],
        )
        for v in views
    ]
    following = views[-1].id if len(views) == limit else None
    return Envelope(data=EventPage(events=page, next_before=following))
