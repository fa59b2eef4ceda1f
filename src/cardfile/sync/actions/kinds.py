"""The kinds of destination action, and what each asks of the vendor for one event.

Attio's three (seed 002, and Segment's open-source Attio destination):

* ``identify_user``: assert a Person by email, then a User by ``user_id`` whose ``person`` is
  that person and whose ``primary_email_address`` is the email.
* ``group_workspace``: assert a Company by domain, then a Workspace by ``workspace_id`` whose
  ``company`` is that company, then add the event's user to the workspace's ``users``.
* ``assert_record``: any object, by a matching attribute, with mapped attributes (any vendor).

For every CRM with people and companies (HubSpot, Salesforce, Pipedrive, Zoho CRM, SugarCRM):

* ``upsert_contact``: upsert a contact by its match key (email by default).
* ``upsert_company``: upsert a company by its match key (domain, website or name), then link
  the event's user's contact to it.

An action runs against a :class:`Context`, which converts values to the vendor's types,
batches the calls of many events together and remembers the vendor ids of users.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cardfile.connectors.base import Capabilities, Link
from cardfile.sync.actions.paths import ABSENT, read
from cardfile.sync.spec import SpecError

USER = "user"  # the kind of identity a userId names
DOMAIN_SOURCES = ["traits.website", "traits.domain", "website"]
NAME_SOURCES = ["traits.name", "name"]
GROUP = "group"


class Refusal(Exception):
    """The event cannot be delivered by this action as it stands (a missing value, an
    attribute the vendor does not have, a value its type refuses): fix, then replay."""


class Retry(Exception):
    """A passing failure (the vendor down, a rate limit outlasting the retries)."""


class Wait(Exception):
    """The event names a user the vendor does not know yet: wait for the user's identify."""


class Context(Protocol):
    """What an action may ask of the destination (see ``delivery.Deliverer``)."""

    capabilities: Capabilities

    async def write(self, entity: str, match_key: str, values: Mapping[str, Any]) -> str:
        """Upsert a record (values in the vendor's attribute names, not yet converted to
        its types); the vendor's id of it."""
        ...

    async def user(self, user_id: str, find: tuple[str, str] | None = None) -> str:
        """The vendor's id of the user ``user_id`` as this destination learned it (or, with
        ``find`` = (entity, match key), as the vendor finds it).

        Raises:
            Wait: Neither knows the user.
        """
        ...

    async def link(self, link: Link) -> None:
        """Make a link (a contact to its company, a workspace to a user)."""
        ...

    def learned(self, kind: str, key: str, vendor_id: str) -> None:
        """Remember the vendor's id of a user or group, for later events."""
        ...


Run = Callable[[Context, Mapping[str, Any], Mapping[str, Any]], Awaitable[dict[str, str]]]


@dataclass(frozen=True)
class Kind:
    """One kind of action.

    Attributes:
        name: What definitions call it.
        event: The event type its trigger takes by default.
        fields: Its single values and their default sources (None: none by default).
        maps: Its attribute maps (vendor attribute ← source).
        options: Its other settings and their defaults.
        required_options: The options a definition must give.
        providers: The vendors it is for (empty: any that has what ``needs`` says).
        needs: The capabilities it needs: "people", "companies".
        run: Carries it out for one event; what it wrote, by entity.
    """

    name: str
    event: str
    run: Run
    fields: Mapping[str, Any] = field(default_factory=dict)
    maps: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    required_options: frozenset[str] = frozenset()
    providers: frozenset[str] = frozenset()
    needs: tuple[str, ...] = ()

    def check(self, settings: Mapping[str, Any], where: str) -> None:
        """Refuse settings that contradict each other."""
        if self.name == "assert_record":
            attributes = settings["attributes"]
            key = settings["matching_attribute"]
            if key not in attributes:
                raise SpecError(
                    f"the matching attribute {key!r} needs a value among the attributes",
                    f"{where}.attributes",
                )

    def unfit(
        self, provider: str, capabilities: Capabilities, settings: Mapping[str, Any]
    ) -> str | None:
        """Why this kind cannot run against ``provider`` (None: it can)."""
        if self.providers and provider not in self.providers:
            return f"{self.name} is for {', '.join(sorted(self.providers))}, not {provider}"
        for need in self.needs:
            if getattr(capabilities, need) is None:
                return f"{provider} has no {need} object for {self.name}"
        if self.name == "upsert_company" and settings.get("link_user"):
            people, companies = capabilities.people, capabilities.companies
            if people is None or companies not in capabilities.links.get(people, ()):
                return f"{provider} cannot link a contact to a company; set link_user: false"
        entity = settings.get("object")
        if entity is not None and entity not in capabilities.entities:
            return (
                f"{provider} has no object {entity!r} (its objects: "
                + ", ".join(sorted(capabilities.entities))
                + ")"
            )
        return None


