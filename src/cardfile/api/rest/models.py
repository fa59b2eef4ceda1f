"""Request and response bodies of the REST dialect, as graph8 documents them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

Payload = TypeVar("Payload")


class Envelope(BaseModel, Generic[Payload]):
    """graph8's success envelope."""

    data: Payload


class ErrorBody(BaseModel):
    """graph8's error body (FastAPI's): a message, or a list of field errors for a 422."""

    detail: str | list[dict[str, Any]]


class CrmSync(BaseModel):
    """One connected CRM."""

    provider: str
    status: str = Field(description="connected, or broken when its last check failed")
    connection_id: str
    last_sync_at: datetime | None
    connected_at: datetime | None


class CrmStatus(BaseModel):
    """A connection's health, from a cheap real call."""

    provider: str
    connected: bool
    connection_id: str
    crm_type: str
    message: str
    last_sync_at: datetime | None


class CrmField(BaseModel):
    """One standard or custom field of the CRM."""

    name: str
    slug: str
    type: str
    required: bool
    label: str
    unique: bool = False
    options: list[dict[str, str]] = Field(default_factory=list)


class CrmFields(BaseModel):
    """The fields of one entity type."""

    fields: list[CrmField]


class PushBody(BaseModel):
    """Records in the CRM's native field format."""

    records: list[dict[str, Any]] = Field(min_length=1)
    provider_fields: dict[str, str] | None = Field(
        default=None, description="Field renames applied to each record before it is sent"
    )


class PushError(BaseModel):
    """One record the CRM refused."""

    record: str
    error: str


class HubResult(BaseModel):
    """What the pushed records did to the hub (an addition to graph8's answer)."""

    created: int
    updated: int
    unchanged: int
    errors: list[PushError]


class PushResult(BaseModel):
    """What a push did."""

    pushed_count: int
    failed_count: int
    errors: list[PushError]
    hub: HubResult


class PushJob(BaseModel):
    """A push too long to wait for: the job that runs it, to poll at ``poll_url``."""

    job_id: str
    status: str = Field(examples=["queued"])
    records: int
    poll_url: str


class JobProgress(BaseModel):
    """How far a job got."""

    done: int
    total: int


class JobState(BaseModel):
    """A job as it stands; ``result`` is the push's answer once it succeeded (and the part
    done so far while it runs)."""

    job_id: str
    kind: str
    status: str = Field(examples=["queued", "running", "succeeded", "failed"])
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    progress: JobProgress
    result: PushResult | None
    error: str | None


class ListChange(BaseModel):
    """Membership changes of one list."""

    list_id: str
    add_contact_ids: list[str] = Field(default_factory=list)
    remove_contact_ids: list[str] = Field(default_factory=list)


class ListsBody(BaseModel):
    """One entry per list."""

    records: list[ListChange] = Field(min_length=1)


class ListError(BaseModel):
    """One membership change the CRM refused."""

    list_id: str
    contact_id: str
    error: str


class ListsResult(BaseModel):
    """What the membership changes did."""

    added: int
    removed: int
    errors: list[ListError]
