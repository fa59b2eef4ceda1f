"""The assembled schema, executed off the event loop, and its FastAPI router."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, cast

import anyio.to_thread
import strawberry
from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker
from strawberry.fastapi import GraphQLRouter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult

from cardfile.api.graphql.attributes import (
    AttributeCheckboxDefinition,
    AttributeNumberDefinition,
    AttributeSingleSelectDefinition,
    AttributeTextDefinition,
)
from cardfile.api.graphql.context import Context
from cardfile.api.graphql.mutation import Mutation
from cardfile.api.graphql.query import Query
from cardfile.api.graphql.records import Company, Customer, Product
from cardfile.api.graphql.scalars import SCALARS
from cardfile.api.graphql.syncs import Services
from cardfile.api.graphql.validation import CycleValidation
from cardfile.store import api_keys


class ThreadedSchema(strawberry.Schema):
    """Runs each operation in a worker thread, so the store's blocking calls never stall
    the event loop; resolvers are plain functions on one session per request."""

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Execute the operation synchronously in a worker thread."""
        return await anyio.to_thread.run_sync(partial(self.execute_sync, *args, **kwargs))


schema = ThreadedSchema(
    query=Query,
    mutation=Mutation,
    types=[
        Product,
        Company,
        Customer,
        AttributeTextDefinition,
        AttributeNumberDefinition,
        AttributeCheckboxDefinition,
        AttributeSingleSelectDefinition,
    ],
    extensions=[CycleValidation],
    config=StrawberryConfig(scalar_map=SCALARS),
)


class CycleGraphQLRouter(GraphQLRouter[Context, None]):
    """Strawberry's router, lenient where Cycle's documented snippets need it."""

    def decode_json(self, data: str | bytes) -> object:
        """JSON with raw line breaks inside strings, as the seed's curl bodies carry."""
        return json.loads(data, strict=False)


def _authenticate(session: Session, authorization: str | None) -> tuple[int | None, str]:
    if not authorization:
        return None, "Missing Authorization header: use Authorization: Bearer <api key>"
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "The Authorization header must be: Bearer <api key>"
    key = api_keys.authenticate(session, token.strip())
    if key is None:
        return None, "The API key is invalid or revoked"
    return key.workspace_id, ""


def router(
    factory: Callable[[], sessionmaker[Session]], services: Services | None = None
) -> CycleGraphQLRouter:
    """The ``/graphql`` router; ``factory`` gives the app's session factory, ``services``
    what sync resolvers need (without them, syncs are not served)."""

    def context(request: Request) -> Iterator[Context]:
        with factory()() as session:
            workspace_id, problem = _authenticate(session, request.headers.get("authorization"))
            session.rollback()
            yield Context(session, workspace_id, problem, services)

    return CycleGraphQLRouter(
        schema,
        context_getter=cast(Any, context),  # a FastAPI dependency with clean-up
        multipart_uploads_enabled=True,
    )


__all__ = ["router", "schema"]
