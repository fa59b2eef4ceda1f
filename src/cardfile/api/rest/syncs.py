"""``/api/v1/syncs`` and ``/api/v1/runs``: syncs managed by REST, their runs triggered, watched,
cancelled and paged through, in the same envelope and error style as the rest of ``/api/v1``.

A definition is checked against the destination's fields before it is stored (a 422 names the
field at fault); a run is queued and answered 202 at once: poll ``/runs/{run_id}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cardfile.api.rest.deps import Caller, CurrentCaller
from cardfile.api.rest.models import Envelope, ErrorBody
from cardfile.store import runs, syncs
from cardfile.store.db import transaction
from cardfile.store.errors import Conflict, NotFound
from cardfile.store.runs import StoredRun
from cardfile.store.syncs import StoredSync
from cardfile.sync import definitions
from cardfile.sync.spec import SpecError

router = APIRouter(tags=["syncs"])


class Match(BaseModel):
    """Which hub field meets which vendor field."""

    hub: str = Field(min_length=1, examples=["domain"])
    vendor: str = Field(min_length=1, examples=["domain"])


class MappingBody(BaseModel):
    """One vendor field and where its value comes from (exactly one of field, attribute,
    constant)."""

    to: str = Field(min_length=1, examples=["name"])
    field: str | None = Field(default=None, examples=["name"])
    attribute: str | None = None
    constant: Any = None
    skip_nulls: bool = False
    only_if_empty: bool = False


class ConditionBody(BaseModel):
    """One filter condition (on a hub field or an attribute)."""

    field: str | None = None
    attribute: str | None = None
    op: Literal["eq", "ne", "in", "exists", "missing"] = "eq"
    value: Any = None


class SyncBody(BaseModel):
    """A sync's definition, as ``cardfile syncs apply`` reads it from YAML."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$", examples=["companies to hubspot"]
    )
    source: Literal["companies", "people"]
    connection: str = Field(min_length=1, examples=["hubspot"], description="The connection's name")
    entity: str = Field(min_length=1, examples=["companies"])
    mode: Literal["upsert", "update", "create", "mirror"] = Field(
        default="upsert",
        description="upsert: update what matches, create the rest; update: only what the "
        "vendor has; create: only what it lacks; mirror: upsert, and remove what left the "
        "source (update, create and mirror need a connector that finds and removes)",
    )
    match: Match
    mappings: list[MappingBody] = Field(min_length=1)
    filter: list[ConditionBody] = Field(default_factory=list)
    schedule: str = Field(default="manual", examples=["manual", "every 15 minutes", "0 * * * *"])
    enabled: bool = True

    def definition(self) -> dict[str, Any]:
        """The definition as the checker reads it (a constant only where one was given)."""
        data = self.model_dump(exclude_unset=False)
        data["mappings"] = [_source(m) for m in self.mappings]
        data["filter"] = [_source(c) for c in self.filter]
        return data


def _source(model: MappingBody | ConditionBody) -> dict[str, Any]:
    data = model.model_dump(exclude_none=True)
    if isinstance(model, MappingBody) and "constant" in model.model_fields_set:
        data["constant"] = model.constant
    if isinstance(model, ConditionBody) and "value" in model.model_fields_set:
        data["value"] = model.value
    return data


class RunCounts(BaseModel):
    """What a run did so far."""

    planned: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    waiting: int = 0
    filtered: int = 0
    skipped: int = 0
    removed: int = 0
    requests: int = 0
    rate_limited: int = 0
    retried: int = 0
    seconds: float = 0.0


class RunOut(BaseModel):
    """A run."""

    run_id: str
    sync: str
    status: str = Field(
        examples=["queued", "running", "succeeded", "partially_failed", "failed", "cancelled"]
    )
    full: bool
    dry_run: bool
    trigger: str
    cancel_requested: bool
    counts: RunCounts
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SyncOut(SyncBody):
    """A stored sync and its latest run."""

    sync_id: int
    provider: str
    created_at: datetime
    updated_at: datetime
    last_run: RunOut | None


class RunRequest(BaseModel):
    """How to run."""

    full: bool = Field(default=False, description="Send every record, changed or not")
    dry_run: bool = Field(default=False, description="Plan only: send nothing")


class ResultOut(BaseModel):
    """What a run did with one record."""

    record_id: int
    outcome: str = Field(examples=["created", "updated", "failed", "would_create", "would_update"])
    vendor_id: str | None
    error: str | None
    attempt: int
    payload: dict[str, Any] | None


