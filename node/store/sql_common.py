"""Small helpers shared by the SQL modules: chunking, dialect upserts, UTC timestamps."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from sqlalchemy import ColumnElement, Table, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert

__all__ = [
    "ANY_CHUNK",
    "IN_CHUNK",
    "chunked",
    "in_chunk",
    "insert_ignore",
    "one_of",
    "utc",
    "utc_now",
]

T = TypeVar("T")

IN_CHUNK: Final = 500
"""Most values bound in one ``IN (...)`` list: far below SQLite's and PostgreSQL's limits."""

ANY_CHUNK: Final = 10_000
"""Most values sent as one PostgreSQL array (a single bound parameter) by ``one_of``."""


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` items. Precondition: ``size > 0``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_ignore(conn: Connection, table: Table, key: list[str]) -> Insert:
    """An INSERT that silently skips rows whose ``key`` columns already exist."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=key)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=key)


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def utc(value: datetime) -> datetime:
    """``value`` as aware UTC; a naive value (SQLite returns those) is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)



def one_of(conn: Connection, column: ColumnElement[Any], values: Sequence[Any]
           ) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``column = ANY(array)``, one parameter however
    many values (an IN list of thousands of parameters costs more to parse than to run).
    Callers chunk ``values`` by ``in_chunk(conn)``."""
    if conn.dialect.name == "postgresql":
        array = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return column == any_(array)
    return column.in_(list(values))


def in_chunk(conn: Connection) -> int:
    """How many values ``one_of`` should take at once on this connection."""
    return ANY_CHUNK if conn.dialect.name == "postgresql" else IN_CHUNK
