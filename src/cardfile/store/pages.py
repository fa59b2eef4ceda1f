"""Keyset pagination over a table's integer id, in both directions.

Cycle's cursors are "the id of the item we start from": a page AFTER a cursor holds the items
that follow it, a page BEFORE a cursor the items that precede it, and an empty cursor starts
from the first item (AFTER) or the last (BEFORE).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50


class Direction(StrEnum):
    """Which side of the cursor a page lies on."""

    AFTER = "AFTER"
    BEFORE = "BEFORE"


@dataclass(frozen=True)
class PageRequest:
    """Size, cursor (a row id, or None for "from the edge") and direction."""

    size: int = DEFAULT_PAGE_SIZE
    cursor: int | None = None
    direction: Direction = Direction.AFTER


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows in ascending id order, with whether more lie on either side."""

    items: Sequence[T]
    has_next: bool
    has_previous: bool


def paginate(
    session: Session,
    query: Select[Any],
    id_column: ColumnElement[int] | InstrumentedAttribute[int],
    request: PageRequest,
) -> Page[Any]:
    """Run ``query`` (which selects one entity or column) for one page of ``request``."""
    size = max(0, min(request.size, MAX_PAGE_SIZE))
    cursor = request.cursor
    if request.direction is Direction.AFTER:
        stmt = query.order_by(id_column.asc())
        if cursor is not None:
            stmt = stmt.where(id_column > cursor)
        rows = list(session.scalars(stmt.limit(size + 1)))
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = cursor is not None and _any(session, query, id_column <= cursor)
        return Page(items=rows, has_next=has_next, has_previous=has_previous)

    stmt = query.order_by(id_column.desc())
    if cursor is not None:
        stmt = stmt.where(id_column < cursor)
    rows = list(session.scalars(stmt.limit(size + 1)))
    has_previous = len(rows) > size
    rows = rows[:size]
    rows.reverse()
    has_next = cursor is not None and _any(session, query, id_column >= cursor)
    return Page(items=rows, has_next=has_next, has_previous=has_previous)


def page_of(items: Sequence[T], id_of: Callable[[T], int], request: PageRequest) -> Page[T]:
    """One page of ``items`` (already in ascending id order), with ``paginate``'s rules, for
    lists a caller holds in memory."""
    size = max(0, min(request.size, MAX_PAGE_SIZE))
    cursor = request.cursor
    if request.direction is Direction.AFTER:
        after = [i for i in items if cursor is None or id_of(i) > cursor]
        has_previous = cursor is not None and any(id_of(i) <= cursor for i in items)
        return Page(items=after[:size], has_next=len(after) > size, has_previous=has_previous)
    before = [i for i in items if cursor is None or id_of(i) < cursor]
    has_next = cursor is not None and any(id_of(i) >= cursor for i in items)
    return Page(
        items=before[max(0, len(before) - size) :] if size else [],
        has_next=has_next,
        has_previous=len(before) > size,
    )


def _any(session: Session, query: Select[Any], condition: ColumnElement[bool]) -> bool:
    return bool(session.scalar(select(exists(query.where(condition).limit(1).subquery()))))