class ResultPage(BaseModel):
    """A page of a run's results; pass ``next_after`` as ``after`` for the next."""

    results: list[ResultOut]
    next_after: int | None


class Deleted(BaseModel):
    """A removal's answer."""

    deleted: bool


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such sync or run in this workspace"},
}
REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "The definition names a field at fault"},
}


def _run_out(run: StoredRun, sync_name: str) -> RunOut:
    return RunOut(
        run_id=run.id,
        sync=sync_name,
        status=run.status,
        full=run.full,
        dry_run=run.dry_run,
        trigger=run.trigger,
        cancel_requested=run.cancel_requested,
        counts=RunCounts(**run.counts),
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


def _sync_out(caller: Caller, stored: StoredSync) -> SyncOut:
    with caller.sessions() as session:
        latest = runs.list_for(session, stored.id, limit=1)
    return SyncOut(
        **stored.definition,
        sync_id=stored.id,
        provider=stored.provider,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
        last_run=_run_out(latest[0], stored.name) if latest else None,
    )


async def _save(caller: Caller, body: SyncBody, replacing: str | None) -> tuple[StoredSync, bool]:
    try:
        return await definitions.save(
            caller.sessions,
            caller.vault(),
            caller.workspace_id,
            body.definition(),
            replacing=replacing,
        )
    except SpecError as error:
        raise HTTPException(422, f"{error.field}: {error.message}") from None
    except NotFound as error:
        raise HTTPException(422 if error.field == "connection" else 404, error.message) from None
    except Conflict as error:
        raise HTTPException(409, error.message) from None


def _get(caller: Caller, name: str) -> StoredSync:
    with caller.sessions() as session:
        try:
            return syncs.get(session, caller.workspace_id, name)
        except NotFound as error:
            raise HTTPException(404, error.message) from None


@router.get("/syncs", response_model=Envelope[list[SyncOut]])
async def list_syncs(caller: CurrentCaller) -> Envelope[list[SyncOut]]:
    """The workspace's syncs, each with its latest run."""

    def listed() -> list[SyncOut]:
        with caller.sessions() as session:
            found = syncs.list_for(session, caller.workspace_id)
        return [_sync_out(caller, s) for s in found]

    return Envelope(data=await run_in_threadpool(listed))


@router.post(
    "/syncs",
    response_model=Envelope[SyncOut],
    status_code=201,
    responses={**REFUSED, 409: {"model": ErrorBody, "description": "The name is taken"}},
)
async def create_sync(body: SyncBody, caller: CurrentCaller) -> Envelope[SyncOut]:
    """Create a sync; its mappings are checked against the destination's fields first."""
    exists = await run_in_threadpool(_exists, caller, body.name)
    if exists:
        raise HTTPException(409, f"a sync named '{body.name}' exists; PUT it to change it")
    stored, _ = await _save(caller, body, None)
    return Envelope(data=await run_in_threadpool(_sync_out, caller, stored))


def _exists(caller: Caller, name: str) -> bool:
    with caller.sessions() as session:
        try:
            syncs.get(session, caller.workspace_id, name)
        except NotFound:
            return False
        return True


@router.get("/syncs/{name}", response_model=Envelope[SyncOut], responses=NOT_FOUND)
async def get_sync(name: str, caller: CurrentCaller) -> Envelope[SyncOut]:
    """One sync and its latest run."""
    stored = await run_in_threadpool(_get, caller, name)
    return Envelope(data=await run_in_threadpool(_sync_out, caller, stored))


@router.put(
    "/syncs/{name}",
    response_model=Envelope[SyncOut],
    responses={**NOT_FOUND, **REFUSED, 409: {"model": ErrorBody, "description": "Name taken"}},
)
async def update_sync(name: str, body: SyncBody, caller: CurrentCaller) -> Envelope[SyncOut]:
    """Replace a sync's definition (it may be renamed); checked as a new one is."""
    await run_in_threadpool(_get, caller, name)
    stored, _ = await _save(caller, body, name)
    return Envelope(data=await run_in_threadpool(_sync_out, caller, stored))


@router.delete("/syncs/{name}", response_model=Envelope[Deleted], responses=NOT_FOUND)
async def delete_sync(name: str, caller: CurrentCaller) -> Envelope[Deleted]:
    """Delete a sync with its runs and per-record state (the vendor's records stay)."""

    def remove() -> None:
        with transaction(caller.sessions) as session:
            try:
                syncs.delete(session, caller.workspace_id, name)
            except NotFound as error:
                raise HTTPException(404, error.message) from None

    await run_in_threadpool(remove)
    return Envelope(data=Deleted(deleted=True))


@router.post(
    "/syncs/{name}/runs",
    response_model=Envelope[RunOut],
    status_code=202,
    responses=NOT_FOUND,
)
async def start_run(
    name: str, caller: CurrentCaller, body: RunRequest | None = None
) -> JSONResponse:
    """Queue a run (or answer with the one already queued or running: one at a time)."""
    asked = body or RunRequest()

    def start() -> tuple[StoredRun, bool]:
        with transaction(caller.sessions) as session:
            try:
                sync = syncs.get(session, caller.workspace_id, name)
            except NotFound as error:
                raise HTTPException(404, error.message) from None
            return runs.start(session, sync, full=asked.full, dry_run=asked.dry_run, trigger="api")

    run, created = await run_in_threadpool(start)
    if created:
        caller.jobs.sync_run(run.id)
    out = Envelope(data=_run_out(run, name)).model_dump(mode="json")
    return JSONResponse(out, status_code=202, headers={"Location": f"/api/v1/runs/{run.id}"})


@router.get("/syncs/{name}/runs", response_model=Envelope[list[RunOut]], responses=NOT_FOUND)
async def list_runs(
    name: str, caller: CurrentCaller, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> Envelope[list[RunOut]]:
    """The sync's latest runs, newest first."""
    stored = await run_in_threadpool(_get, caller, name)

    def listed() -> list[StoredRun]:
        with caller.sessions() as session:
            return runs.list_for(session, stored.id, limit=limit)

    return Envelope(data=[_run_out(r, name) for r in await run_in_threadpool(listed)])


def _run(caller: Caller, run_id: str) -> RunOut:
    with caller.sessions() as session:
        try:
            run = runs.get(session, caller.workspace_id, run_id)
        except NotFound as error:
            raise HTTPException(404, error.message) from None
        return _run_out(run, syncs.by_id(session, run.sync_id).name)


@router.get("/runs/{run_id}", response_model=Envelope[RunOut], responses=NOT_FOUND)
async def get_run(run_id: str, caller: CurrentCaller) -> Envelope[RunOut]:
    """A run: its status and counts (requests made, 429s met, duration)."""
    return Envelope(data=await run_in_threadpool(_run, caller, run_id))


@router.post("/runs/{run_id}/cancel", response_model=Envelope[RunOut], responses=NOT_FOUND)
async def cancel_run(run_id: str, caller: CurrentCaller) -> Envelope[RunOut]:
    """Ask the run to stop after the batch in flight."""

    def cancel() -> None:
        with transaction(caller.sessions) as session:
            try:
                runs.request_cancel(session, caller.workspace_id, run_id)
            except NotFound as error:
                raise HTTPException(404, error.message) from None

    await run_in_threadpool(cancel)
    return Envelope(data=await run_in_threadpool(_run, caller, run_id))


@router.get("/runs/{run_id}/results", response_model=Envelope[ResultPage], responses=NOT_FOUND)
async def run_results(
    run_id: str,
    caller: CurrentCaller,
    status: Annotated[
        Literal[
            "created", "updated", "failed", "skipped", "removed", "would_create", "would_update"
        ]
        | None,
        Query(),
    ] = None,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Envelope[ResultPage]:
    """A page of what the run did per record, by record id; ``status=failed`` for the
    refusals with the vendor's words."""

    def page() -> list[runs.Result]:
        with caller.sessions() as session:
            try:
                return runs.results(
                    session, caller.workspace_id, run_id, outcome=status, after=after, limit=limit
                )
            except NotFound as error:
                raise HTTPException(404, error.message) from None

    found = await run_in_threadpool(page)
    return Envelope(
        data=ResultPage(
            results=[
                ResultOut(
                    record_id=r.record_id,
                    outcome=r.outcome,
                    vendor_id=r.vendor_id,
                    error=r.error,
                    attempt=r.attempt,
                    payload=r.payload,
                )
                for r in found
            ],
            next_after=found[-1].record_id if len(found) == limit else None,
        )
    )