def _value(event: Mapping[str, Any], settings: Mapping[str, Any], name: str, what: str) -> Any:
    source = settings.get(name)
    value = ABSENT if source is None else read(event, source)
    if value is ABSENT or value in (None, ""):
        raise Refusal(f"no {what}: the event has nothing at {source!r} ({name})")
    return value


def _optional(event: Mapping[str, Any], settings: Mapping[str, Any], name: str) -> Any:
    source = settings.get(name)
    value = ABSENT if source is None else read(event, source)
    return None if value is ABSENT or value in (None, "") else value


def _mapped(event: Mapping[str, Any], sources: Mapping[str, Any]) -> dict[str, Any]:
    """The mapped values present in the event (a path leading nowhere sends nothing; one
    leading to null unsets the vendor's value)."""
    found = {slug: read(event, source) for slug, source in sources.items()}
    return {slug: value for slug, value in found.items() if value is not ABSENT}


async def identify_user(
    ctx: Context, settings: Mapping[str, Any], event: Mapping[str, Any]
) -> dict[str, str]:
    """Attio's Identify User: a Person by email, a User by id, the user's person linked."""
    email = _value(event, settings, "email", "email")
    user_id = str(_value(event, settings, "user_id", "user id"))
    person = await ctx.write(
        "people",
        "email_addresses",
        {**_mapped(event, settings["person_attributes"]), "email_addresses": email},
    )
    user = await ctx.write(
        "users",
        "user_id",
        {
            **_mapped(event, settings["user_attributes"]),
            "user_id": user_id,
            "primary_email_address": email,
            "person": email,  # a record reference by email, Attio's simple form
        },
    )
    ctx.learned(USER, user_id, user)
    return {"people": person, "users": user}


async def group_workspace(
    ctx: Context, settings: Mapping[str, Any], event: Mapping[str, Any]
) -> dict[str, str]:
    """Attio's Group Workspace: a Company by domain, a Workspace by id linked to it, and the
    event's user added to the workspace's users."""
    domain = _value(event, settings, "domain", "domain")
    workspace_id = str(_value(event, settings, "workspace_id", "workspace id"))
    company = await ctx.write(
        "companies",
        "domains",
        {**_mapped(event, settings["company_attributes"]), "domains": domain},
    )
    workspace = await ctx.write(
        "workspaces",
        "workspace_id",
        {
            **_mapped(event, settings["workspace_attributes"]),
            "workspace_id": workspace_id,
            "company": domain,  # a record reference by domain, Attio's simple form
        },
    )
    ctx.learned(GROUP, workspace_id, workspace)
    written = {"companies": company, "workspaces": workspace}
    user_id = _optional(event, settings, "user_id")
    if user_id is not None:
        user = await ctx.user(str(user_id), find=("users", "user_id"))
        await ctx.link(Link("workspaces", workspace, "users", user))
        written["users"] = user
    return written


async def assert_record(
    ctx: Context, settings: Mapping[str, Any], event: Mapping[str, Any]
) -> dict[str, str]:
    """Any object, created or updated by a matching attribute."""
    values = _mapped(event, settings["attributes"])
    key = settings["matching_attribute"]
    if values.get(key) in (None, ""):
        source = settings["attributes"][key]
        raise Refusal(f"no value to match on: the event has nothing at {source!r} ({key})")
    entity = settings["object"]
    return {entity: await ctx.write(entity, key, values)}


