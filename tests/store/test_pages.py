"""Keyset pagination: in the database and over an in-memory list, with the same rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cardfile.store import attributes
from cardfile.store.db import transaction
from cardfile.store.pages import Direction, PageRequest, page_of, paginate
from cardfile.store.schema import AttributeDefinition
from cardfile.types import AttributeType
from tests.conftest import Tenant


@pytest.fixture
def definition_ids(sessions: sessionmaker[Session], tenant: Tenant) -> list[int]:
    with transaction(sessions) as session:
        return [
            attributes.create_definition(
                session,
                workspace_id=tenant.workspace_id,
                entity=attributes.COMPANY,
                name=f"a{i}",
                type=AttributeType.TEXT,
            ).id
            for i in range(7)
        ]


def test_both_ways_agree_on_every_page(
    sessions: sessionmaker[Session], definition_ids: list[int]
) -> None:
    cursors = [None, *definition_ids, definition_ids[-1] + 10]
    with sessions() as session:
        query = select(AttributeDefinition)
        rows = list(session.scalars(query.order_by(AttributeDefinition.id)))
        for size in (0, 1, 3, 7, 10):
            for cursor in cursors:
                for direction in Direction:
                    request = PageRequest(size=size, cursor=cursor, direction=direction)
                    stored = paginate(session, query, AttributeDefinition.id, request)
                    listed = page_of(rows, lambda d: d.id, request)
                    assert [d.id for d in listed.items] == [d.id for d in stored.items], request
                    assert (listed.has_next, listed.has_previous) == (
                        stored.has_next,
                        stored.has_previous,
                    ), request


def test_a_page_after_the_middle(definition_ids: list[int]) -> None:
    page = page_of(definition_ids, lambda i: i, PageRequest(size=2, cursor=definition_ids[2]))
    assert list(page.items) == definition_ids[3:5]
    assert (page.has_next, page.has_previous) == (True, True)
