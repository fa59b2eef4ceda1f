"""Bulk writes for imports: ids reserved up front and rows sent with the driver's own
``executemany``, bypassing per-statement ORM work that dominates a million-row import."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

# SQLite's default page cache is 2 MiB; an import's indexes (ten unique ids per company, the
# emails) outgrow it within the first hundred thousand rows, and every insert then rereads
# index pages from the OS. 128 MiB keeps a million-row import's working set in memory.
_IMPORT_CACHE_KIB = 131072
_DEFAULT_CACHE_KIB = 2000


@contextmanager
def large_write(session: Session) -> Iterator[None]:
    """Give one long bulk write (an import) a page cache that fits its indexes."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        session.execute(text(f"PRAGMA cache_size = -{_IMPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        if sqlite:
            session.execute(text(f"PRAGMA cache_size = -{_DEFAULT_CACHE_KIB}"))


def rows_matching(
    session: Session,
    table: Table,
    columns: Sequence[str],
    *,
    workspace_id: int,
    column: str,
    values: Sequence[Any],
) -> list[tuple[Any, ...]]:
    """The workspace's rows of ``table`` whose ``column`` is one of ``values``, by id.

    Sent through the driver: PostgreSQL gets the values as one array parameter, which it
    parses and plans far faster than a list of hundreds of parameters.
    """
    if not values:
        return []
    connection = session.connection()
    selected = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        sql = (
            f"SELECT {selected} FROM {table.name} "
            f"WHERE workspace_id = %s AND {column} = ANY(%s) ORDER BY id"
        )
        params: Sequence[Any] = (workspace_id, list(values))
    else:
        marks = ", ".join("?" * len(values))
        sql = (
            f"SELECT {selected} FROM {table.name} "
            f"WHERE workspace_id = ? AND {column} IN ({marks}) ORDER BY id"
        )
        params = (workspace_id, *values)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def refresh_statistics(session: Session, tables: Sequence[Table]) -> None:
    """Let PostgreSQL's planner see how big ``tables`` have grown inside this transaction.

    An import into new tables otherwise plans its lookups on the statistics of an empty table
    (a couple of rows per workspace) and filters the whole workspace for every chunk, which
    grows with the table and makes the import quadratic. ANALYZE in the writing transaction
    counts its own uncommitted rows. SQLite's planner needs no statistics for these lookups.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {', '.join(table.name for table in tables)}"))


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, safe against concurrent writers.

    PostgreSQL hands them out from the column's sequence. On SQLite the caller's transaction
    holds the database's write lock (units of work begin IMMEDIATE), so the next ids after
    the current maximum cannot be taken by anyone else before it commits.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": table.name, "n": count},
        )
        return [int(row[0]) for row in rows]
    start = int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1
    return list(range(start, start + count))


def bound(session: Session, table: Table, column: str, value: Any) -> Any:
    """``value`` as the driver must receive it for ``column`` (SQLite keeps datetimes as
    text in SQLAlchemy's format). Rows passed to the functions below hold bound values."""
    dialect = session.get_bind().dialect
    processor = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return value if processor is None else processor(value)


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order) with one driver ``executemany``."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY is PostgreSQL's bulk path: one round trip instead of one per row.
        cursor = connection.connection.cursor()
        try:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['?'] * len(columns))})"
    )
    _executemany(session, sql, rows)


def update_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """UPDATE by id: each row is ``(*values in columns order, id)``."""
    if not rows:
        return
    connection = session.connection()
    placeholder = "%s" if connection.dialect.name == "postgresql" else "?"
    assignments = ", ".join(f"{name} = {placeholder}" for name in columns)
    sql = f"UPDATE {table.name} SET {assignments} WHERE id = {placeholder}"
    _executemany(session, sql, rows)


def _executemany(session: Session, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    cursor = session.connection().connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
