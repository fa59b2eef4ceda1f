"""The store's tables, one metadata for every aggregate.

Ids are integers: they keep indexes small and bulk imports fast. What leaves the process is
the opaque global id built from them (``cardfile.ids``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Integer on SQLite (so the column is the rowid alias), BIGINT on PostgreSQL.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# The company columns that carry an id from another system, as the CSV and GraphQL name them.
# Each is unique within a workspace; together with customId they identify a company.
EXTERNAL_ID_COLUMNS: dict[str, str] = {
    "customId": "custom_id",
    "attioId": "attio_id",
    "zendeskId": "zendesk_id",
    "hubspotId": "hubspot_id",
    "intercomId": "intercom_id",
    "pipedriveId": "pipedrive_id",
    "snowflakeId": "snowflake_id",
    "salesforceId": "salesforce_id",
    "zohoId": "zoho_id",
    "sugarcrmId": "sugarcrm_id",
}


def is_ours(name: str | None, type_: str, _parent: object = None) -> bool:
    """Whether a database object belongs to the store's schema: the job queue keeps its own
    tables (``huey_*``) in the store's PostgreSQL database, and migrations leave them be.
    The signature is Alembic's ``include_name`` hook's."""
    return not (type_ == "table" and (name or "").startswith("huey_"))


def table_of(model: type[Base]) -> Table:
    """A mapped class's Core table, typed as one."""
    return cast(Table, model.__table__)


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp in UTC: SQLite hands timestamps back without their zone (they were
    written in UTC), PostgreSQL in the session's zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    """The tenant: Cycle's "product". Every other row belongs to exactly one."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """A Bearer key scoped to one workspace. Only its SHA-256 is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChangeSequence(Base):
    """The single-row global change counter.

    Writers take numbers from it inside their own transaction. Holding its row lock until
    commit means numbers become visible in the order they were handed out, so a reader of
    "what changed since N" can never miss a row committed late with a smaller number.
    """

    __tablename__ = "change_sequence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Company(Base):
    """A customer company."""

    __tablename__ = "companies"
    __table_args__ = (
        *(
            UniqueConstraint("workspace_id", column, name=f"uq_companies_workspace_{column}")
            for column in EXTERNAL_ID_COLUMNS.values()
        ),
        Index("ix_companies_workspace_name", "workspace_id", "name"),
        Index("ix_companies_workspace_domain", "workspace_id", "domain"),
        Index("ix_companies_workspace_change_seq", "workspace_id", "change_seq"),
        # Keyset pages of one workspace by id (sync runs): without it SQLite answers each
        # page by scanning the workspace, and a million companies take quadratic time.
        Index("ix_companies_workspace_id_id", "workspace_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    domain: Mapped[str | None] = mapped_column(String(255))
    arr: Mapped[float | None] = mapped_column(Float)
    number_of_employees: Mapped[int | None] = mapped_column(Integer)
    custom_id: Mapped[str | None] = mapped_column(String(255))
    attio_id: Mapped[str | None] = mapped_column(String(255))
    zendesk_id: Mapped[str | None] = mapped_column(String(255))
    hubspot_id: Mapped[str | None] = mapped_column(String(255))
    intercom_id: Mapped[str | None] = mapped_column(String(255))
    pipedrive_id: Mapped[str | None] = mapped_column(String(255))
    snowflake_id: Mapped[str | None] = mapped_column(String(255))
    salesforce_id: Mapped[str | None] = mapped_column(String(255))
    zoho_id: Mapped[str | None] = mapped_column(String(255))
    sugarcrm_id: Mapped[str | None] = mapped_column(String(255))
    change_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Person(Base):
    """A person, Cycle's "customer"; belongs to at most one company."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email", name="uq_people_workspace_email"),
        UniqueConstraint(
            "workspace_id", "external_user_id", name="uq_people_workspace_external_user_id"
        ),
        Index("ix_people_company_id", "company_id"),
        Index("ix_people_workspace_change_seq", "workspace_id", "change_seq"),
        Index("ix_people_workspace_id_id", "workspace_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    external_user_id: Mapped[str | None] = mapped_column(String(255))
    change_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Tombstone(Base):
    """A deleted company or person, kept so "what changed since N" also reports removals."""

    __tablename__ = "tombstones"
    __table_args__ = (Index("ix_tombstones_workspace_change_seq", "workspace_id", "change_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(BigInteger)
    # The record's identifiers at deletion (email, external ids), as JSON text, so a later
    # mirror sync can still find the vendor's copy.
    identifiers: Mapped[str] = mapped_column(Text, default="{}")
    change_seq: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AttributeDefinition(Base):
    """A typed attribute ("column") of companies or people in one workspace."""

    __tablename__ = "attribute_definitions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "entity", "name", name="uq_attribute_definitions_name"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    color: Mapped[str | None] = mapped_column(String(40))
    currency_code: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AttributeOption(Base):
    """One choice of a select, multi-select or status attribute."""

    __tablename__ = "attribute_options"
    __table_args__ = (
        UniqueConstraint("definition_id", "title", name="uq_attribute_options_title"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    definition_id: Mapped[int] = mapped_column(
        ForeignKey("attribute_definitions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))


class CompanyValue(Base):
    """A company's value of one attribute, keyed by definition id so a rename loses nothing.

    ``value`` holds the type system's JSON form, serialised, which also makes equality
    filters portable between SQLite and PostgreSQL.
    """

    __tablename__ = "company_values"
    __table_args__ = (
        UniqueConstraint("company_id", "definition_id", name="uq_company_values_key"),
        Index("ix_company_values_definition_id", "definition_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    definition_id: Mapped[int] = mapped_column(
        ForeignKey("attribute_definitions.id", ondelete="CASCADE")
    )
    value: Mapped[str] = mapped_column(Text)


class PersonValue(Base):
    """A person's value of one attribute (same shape as ``CompanyValue``)."""

    __tablename__ = "person_values"
    __table_args__ = (
        UniqueConstraint("person_id", "definition_id", name="uq_person_values_key"),
        Index("ix_person_values_definition_id", "definition_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    definition_id: Mapped[int] = mapped_column(
        ForeignKey("attribute_definitions.id", ondelete="CASCADE")
    )
    value: Mapped[str] = mapped_column(Text)


class Connection(Base):
    """A workspace's connection to a vendor. ``credentials`` is sealed by the vault."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(63))
    provider: Mapped[str] = mapped_column(String(40))
    base_url: Mapped[str | None] = mapped_column(String(500))
    credentials: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="unchecked")
    status_message: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """A piece of background work a caller may poll: a large push to a CRM, so far.

    ``params`` holds what the work needs (records included), so the work survives the process
    that accepted it; ``progress`` what is done, so a resumed job goes on from there.
    """

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Sync(Base):
    """A standing order to keep one vendor object in agreement with hub companies or people.

    ``match`` is ``{"hub": <hub field>, "vendor": <vendor field>}``; ``mappings`` a list of
    ``{"to": <vendor field>, "field" | "attribute" | "constant": …, "skip_nulls": bool,
    "only_if_empty": bool}``; ``filter`` a list of ``{"field" | "attribute": …, "op": …,
    "value": …}`` all of which a record must meet.
    """

    __tablename__ = "syncs"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))
    filter: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    entity: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(20))
    match: Mapped[dict[str, Any]] = mapped_column(JSON)
    mappings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    schedule: Mapped[str] = mapped_column(String(100), default="manual")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SyncRun(Base):
    """One run of a sync. Its lifecycle (queued, running, the worker's heartbeat, retries) is
    the job with the same id; this row holds what the run did."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_sync_id_created_at", "sync_id", "created_at"),)

    id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    sync_id: Mapped[int] = mapped_column(ForeignKey("syncs.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued")
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SyncState(Base):
    """What a sync last achieved for one hub record: the vendor's id and the fingerprint of
    the payload the vendor last accepted, or the failure and when to try again."""

    __tablename__ = "sync_states"

    sync_id: Mapped[int] = mapped_column(
        ForeignKey("syncs.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    vendor_id: Mapped[str | None] = mapped_column(String(255))
    fingerprint: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RunResult(Base):
    """What one run did with one record (records it left alone are only counted)."""

    __tablename__ = "run_results"
    __table_args__ = (Index("ix_run_results_run_id_outcome", "run_id", "outcome"),)

    run_id: Mapped[str] = mapped_column(
        ForeignKey("sync_runs.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20))
    vendor_id: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Source(Base):
    """Where tracking events come from: a website, an app, a backend — each with its own
    write keys. Segment's "source"."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WriteKey(Base):
    """A source's write key, the credential the tracking SDKs send. Only its SHA-256 is kept."""

    __tablename__ = "write_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Event(Base):
    """One tracking event as accepted, whole (``payload``), and what applying it to the hub did.

    ``hub_status`` is ``pending`` until the event is applied to the hub and handed to the
    source's destinations; then ``applied``, ``ignored`` (a type that changes no record) or
    ``failed`` (``hub_detail`` says why).
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("source_id", "message_id", name="uq_events_source_message"),
        Index("ix_events_source_id_id", "source_id", "id"),
        Index("ix_events_workspace_hub_status_id", "workspace_id", "hub_status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(255))
    anonymous_id: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    hub_status: Mapped[str] = mapped_column(String(20), default="pending")
    hub_detail: Mapped[str | None] = mapped_column(Text)


class Destination(Base):
    """A source's events sent on to a vendor connection, by the destination's actions."""

    __tablename__ = "destinations"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # One worker at a time delivers a destination's events (so each user's stay in order);
    # it holds this lease, renewed as it goes, and a dead worker's lease runs out.
    lease_owner: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DestinationAction(Base):
    """What a destination does with the events its trigger selects.

    ``trigger`` is ``{"type": <event type>, "condition": [{"path", "op", "value"}…]}``;
    ``settings`` the action's mapping (``{"attributes": {<vendor slug>: <event path or
    constant>}, …}``), as the action's kind reads it.
    """

    __tablename__ = "destination_actions"
    __table_args__ = (UniqueConstraint("destination_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    destination_id: Mapped[int] = mapped_column(
        ForeignKey("destinations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[dict[str, Any]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Delivery(Base):
    """What one action did, or has still to do, with one event.

    ``chain`` is the event's user (``userId``, else ``anonymousId``): a destination delivers
    one chain's events in order, so an identify reaches the vendor before the group that
    links its user. ``status``: ``pending`` (``retry_at``, when set, says not before),
    ``sent``, ``skipped`` (the trigger did not select the event), ``failed`` (refused for
    good: a mapping or a value the vendor cannot take) or ``dead`` (retries spent).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_destination_status_event", "destination_id", "status", "event_id"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    action_id: Mapped[int] = mapped_column(
        ForeignKey("destination_actions.id", ondelete="CASCADE"), primary_key=True
    )
    destination_id: Mapped[int] = mapped_column(ForeignKey("destinations.id", ondelete="CASCADE"))
    chain: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DestinationIdentity(Base):
    """A vendor's id of a user or group, as a destination's actions learned it, so a later
    event can link to it (a group event names its user by ``userId`` only)."""

    __tablename__ = "destination_identities"

    destination_id: Mapped[int] = mapped_column(
        ForeignKey("destinations.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
