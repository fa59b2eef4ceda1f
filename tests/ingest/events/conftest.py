"""Helpers for the event tests: store messages as the tracking API would, then apply them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.ingest.events import hub
from cardfile.store import events, sources
from cardfile.store.db import transaction
from cardfile.store.events import NewEvent, Settled
from cardfile.store.schema import (
    AttributeDefinition,
    Company,
    CompanyValue,
    Person,
    PersonValue,
    utcnow,
)
from tests.conftest import Tenant

_numbers = itertools.count(1)


def identify(user_id: str | None = None, **traits: Any) -> dict[str, Any]:
    """An identify message; ``anonymousId`` only when there is no ``user_id``."""
    message: dict[str, Any] = {"type": "identify", "traits": traits}
    if user_id is not None:
        message["userId"] = user_id
    else:
        message["anonymousId"] = "anon-1"
    return message


def group(group_id: str | None, user_id: str | None = None, **traits: Any) -> dict[str, Any]:
    """A group message."""
    message = identify(user_id, **traits)
    message["type"] = "group"
    if group_id is not None:
        message["groupId"] = group_id
    return message


@dataclass
class Feed:
    """One source of one workspace: stores messages as events and applies them to the hub."""

    sessions: sessionmaker[Session]
    workspace_id: int
    source_id: int

    def store(self, messages: Sequence[dict[str, Any]]) -> None:
        """Store ``messages`` as pending events (without applying them)."""
        with transaction(self.sessions) as session:
            events.append(
                session,
                [
                    NewEvent(
                        workspace_id=self.workspace_id,
                        source_id=self.source_id,
                        message_id=f"m-{next(_numbers)}",
                        type=m["type"],
                        user_id=m.get("userId"),
                        anonymous_id=m.get("anonymousId"),
                        payload=m,
                        received_at=utcnow(),
                    )
                    for m in messages
                ],
            )

    def apply_pending(self, *, limit: int = 500) -> list[Settled]:
        """Apply the workspace's pending events in batches of ``limit``, as the worker does."""
        settled: list[Settled] = []
        while True:
            with transaction(self.sessions) as session:
                batch = events.pending(session, self.workspace_id, limit=limit)
                if not batch:
                    return settled
                outcomes = hub.apply(session, self.workspace_id, batch)
                events.settle(session, outcomes)
                settled += outcomes

    def send(self, *messages: dict[str, Any], limit: int = 500) -> list[Settled]:
        """Store ``messages`` and apply them; what each did."""
        self.store(messages)
        return self.apply_pending(limit=limit)


def make_feed(sessions: sessionmaker[Session], workspace_id: int, name: str = "web") -> Feed:
    """A new source of the workspace, as a ``Feed``."""
    with transaction(sessions) as session:
        source = sources.create(session, workspace_id=workspace_id, name=name)
        return Feed(sessions, workspace_id, source.id)


@pytest.fixture
def feed(sessions: sessionmaker[Session], tenant: Tenant) -> Feed:
    """A source of the ``acme-corp`` workspace."""
    return make_feed(sessions, tenant.workspace_id)


def hub_state(sessions: sessionmaker[Session], workspace_id: int) -> dict[str, Any]:
    """The workspace's people and companies, with their values, keyed by what identifies them
    (not by row ids or change numbers), for comparing two ways of reaching one state."""
    with sessions() as session:
        query = select(AttributeDefinition.id, AttributeDefinition.name).where(
            AttributeDefinition.workspace_id == workspace_id
        )
        names: dict[int, str] = dict(session.execute(query).all())
        company_list = session.scalars(
            select(Company).where(Company.workspace_id == workspace_id)
        ).all()
        label = {c.id: (c.custom_id, c.domain, c.name) for c in company_list}
        values: dict[tuple[str, int], dict[str, str]] = {}
        for owner, definition_id, text in session.execute(
            select(PersonValue.person_id, PersonValue.definition_id, PersonValue.value)
        ):
            if definition_id in names:
                values.setdefault(("person", owner), {})[names[definition_id]] = text
        for owner, definition_id, text in session.execute(
            select(CompanyValue.company_id, CompanyValue.definition_id, CompanyValue.value)
        ):
            if definition_id in names:
                values.setdefault(("company", owner), {})[names[definition_id]] = text
        people_list = session.scalars(
            select(Person).where(Person.workspace_id == workspace_id)
        ).all()
        return {
            "companies": sorted(
                (
                    repr(label[c.id]),
                    c.arr,
                    c.number_of_employees,
                    sorted(values.get(("company", c.id), {}).items()),
                )
                for c in company_list
            ),
            "people": sorted(
                (
                    repr((p.email, p.external_user_id, p.name)),
                    repr(label.get(p.company_id) if p.company_id else None),
                    sorted(values.get(("person", p.id), {}).items()),
                )
                for p in people_list
            ),
        }
