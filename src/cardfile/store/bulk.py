"""Bulk writes for imports: ids reserved up front and rows sent with the driver's own
``executemany``, bypassing per-statement ORM work that dominates a million-row import."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

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
    selected = ", ".join(columns)
    if _postgres(session):
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
    cursor = _driver_cursor(session)
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
    if _postgres(session):
        session.execute(text(f"ANALYZE {', '.join(table.name for table in tables)}"))


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, safe against concurrent writers.

    PostgreSQL hands them out from the column's sequence. On SQLite the caller's transaction
    holds the database's write lock (units of work begin IMMEDIATE), so the next ids after
    the current maximum cannot be taken by anyone else before it commits.
    """
    if count <= 0:
        return []
    if _postgres(session):
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
    if _postgres(session):
        # COPY is PostgreSQL's bulk path: one round trip instead of one per row.
        _copy(session, table.name, columns, rows)
        return
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['?'] * len(columns))})"
    )
    _executemany(session, sql, rows)


class Pending:
    """A write whose rows are sent and whose server-side work may still be running.

    ``wait`` returns once the database has finished it, or raises the driver's error. Until
    then nothing else may use the session: the driver's connection lock makes any statement
    wait anyway, but only ``wait`` reports a failure as the write's own.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self, work: Callable[[], None]) -> None:
        """Run ``work`` on a thread of its own; it stores any failure in ``error``."""
        self._thread = threading.Thread(target=work, name="cardfile-write", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Block until the write is done; raise what it raised."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class Rows(NamedTuple):
    """Rows to insert into ``table``, tuples in ``columns`` order."""

    table: Table
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


def insert_behind(session: Session, writes: Sequence[Rows]) -> Pending:
    """``insert_rows`` for each of ``writes`` in order, returning while PostgreSQL works.

    On PostgreSQL the rows are sent and the server's end of each ``COPY`` (index
    maintenance, the foreign-key checks it queued) runs on a thread of its own while the
    caller goes on with work that needs no database, such as reading the next chunk of a
    file; the caller must ``wait`` before it uses the session again. SQLite writes in the
    caller's thread: its driver would trade the GIL back and forth on every row.
    """
    writes = [write for write in writes if write.rows]
    if not writes or not _postgres(session):
        for write in writes:
            insert_rows(session, *write)
        return Pending()
    cursor = _driver_cursor(session)
    pending = Pending()

    def send() -> None:
        try:
            for table, columns, rows in writes:
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        except BaseException as error:
            pending.error = error
        finally:
            cursor.close()

    pending.start(send)
    return pending


def update_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """UPDATE by id: each row is ``(*values in columns order, id)``."""
    if not rows:
        return
    if _postgres(session):
        stage = _stage(session, table, [*columns, "id"], rows)
        assignments = ", ".join(f"{name} = s.{name}" for name in columns)
        session.execute(
            text(f"UPDATE {table.name} AS t SET {assignments} FROM {stage} AS s WHERE t.id = s.id")
        )
        return
    assignments = ", ".join(f"{name} = ?" for name in columns)
    _executemany(session, f"UPDATE {table.name} SET {assignments} WHERE id = ?", rows)


def upsert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: Sequence[str],
) -> None:
    """INSERT ``rows``, or on a clash of the unique ``key`` columns update the other columns."""
    if not rows:
        return
    listed = ", ".join(columns)
    updates = ", ".join(f"{name} = excluded.{name}" for name in columns if name not in key)
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    if _postgres(session):
        stage = _stage(session, table, columns, rows)
        session.execute(
            text(f"INSERT INTO {table.name} ({listed}) SELECT {listed} FROM {stage} {conflict}")
        )
        return
    marks = ", ".join("?" * len(columns))
    _executemany(session, f"INSERT INTO {table.name} ({listed}) VALUES ({marks}) {conflict}", rows)


def delete_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """DELETE the rows whose ``columns`` equal each of ``rows``."""
    if not rows:
        return
    placeholder = "%s" if _postgres(session) else "?"
    condition = " AND ".join(f"{name} = {placeholder}" for name in columns)
    _executemany(session, f"DELETE FROM {table.name} WHERE {condition}", rows)


def _stage(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> str:
    """COPY ``rows`` into an emptied temporary table shaped like ``table``'s ``columns``, for
    one set-based statement instead of a round trip per row (PostgreSQL only)."""
    stage = f"cardfile_stage_{table.name}_{'_'.join(columns)}"[:63]
    listed = ", ".join(columns)
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
            f"SELECT {listed} FROM {table.name} WITH NO DATA"
        )
    )
    session.execute(text(f"TRUNCATE {stage}"))
    _copy(session, stage, columns, rows)
    return stage


def _copy(
    session: Session, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """COPY ``rows`` into table ``name`` (PostgreSQL)."""
    cursor = _driver_cursor(session)
    try:
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _driver_cursor(session: Session) -> Any:
    """A cursor of the session's own connection (same transaction), after flushing pending
    ORM changes, which statements sent below the ORM would otherwise not see."""
    session.flush()
    return session.connection().connection.cursor()


def _executemany(session: Session, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    cursor = _driver_cursor(session)
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
