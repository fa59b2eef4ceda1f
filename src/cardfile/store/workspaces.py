"""Workspaces: the tenants."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardfile.store.errors import Conflict, Invalid, NotFound
from cardfile.store.schema import Workspace

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")


def create(session: Session, *, name: str, slug: str) -> Workspace:
    """Create a workspace; the slug is lowercase letters, digits and inner dashes."""
    if not name.strip():
        raise Invalid("a workspace needs a name", field="name")
    if not _SLUG.match(slug):
        raise Invalid(
            f"'{slug}' is not a valid slug: use lowercase letters, digits and dashes",
            field="slug",
        )
    if session.scalar(select(Workspace.id).where(Workspace.slug == slug)) is not None:
        raise Conflict(f"a workspace with slug '{slug}' already exists", field="slug")
    workspace = Workspace(name=name.strip(), slug=slug)
    session.add(workspace)
    session.flush()
    return workspace


def list_all(session: Session) -> list[Workspace]:
    """Every workspace, oldest first."""
    return list(session.scalars(select(Workspace).order_by(Workspace.id)))


def get(session: Session, workspace_id: int) -> Workspace | None:
    """The workspace with this id, if any."""
    return session.get(Workspace, workspace_id)


def by_slug(session: Session, slug: str) -> Workspace | None:
    """The workspace with this slug, if any."""
    return session.scalar(select(Workspace).where(Workspace.slug == slug))


def require_by_slug(session: Session, slug: str) -> Workspace:
    """The workspace with this slug, or ``NotFound``."""
    workspace = by_slug(session, slug)
    if workspace is None:
        raise NotFound(f"no workspace with slug '{slug}'", field="slug")
    return workspace
