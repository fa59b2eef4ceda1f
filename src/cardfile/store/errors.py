"""What the store refuses, as structured errors every entry point can translate."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's refusals; ``message`` is written for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(StoreError):
    """The record does not exist in this workspace."""


class Conflict(StoreError):
    """The write would break a uniqueness rule (a slug, an email, an external id)."""


class Invalid(StoreError):
    """The input is not acceptable (a wrong type, an empty name)."""
