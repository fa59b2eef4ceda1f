"""The connector contract: what every vendor offers Cardfile, and the values it speaks in.

A connector is built from a :class:`Connection` (credentials, base URL, settings) and offers
a handful of async calls — :meth:`Connector.check`, :meth:`~Connector.fields`,
:meth:`~Connector.upsert`, :meth:`~Connector.update_list`, :meth:`~Connector.read_changes` —
plus its :class:`Capabilities`, a frozen value the sync engine reads instead of asking which
vendor it talks to. Records travel in the vendor's own field names (``{"domain": "acme.com"}``
for HubSpot, ``{"domains": ["acme.com"]}`` for Attio); results come back per record, in input
order, with the vendor's own words when it refused one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any, ClassVar, Self

from cardfile.connectors.errors import VendorError
from cardfile.types import AttributeType, Option

Record = Mapping[str, Any]
"""One record in the vendor's field names and value shapes."""


class UpsertMode(StrEnum):
    """How a vendor turns "make this record exist" into calls."""

    BY_KEY = "by_key"  # one call creates or updates by a unique key (HubSpot, Attio)
    SEARCH_THEN_WRITE = "search_then_write"  # find by key, then create or update


@dataclass(frozen=True)
class RateLimit:
    """A vendor's published request budget: ``requests`` per ``seconds``."""

    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        """The budget as a steady rate."""
        return self.requests / self.seconds


@dataclass(frozen=True)
class Capabilities:
    """What a vendor can do and how fast, as data the engine reads.

    Attributes:
        batch_size: Records per write request (1 where the vendor has no batch call).
        writes: The budget for write requests.
        reads: The budget for read requests (often looser than for writes).
        upsert: Whether the vendor upserts by key in one call or needs a search first.
        entities: The objects this connector reads and writes ("companies", "contacts", …).
        match_keys: Per entity, the fields an upsert may match on, the default first.
        lists: Whether list memberships can be added and removed.
        reads_changes: Whether ``read_changes`` is implemented.
        finds: Whether ``find`` is implemented (update-only and create-only syncs need it).
        removes: Whether ``remove`` is implemented (mirror syncs need it).
        record_id_key: The match key that names the vendor's own record id (HubSpot's
            ``hs_object_id``), so a record whose id is known is updated by it, in batches
            and without a search; None when the connector has no such key.
        people: The entity that holds people (contacts), None when the vendor has none.
        companies: The entity that holds companies (accounts, organizations).
        links: Per entity, the entities its records can be linked to by :meth:`Connector.link`
            (a contact to its company, an Attio workspace to its users).
    """

    batch_size: int
    writes: RateLimit
    reads: RateLimit
    upsert: UpsertMode
    entities: frozenset[str]
    match_keys: Mapping[str, tuple[str, ...]]
    lists: bool = True
    reads_changes: bool = False
    record_id_key: str | None = None
    finds: bool = False
    removes: bool = False
    people: str | None = None
    companies: str | None = None
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class OAuthTokens:
    """An OAuth2 grant: the access token, the refresh token and when the access token ends."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None  # seconds since the epoch


@dataclass(frozen=True)
class OAuthClient:
    """The OAuth2 client a connection refreshes its tokens with."""

    client_id: str
    client_secret: str
    token_url: str | None = None  # the vendor's token endpoint, under the base URL by default


@dataclass(frozen=True)
class OAuthApp:
    """Where a vendor's OAuth2 authorization-code flow starts, and what Cardfile asks for.

    Attributes:
        authorize_url: The vendor's consent page the user is sent to.
        scopes: The scopes requested, joined as the vendor wants them (OAuth2 says spaces;
            Zoho takes commas).
        auth_method: How the client authenticates at the token endpoint.
        authorize_params: More query parameters of the consent link (Zoho issues a refresh
            token only with ``access_type=offline``).
    """

    authorize_url: str
    scopes: str
    auth_method: str = "client_secret_post"
    authorize_params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Connection:
    """Everything a connector is constructed from.

    Attributes:
        provider: The registry name ("hubspot", "attio", …).
        token: A static API token (private-app token, workspace API key), or None with OAuth.
        oauth: OAuth2 tokens, when the connection was made by the authorization-code flow.
        oauth_client: The client to refresh ``oauth`` with.
        base_url: The vendor's API root; None means the vendor's public one.
        settings: Vendor-specific settings (a rate limit of a lower tier, an object name, …).
        on_tokens: Called with new tokens after a refresh, so the caller can store them.
    """

    provider: str
    token: str | None = None
    oauth: OAuthTokens | None = None
    oauth_client: OAuthClient | None = None
    base_url: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    on_tokens: Callable[[OAuthTokens], None] | None = field(default=None, compare=False)

    def secrets(self) -> list[str]:
        """Every secret this connection holds, for redaction."""
        found = [self.token]
        if self.oauth is not None:
            found += [self.oauth.access_token, self.oauth.refresh_token]
        if self.oauth_client is not None:
            found.append(self.oauth_client.client_secret)
        return [secret for secret in found if secret]

    def __repr__(self) -> str:
        return f"Connection(provider={self.provider!r}, base_url={self.base_url!r})"


@dataclass(frozen=True)
class Health:
    """The answer of a cheap real call: healthy or not, with the vendor's words."""

    healthy: bool
    message: str
    account: str | None = None  # the vendor's account, portal or workspace, when it says


