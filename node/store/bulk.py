"""Fast multi-row INSERT in the caller's transaction: COPY on PostgreSQL, executemany on SQLite.

SQLAlchemy's per-row parameter handling costs more than the database's own work on
100k-row batches (and psycopg's pipelined executemany is slower still than COPY), so rows
go straight to the driver. Values are plain Python objects: the drivers adapt str, int,
bool, bytes, date and aware datetime themselves; on SQLite each column's SQLAlchemy bind
processor is applied here so stored dates and timestamps read back exactly as the ORM-free
Core queries of this package expect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from sqlalchemy import LargeBinary, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from node.store.sql_common import chunked

__all__ = ["bulk_insert"]

_CHUNK: Final = 10_000
"""Rows per driver call: bounds memory, not correctness."""


def bulk_insert(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (value tuples in the order of ``names``) into ``table``.

    Precondition: each name is a column of ``table`` (checked: ``KeyError`` before any SQL
    is sent) and each row has one value per name.
    """
    if not rows:
        return
    unknown = [name for name in names if name not in table.c]
    if unknown:
        raise KeyError(f"bulk_insert into {table.name}: no column(s) {', '.join(unknown)}")
    preparer = conn.dialect.identifier_preparer
    # Identifiers come from the Table and are quoted; values travel only as data.
    target = preparer.format_table(table)
    column_list = ", ".join(preparer.quote(name) for name in names)
    if conn.dialect.name == "postgresql":
        _copy(conn, f"COPY {target} ({column_list}) FROM STDIN", rows)
    elif conn.dialect.paramstyle == "qmark":
        marks = ", ".join("?" for _ in names)
        sql = f"INSERT INTO {target} ({column_list}) VALUES ({marks})"  # noqa: S608
        _executemany(conn, table, sql, names, rows)
    else:
        raise ValueError(f"bulk_insert: unsupported dialect {conn.dialect.name!r}")


def _copy(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    import psycopg  # only here: SQLite-only installs never need it

    driver_conn = conn.connection.driver_connection
    if driver_conn is None:
        raise RuntimeError("bulk_insert: the connection has no open driver connection")
    try:
        with driver_conn.cursor() as cursor, cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)
    except psycopg.Error as exc:
        # The same wrapping SQLAlchemy gives errors of statements it runs itself, so
        # callers see IntegrityError / OperationalError either way.
        raise DBAPIError.instance(sql, None, exc, psycopg.Error, dialect=conn.dialect) from exc


def _executemany(conn: Connection, table: Table, sql: str, names: Sequence[str],
                 rows: Sequence[Sequence[Any]]) -> None:
    steps = [
        (position, proc)
        for position, name in enumerate(names)
        if (proc := _processor(table.c[name].type, conn.dialect)) is not None
    ]
    for part in chunked(rows, _CHUNK):
        params: list[tuple[Any, ...]] = []
        for row in part:  # SQLAlchemy passes tuples (not lists) through as positional rows
            if steps:
                values = list(row)
                for position, proc in steps:
                    values[position] = proc(values[position])
                params.append(tuple(values))
            else:
                params.append(tuple(row))
        conn.exec_driver_sql(sql, params)


def _processor(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column's bind processor, remembering its last result (rows of one batch often
    share a value, e.g. one ``created_at``); None for bytes, which the driver takes as is."""
    if isinstance(type_, LargeBinary):
        return None
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    last: list[Any] = [object(), None]

    def remembering(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return remembering
