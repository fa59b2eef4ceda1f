"""Errors as Cycle returns them: HTTP 200, ``errors[].extensions.code``."""

from __future__ import annotations

from graphql import GraphQLError

from cardfile.ids import InvalidId
from cardfile.ingest.csv import CsvFileError
from cardfile.store.errors import Conflict, Invalid, NotFound, StoreError
from cardfile.types import InvalidValue

UNAUTHORIZED = "UNAUTHORIZED"
CANT_SEE_PRODUCT = "CANT_SEE_PRODUCT"
NOT_FOUND = "NOT_FOUND"
BAD_USER_INPUT = "BAD_USER_INPUT"
CONFLICT = "CONFLICT"


def error(message: str, code: str, **extra: object) -> GraphQLError:
    """A GraphQL error carrying ``code`` (and any extra fields) in its extensions."""
    return GraphQLError(message, extensions={"code": code, **extra})


def translate(exc: Exception) -> GraphQLError | None:
    """The GraphQL error for an exception the lower layers raise on bad input, if any."""
    if isinstance(exc, NotFound):
        return error(exc.message, NOT_FOUND, field=exc.field)
    if isinstance(exc, Conflict):
        return error(exc.message, CONFLICT, field=exc.field)
    if isinstance(exc, (Invalid, StoreError)):
        return error(exc.message, BAD_USER_INPUT, field=exc.field)
    if isinstance(exc, InvalidValue):
        return error(exc.message, BAD_USER_INPUT)
    if isinstance(exc, InvalidId):
        return error(str(exc), BAD_USER_INPUT)
    if isinstance(exc, CsvFileError):
        return error(exc.message, BAD_USER_INPUT, row=exc.row)
    return None