@dataclass(frozen=True)
class Field:
    """One of a vendor's standard or custom fields, mapped into Cardfile's type system.

    Attributes:
        name: The name the vendor's API uses (HubSpot property name, Attio slug).
        label: The name people see.
        type: The Cardfile attribute type values of this field parse as; None when the
            vendor's type has no counterpart (the field is then read-only to Cardfile).
        vendor_type: The vendor's own type name.
        required: The vendor refuses a new record without it.
        unique: No two records may share a value: it can serve as a match key.
        multiple: The field holds several values.
        read_only: The vendor computes it; writes are refused or ignored.
        options: The choices of a select, status or multi-select field.
    """

    name: str
    label: str
    type: AttributeType | None
    vendor_type: str
    required: bool = False
    unique: bool = False
    multiple: bool = False
    read_only: bool = False
    options: tuple[Option, ...] = ()


class Outcome(StrEnum):
    """What a write did to one record."""

    CREATED = "created"
    UPDATED = "updated"
    REMOVED = "removed"
    FAILED = "failed"


@dataclass(frozen=True)
class RecordResult:
    """One record's result, in the order the records were given."""

    outcome: Outcome
    vendor_id: str | None = None
    error: VendorError | None = None

    @classmethod
    def failed(cls, error: VendorError) -> RecordResult:
        """A refused record."""
        return cls(Outcome.FAILED, None, error)


@dataclass(frozen=True)
class Link:
    """Record ``vendor_id`` of ``entity`` linked to record ``target_id`` of ``target_entity``,
    both by the vendor's own ids: a contact to its company, an Attio workspace to a user."""

    entity: str
    vendor_id: str
    target_entity: str
    target_id: str


@dataclass(frozen=True)
class ListResult:
    """One record id's result of a list membership change."""

    record_id: str
    added: bool  # True for an add, False for a removal
    ok: bool
    error: VendorError | None = None


@dataclass(frozen=True)
class Identity:
    """What identifies a vendor record in the hub: a person's email and name, a company's
    name and domain (whichever the record carries)."""

    email: str | None = None
    name: str | None = None
    domain: str | None = None


def link_rounds(
    links: Sequence[Link], sendable: Sequence[int], same: Callable[[str], str] = str.strip
) -> list[list[int]]:
    """The positions of ``sendable`` links in rounds that each name a record once, so that a
    record linked twice in one call is written twice, in the order given, and the later link
    wins (one request cannot write the same record twice). ``same`` reads from a record id
    what identifies the record (Salesforce's 15- and 18-character ids are one)."""
    found: list[list[int]] = []
    seen: dict[str, int] = {}
    for index in sendable:
        record = same(links[index].vendor_id)
        count = seen.get(record, 0)
        seen[record] = count + 1
        if count == len(found):
            found.append([])
        found[count].append(index)
    return found


def first_text(value: Any, *keys: str) -> str | None:
    """The first non-empty text in a vendor value: the value itself, the first of a list, or
    the first of ``keys`` found in a dict (vendors wrap values in lists and objects)."""
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "")), None)
    if isinstance(value, dict):
        value = next((value[k] for k in keys if value.get(k) not in (None, "")), None)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class ChangePage:
    """Records changed since a cursor, and the cursor to ask from next time."""

    records: list[tuple[str, Record]]  # (vendor id, fields)
    cursor: str | None
    more: bool


