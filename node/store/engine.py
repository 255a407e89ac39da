"""Opening the store's database and bringing its schema up to date.

``make_engine(url)`` turns a SQLAlchemy URL into an engine tuned for this store:

- SQLite (the embedded default): WAL journal, ``synchronous=NORMAL``, foreign keys on, a
  busy timeout; SQLAlchemy, not the sqlite3 driver, emits BEGIN so DDL is transactional
  and write transactions take the write lock up front (``BEGIN IMMEDIATE``) instead of
  failing on a lock upgrade. ``sqlite://`` (in memory) shares one connection, for tests.
- PostgreSQL: a connect timeout and a ``statement_timeout``, so no call waits forever.

``migrate(engine)`` applies the Alembic revisions shipped in ``migrations/`` up to head;
it is idempotent and safe to call on every start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

__all__ = ["WRITE", "alembic_config", "make_engine", "migrate"]

WRITE: Final = "store_write"
"""Execution option marking a connection whose transaction will write (SQLite: BEGIN IMMEDIATE)."""

SQLITE_POOL_SIZE: Final = 24
"""Connections an SQLite file engine keeps open (beyond them, up to 10 more come and go)."""

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"

# Any constant shared by all nodes works; it only serializes concurrent migrations.
_MIGRATE_LOCK_KEY: Final = 0x59524443_52454449  # "YRDCREDI"


def make_engine(
    url: str,
    *,
    connect_timeout_s: int = 5,
    statement_timeout_s: float = 30.0,
    sqlite_busy_timeout_s: float = 5.0,
) -> Engine:
    """Create an engine for ``url``: ``sqlite:///path``, ``sqlite://`` (memory, tests only)
    or ``postgresql://…`` (driven by psycopg 3).

    Preconditions: timeouts are positive. Raises ``ValueError`` for a malformed URL or an
    unsupported backend (only SQLite and PostgreSQL are supported).
    """
    if connect_timeout_s <= 0 or statement_timeout_s <= 0 or sqlite_busy_timeout_s <= 0:
        raise ValueError(
            f"timeouts must be positive, got connect={connect_timeout_s}, "
            f"statement={statement_timeout_s}, busy={sqlite_busy_timeout_s}"
        )
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError("malformed database URL: expected a SQLAlchemy URL") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, sqlite_busy_timeout_s)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
        return _postgres_engine(parsed, connect_timeout_s, statement_timeout_s)
    raise ValueError(f"unsupported database backend {backend!r}: expected sqlite or postgresql")


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def _sqlite_engine(url: URL, busy_timeout_s: float) -> Engine:
    busy_ms = int(busy_timeout_s * 1000)
    kwargs: dict[str, Any] = {"connect_args": {"timeout": busy_timeout_s}}
    if _is_memory(url):
        # One shared connection: a second one would open a different, empty database.
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"]["check_same_thread"] = False
    else:
        # Keep a connection per concurrent user (gRPC workers, loops): with the default 5,
        # busy moments opened and closed overflow connections (file open, WAL, pragmas)
        # on every call.
        kwargs["pool_size"] = SQLITE_POOL_SIZE
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN away from the driver (it skips it for DDL and SELECT); see _on_begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that later writes can fail at once with SQLITE_BUSY when
        # another writer got there first; taking the write lock at BEGIN waits instead.
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgres_engine(url: URL, connect_timeout_s: int, statement_timeout_s: float) -> Engine:
    options = url.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    statement_ms = int(statement_timeout_s * 1000)
    connect_args: dict[str, Any] = {
        "options": f"{options} -c statement_timeout={statement_ms}".strip(),
    }
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = connect_timeout_s
    return create_engine(
        url.difference_update_query(["options"]),
        connect_args=connect_args,
        pool_pre_ping=True,
    )


def alembic_config() -> Config:
    """An Alembic ``Config`` built in code, pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the newest revision, in one transaction.

    Idempotent: a database already at head is left as it is. Concurrent callers are
    serialized (PostgreSQL advisory lock; SQLite write lock).
    """
    cfg = alembic_config()
    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
