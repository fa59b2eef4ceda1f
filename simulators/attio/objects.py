"""Attio's standard objects and their standard attributes.

People and companies are always there; users, workspaces and deals exist in every workspace
but must be activated (Settings → Objects) before the API serves them. Every object carries
the system attributes ``record_id``, ``created_at`` and ``created_by``, which nobody writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.attio.schema import Attribute, Choice, ObjectType, stable_id

STANDARD_SLUGS = ("people", "companies", "users", "workspaces", "deals")

_NOUNS = {
    "people": ("Person", "People"),
    "companies": ("Company", "Companies"),
    "users": ("User", "Users"),
    "workspaces": ("Workspace", "Workspaces"),
    "deals": ("Deal", "Deals"),
}

_CATEGORIES = (
    "B2B",
    "B2C",
    "SaaS",
    "Software",
    "E-commerce",
    "Financial Services",
    "Health Care",
    "Marketplace",
    "Education",
    "Media",
)
_EMPLOYEE_RANGES = (
    "1-10",
    "11-50",
    "51-250",
    "251-1K",
    "1K-5K",
    "5K-10K",
    "10K-50K",
    "50K-100K",
    "100K+",
)
_ARR_RANGES = (
    "$0-$1M",
    "$1M-$10M",
    "$10M-$50M",
    "$50M-$100M",
    "$100M-$250M",
    "$250M-$500M",
    "$500M-$1B",
    "$1B-$10B",
    "$10B-$100B",
    "$100B+",
)
_DEAL_STAGES = ("Lead", "In Progress", "Won 🎉", "Lost")


@dataclass(frozen=True)
class _Spec:
    """A standard attribute, compactly: flags ``u`` unique, ``m`` multiselect, ``r`` required,
    ``s`` read-only (Attio computes or enriches it)."""

    slug: str
    title: str
    type: str
    flags: str = ""
    targets: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    currency: str | None = None


_SYSTEM = (
    _Spec("record_id", "Record ID", "text", "us"),
    _Spec("created_at", "Created at", "timestamp", "s"),
    _Spec("created_by", "Created by", "actor-reference", "s"),
)

_SPECS: dict[str, tuple[_Spec, ...]] = {
    "people": (
        _Spec("name", "Name", "personal-name"),
        _Spec("email_addresses", "Email addresses", "email-address", "um"),
        _Spec("description", "Description", "text"),
        _Spec("company", "Company", "record-reference", targets=("companies",)),
        _Spec("job_title", "Job title", "text"),
        _Spec("avatar_url", "Avatar URL", "text", "s"),
        _Spec("phone_numbers", "Phone numbers", "phone-number", "m"),
        _Spec("primary_location", "Primary location", "location"),
        _Spec("linkedin", "LinkedIn", "text"),
        _Spec("twitter", "Twitter", "text"),
        _Spec("facebook", "Facebook", "text"),
        _Spec("instagram", "Instagram", "text"),
        _Spec("angellist", "AngelList", "text"),
        _Spec("first_interaction", "First interaction", "interaction", "s"),
        _Spec("last_interaction", "Last interaction", "interaction", "s"),
        _Spec("strongest_connection_user", "Strongest connection", "actor-reference", "s"),
    ),
    "companies": (
        _Spec("name", "Name", "text"),
        _Spec("domains", "Domains", "domain", "um"),
        _Spec("description", "Description", "text"),
        _Spec("team", "Team", "record-reference", "m", targets=("people",)),
        _Spec("categories", "Categories", "select", "m", choices=_CATEGORIES),
        _Spec("primary_location", "Primary location", "location"),
        _Spec("logo_url", "Logo URL", "text", "s"),
        _Spec("linkedin", "LinkedIn", "text"),
        _Spec("twitter", "Twitter", "text"),
        _Spec("facebook", "Facebook", "text"),
        _Spec("instagram", "Instagram", "text"),
        _Spec("angellist", "AngelList", "text"),
        _Spec("employee_range", "Employee range", "select", choices=_EMPLOYEE_RANGES),
        _Spec("estimated_arr_usd", "Estimated ARR", "select", choices=_ARR_RANGES),
        _Spec("funding_raised_usd", "Funding raised", "currency", currency="USD"),
        _Spec("foundation_date", "Foundation date", "date"),
        _Spec("first_interaction", "First interaction", "interaction", "s"),
        _Spec("last_interaction", "Last interaction", "interaction", "s"),
    ),
    "users": (
        _Spec("user_id", "ID", "text", "u"),
        _Spec("primary_email_address", "Email address", "email-address", "u"),
        _Spec("person", "Person", "record-reference", targets=("people",)),
        _Spec("workspace", "Workspace", "record-reference", "m", targets=("workspaces",)),
    ),
    "workspaces": (
        _Spec("workspace_id", "ID", "text", "u"),
        _Spec("name", "Name", "text"),
        _Spec("company", "Company", "record-reference", targets=("companies",)),
        _Spec("users", "Users", "record-reference", "m", targets=("users",)),
        _Spec("avatar_url", "Avatar URL", "text"),
    ),
    "deals": (
        _Spec("name", "Deal name", "text", "r"),
        _Spec("stage", "Deal stage", "status", "r", choices=_DEAL_STAGES),
        _Spec("owner", "Deal owner", "actor-reference", "r"),
        _Spec("value", "Deal value", "currency", currency="USD"),
        _Spec(
            "associated_people", "Associated people", "record-reference", "m", targets=("people",)
        ),
        _Spec(
            "associated_company", "Associated company", "record-reference", targets=("companies",)
        ),
    ),
}


def _attribute(object_slug: str, spec: _Spec, created_at: float) -> Attribute:
    return Attribute(
        id=stable_id("attribute", object_slug, spec.slug),
        api_slug=spec.slug,
        title=spec.title,
        type=spec.type,
        # Every standard attribute is Attio's own; the ``s`` ones Attio also writes itself.
        is_system=True,
        is_writable="s" not in spec.flags,
        is_required="r" in spec.flags,
        is_unique="u" in spec.flags,
        is_multiselect="m" in spec.flags,
        allowed_objects=spec.targets,
        currency_code=spec.currency,
        choices=[
            Choice(stable_id("choice", object_slug, spec.slug, title), title, is_archived=False)
            for title in spec.choices
        ],
        created_at=created_at,
    )


def standard_object(slug: str, created_at: float) -> ObjectType:
    """One standard object with its standard attributes."""
    singular, plural = _NOUNS[slug]
    obj = ObjectType(
        id=stable_id("object", slug),
        api_slug=slug,
        created_at=created_at,
        singular_noun=singular,
        plural_noun=plural,
    )
    for spec in (*_SPECS[slug], *_SYSTEM):
        obj.add(_attribute(slug, spec, created_at))
    return obj


def standard_objects(created_at: float) -> dict[str, ObjectType]:
    """Every standard object, by slug."""
    return {slug: standard_object(slug, created_at) for slug in STANDARD_SLUGS}
