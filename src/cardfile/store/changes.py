"""The global change sequence: every write to a company or person takes a number from it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cardfile.store.schema import ChangeSequence, Company, Person, table_of

_counter = table_of(ChangeSequence)


def take(session: Session, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers and return the first.

    The counter row stays locked until the caller's transaction ends, which is what keeps
    numbers visible in the order they were handed out (see ``ChangeSequence``).
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    last = session.execute(
        update(_counter)
        .where(_counter.c.id == 1)
        .values(value=_counter.c.value + count)
        .returning(_counter.c.value)
    ).scalar_one()
    return int(last) - count + 1


def lock(session: Session) -> None:
    """Hold the counter for the rest of the transaction: every other writer of companies or
    people waits until it ends, so what this transaction reads stays true while it writes."""
    session.execute(update(_counter).where(_counter.c.id == 1).values(value=_counter.c.value))


def current(session: Session) -> int:
    """The newest number handed out."""
    return int(session.execute(select(_counter.c.value).where(_counter.c.id == 1)).scalar_one())


def companies_changed_since(session: Session, workspace_id: int, since: int) -> list[int]:
    """Ids of the workspace's companies written after change number ``since``, oldest first."""
    rows = session.execute(
        select(Company.id)
        .where(Company.workspace_id == workspace_id, Company.change_seq > since)
        .order_by(Company.change_seq)
    )
    return [row[0] for row in rows]


def people_changed_since(session: Session, workspace_id: int, since: int) -> list[int]:
    """Ids of the workspace's people written after change number ``since``, oldest first."""
    rows = session.execute(
        select(Person.id)
        .where(Person.workspace_id == workspace_id, Person.change_seq > since)
        .order_by(Person.change_seq)
    )
    return [row[0] for row in rows]