class Connector(ABC):
    """A vendor, as Cardfile uses it. Use as ``async with``, or call :meth:`aclose`.

    Methods raise :class:`~cardfile.connectors.errors.ConnectorError` subclasses for failures
    of the whole call; a refusal of one record is a :class:`RecordResult`, never an exception.
    """

    provider: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    default_base_url: ClassVar[str]
    oauth_app: ClassVar[OAuthApp | None] = None

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @property
    def base_url(self) -> str:
        """The API root in use: the connection's override, or the vendor's own."""
        return (self.connection.base_url or self.default_base_url).rstrip("/")

    @classmethod
    def authorize_url(cls, base_url: str | None) -> str:  # noqa: ARG003 - vendors override
        """The consent page for a connection to ``base_url`` (a vendor whose accounts server
        differs per data centre or sandbox derives it from the API root)."""
        if cls.oauth_app is None:
            raise NotImplementedError(f"{cls.provider} has no OAuth2 flow")
        return cls.oauth_app.authorize_url

    @classmethod
    def base_url_of_grant(cls, grant: Mapping[str, Any]) -> str | None:  # noqa: ARG003
        """The API root a token endpoint's answer names (Salesforce's ``instance_url``, Zoho's
        and Pipedrive's ``api_domain``), or None when the vendor's API root is fixed."""
        return None

    def token_url(self) -> str:
        """The vendor's OAuth2 token endpoint for this connection (its base URL decides
        where a simulator or proxy is concerned)."""
        raise NotImplementedError(f"{self.provider} has no OAuth2 flow")

    @abstractmethod
    async def check(self) -> Health:
        """Make a cheap real call. Never raises for a bad token: says so in ``Health``."""

    @abstractmethod
    async def fields(self, entity: str) -> list[Field]:
        """The entity's standard and custom fields, options included."""

    @abstractmethod
    async def upsert(
        self, entity: str, records: Sequence[Record], match_key: str
    ) -> list[RecordResult]:
        """Create or update each record, matched on ``match_key``; results in input order.

        Takes any number of records: the connector splits them into its batch size, paces
        them to its rate limit and retries what may be retried.
        """

    @abstractmethod
    async def update_list(
        self, list_id: str, add_ids: Sequence[str], remove_ids: Sequence[str]
    ) -> list[ListResult]:
        """Add and remove record ids (the vendor's) to and from a list; results per id."""

    @abstractmethod
    def identity(self, entity: str, record: Record) -> Identity:
        """Read the email, name or domain out of a record in the vendor's field format, so
        that what is pushed to the vendor can be matched in the hub too."""

    async def find(self, entity: str, match_key: str, values: Sequence[str]) -> dict[str, str]:
        """The vendor's id of the (oldest) record holding each of ``values`` in
        ``match_key``, keyed by the value as given; a value no record holds is absent.
        Writes nothing."""
        raise NotImplementedError(f"{self.provider} cannot find records without writing yet")

    async def remove(self, entity: str, vendor_ids: Sequence[str]) -> list[RecordResult]:
        """Archive or delete records by the vendor's id (``removed`` or ``failed`` each, in
        input order); a record already gone counts as removed."""
        raise NotImplementedError(f"{self.provider} cannot remove records yet")

    async def link(self, links: Sequence[Link]) -> list[RecordResult]:
        """Make each link, in input order: ``updated`` with the linked record's id (the
        link's ``vendor_id``), or ``failed`` with the vendor's words (a record or target that
        does not exist is ``not_found``). Where the vendor's field holds many targets (HubSpot
        associations, an Attio workspace's users) the target is added to those already
        there; where it holds one (a contact's account) it replaces it. Linking twice is
        harmless. Pairs must be in ``capabilities.links``."""
        raise NotImplementedError(f"{self.provider} cannot link records yet")

    async def read_changes(self, entity: str, since: str | None) -> ChangePage:
        """Records of ``entity`` changed since the cursor ``since`` (None: from the start)."""
        raise NotImplementedError(f"{self.provider} does not read changes yet")

    @abstractmethod
    async def aclose(self) -> None:
        """Release the connector's HTTP connections."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