def _match_key(ctx: Context, entity: str, settings: Mapping[str, Any]) -> str:
    key = settings.get("match_key")
    return str(key) if key else ctx.capabilities.match_keys[entity][0]


async def upsert_contact(
    ctx: Context, settings: Mapping[str, Any], event: Mapping[str, Any]
) -> dict[str, str]:
    """A contact upserted by its match key; remembered as the event's user."""
    entity = ctx.capabilities.people
    assert entity is not None  # checked when the destination was saved
    key = _match_key(ctx, entity, settings)
    match = _value(event, settings, "match", key)
    contact = await ctx.write(entity, key, {**_mapped(event, settings["attributes"]), key: match})
    user_id = event.get("userId")
    if user_id not in (None, ""):
        ctx.learned(USER, str(user_id), contact)
    return {entity: contact}


async def upsert_company(
    ctx: Context, settings: Mapping[str, Any], event: Mapping[str, Any]
) -> dict[str, str]:
    """A company upserted by its match key, then the event's user's contact linked to it."""
    people, entity = ctx.capabilities.people, ctx.capabilities.companies
    assert entity is not None  # checked when the destination was saved
    key = _match_key(ctx, entity, settings)
    if settings.get("match") is None:  # by the key: a domain or website, else the name
        by_domain = any(word in key.lower() for word in ("domain", "website"))
        settings = {**settings, "match": DOMAIN_SOURCES if by_domain else NAME_SOURCES}
    match = _value(event, settings, "match", key)
    company = await ctx.write(entity, key, {**_mapped(event, settings["attributes"]), key: match})
    group_id = event.get("groupId")
    if group_id not in (None, ""):
        ctx.learned(GROUP, str(group_id), company)
    written = {entity: company}
    user_id = event.get("userId")
    if settings.get("link_user") and people is not None and user_id not in (None, ""):
        contact = await ctx.user(str(user_id))
        await ctx.link(Link(people, contact, entity, company))
        written[people] = contact
    return written


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "identify_user",
            "identify",
            identify_user,
            fields={"email": ["traits.email", "email"], "user_id": "userId"},
            maps=("person_attributes", "user_attributes"),
            providers=frozenset({"attio"}),
        ),
        Kind(
            "group_workspace",
            "group",
            group_workspace,
            fields={
                "domain": ["traits.website", "website", "traits.domain"],
                "workspace_id": ["groupId", "context.group_id"],
                "user_id": "userId",
            },
            maps=("company_attributes", "workspace_attributes"),
            providers=frozenset({"attio"}),
        ),
        Kind(
            "assert_record",
            "identify",
            assert_record,
            maps=("attributes",),
            options={"object": None, "matching_attribute": None},
            required_options=frozenset({"object", "matching_attribute"}),
        ),
        Kind(
            "upsert_contact",
            "identify",
            upsert_contact,
            fields={"match": ["traits.email", "email", "context.traits.email"]},
            maps=("attributes",),
            options={"match_key": None},
            needs=("people",),
        ),
        Kind(
            "upsert_company",
            "group",
            upsert_company,
            fields={"match": None},  # chosen by the match key: see upsert_company
            maps=("attributes",),
            options={"match_key": None, "link_user": True},
            needs=("companies",),
        ),
    )
}


def attributes_written(
    kind: str, settings: Mapping[str, Any], capabilities: Capabilities
) -> dict[str, set[str]]:
    """The vendor attributes an action of ``kind`` writes, by entity (to check a definition
    against the vendor's fields before anything runs)."""
    if kind == "identify_user":
        return {
            "people": {"email_addresses", *settings["person_attributes"]},
            "users": {"user_id", "primary_email_address", "person", *settings["user_attributes"]},
        }
    if kind == "group_workspace":
        return {
            "companies": {"domains", *settings["company_attributes"]},
            "workspaces": {"workspace_id", "company", *settings["workspace_attributes"]},
        }
    if kind == "assert_record":
        return {settings["object"]: set(settings["attributes"])}
    entity = capabilities.people if kind == "upsert_contact" else capabilities.companies
    if entity is None:
        return {}
    key = settings.get("match_key") or capabilities.match_keys[entity][0]
    return {entity: {key, *settings["attributes"]}}
