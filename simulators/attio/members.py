"""The simulated workspace's members: actor-reference values name them by id or email."""

from __future__ import annotations

from dataclasses import dataclass

from simulators.attio.schema import stable_id


@dataclass(frozen=True)
class Member:
    """A workspace member."""

    id: str
    email: str
    first_name: str
    last_name: str


MEMBERS = (
    Member(stable_id("member", "owner"), "owner@cardfile.example", "Olive", "Owner"),
    Member(stable_id("member", "sales"), "sales@cardfile.example", "Sam", "Seller"),
)
OWNER = MEMBERS[0]
API_TOKEN_ACTOR = stable_id("actor", "api-token")


def member(*, email: str | None = None, member_id: str | None = None) -> Member | None:
    """The member with this email (ignoring case) or id."""
    for candidate in MEMBERS:
        if member_id is not None and candidate.id == member_id:
            return candidate
        if email is not None and candidate.email.casefold() == email.strip().casefold():
            return candidate
    return None
