"""Cycle's pagination input (misspelt type names kept for clients that introspect) and the
Relay-style connection output."""

from __future__ import annotations

from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry

from cardfile import ids
from cardfile.api.graphql.errors import BAD_USER_INPUT, error
from cardfile.store.pages import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Direction, Page, PageRequest

N = TypeVar("N")


@strawberry.enum(name="PagintationWhereDirectionInput")
class PaginationDirection(Enum):
    """Which side of the cursor to read."""

    BEFORE = "BEFORE"
    AFTER = "AFTER"


@strawberry.input(name="PagintationWhereInput")
class PaginationWhere:
    """A cursor (the id of an item; empty for "from the edge") and a direction."""

    cursor: str
    direction: PaginationDirection


@strawberry.input(name="PaginationInput")
class Pagination:
    """Page size (default 50, at most 1000) and where to start."""

    size: int | None = None
    where: PaginationWhere | None = None


@strawberry.type
class PageInfo:
    """Whether more items lie on either side, and the cursors at the page's ends."""

    hasPreviousPage: bool
    hasNextPage: bool
    startCursor: str | None
    endCursor: str | None


@strawberry.type
class Edge(Generic[N]):
    """One item of a page."""

    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    """A page of items."""

    edges: list[Edge[N]]
    pageInfo: PageInfo


def page_request(pagination: Pagination | None, *type_names: str) -> PageRequest:
    """The store's page request for a Cycle pagination input whose cursors are ``type_names``
    ids."""
    if pagination is None:
        return PageRequest()
    size = DEFAULT_PAGE_SIZE if pagination.size is None else pagination.size
    if size < 0 or size > MAX_PAGE_SIZE:
        raise error(f"pagination size must be between 0 and {MAX_PAGE_SIZE}", BAD_USER_INPUT)
    where = pagination.where
    if where is None:
        return PageRequest(size=size)
    cursor = None
    if where.cursor:
        try:
            cursor = ids.decode(where.cursor, *type_names)
        except ids.InvalidId as exc:
            raise error(f"invalid cursor: {exc}", BAD_USER_INPUT) from None
    return PageRequest(size=size, cursor=cursor, direction=Direction(where.direction.value))


def connection(page: Page[Any], nodes: list[N], cursors: list[str] | None = None) -> Connection[N]:
    """The connection of a store page: its items as ``nodes``, each with its cursor (by
    default the node's own id)."""
    if cursors is None:
        cursors = [str(getattr(node, "id")) for node in nodes]  # noqa: B009 - N is unbound
    edges = [Edge(cursor=c, node=n) for n, c in zip(nodes, cursors, strict=True)]
    return Connection(
        edges=edges,
        pageInfo=PageInfo(
            hasPreviousPage=page.has_previous,
            hasNextPage=page.has_next,
            startCursor=cursors[0] if cursors else None,
            endCursor=cursors[-1] if cursors else None,
        ),
    )
