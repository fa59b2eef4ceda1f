"""Per-request context: the store session, the caller's workspace, units of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from graphql import GraphQLError
from sqlalchemy.orm import Session
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from cardfile import ids
from cardfile.api.graphql.errors import CANT_SEE_PRODUCT, UNAUTHORIZED, error, translate
from cardfile.store import attributes
from cardfile.store.db import begin_write
from cardfile.store.schema import AttributeDefinition, AttributeOption, Workspace


class Context(BaseContext):
    """What every resolver sees: one session, and the workspace its key belongs to."""

    def __init__(
        self,
        session: Session,
        workspace_id: int | None,
        auth_problem: str,
        services: Any = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.services = services  # syncs.Services, where the app serves syncs
        self._workspace_id = workspace_id
        self._auth_problem = auth_problem
        self._options: dict[tuple[int, str], dict[int, list[AttributeOption]]] = {}

    @property
    def workspace_id(self) -> int:
        """The caller's workspace; an UNAUTHORIZED error without a valid key."""
        if self._workspace_id is None:
            raise error(self._auth_problem, UNAUTHORIZED)
        return self._workspace_id

    def workspace(self) -> Workspace:
        """The caller's workspace row."""
        found = self.session.get(Workspace, self.workspace_id)
        if found is None:  # deleted while the key lived on
            raise error("the API key's workspace no longer exists", UNAUTHORIZED)
        return found

    def options_of(self, definition: AttributeDefinition) -> list[AttributeOption]:
        """A definition's options, loaded for all the workspace's definitions at the first
        ask, so a listing of many select attributes costs one query, not one each."""
        key = (definition.workspace_id, definition.entity)
        if key not in self._options:
            self._options[key] = attributes.options_in_workspace(self.session, *key)
        return self._options[key].get(definition.id, [])

    def forget_cached(self) -> None:
        """Drop what was cached for reading: a write may have changed it."""
        self._options.clear()

    def product(self, product_id: str) -> Workspace:
        """The workspace ``product_id`` names, which must be the caller's own."""
        workspace = self.workspace()
        try:
            pk = ids.decode(product_id, "Product")
        except ids.InvalidId:
            pk = None
        if pk != workspace.id:
            raise error("You can't see this product", CANT_SEE_PRODUCT)
        return workspace


Resolved = Info[Context, Any]


@contextmanager
def reading(info: Resolved) -> Iterator[Context]:
    """A read: lower-layer refusals become GraphQL errors with a code."""
    context = info.context
    _ = context.workspace_id
    try:
        yield context
    except GraphQLError:
        raise
    except Exception as exc:
        translated = translate(exc)
        if translated is None:
            raise
        raise translated from exc


@contextmanager
def writing(info: Resolved) -> Iterator[Context]:
    """A write: one transaction, committed when the resolver returns, else rolled back."""
    context = info.context
    _ = context.workspace_id
    session = context.session
    if session.in_transaction():
        session.commit()
    context.forget_cached()
    begin_write(session)
    try:
        yield context
    except Exception as exc:
        session.rollback()
        translated = None if isinstance(exc, GraphQLError) else translate(exc)
        if translated is None:
            raise
        raise translated from exc
    session.commit()
