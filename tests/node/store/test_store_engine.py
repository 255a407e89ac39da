"""Engine settings per backend, timeouts, URL refusals, and concurrent writers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError

from crypto.merkle import MemoryTree, hash_leaf
from node.store import (
    RECORDS_LOG,
    NewRecord,
    SqlStore,
    StoreUnavailableError,
    make_engine,
    migrate,
    open_store,
)
from node.store.schema import records

MakeRecord = Callable[..., NewRecord]


def test_sqlite_file_gets_wal_and_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}", sqlite_busy_timeout_s=2.5)
    try:
        with engine.connect() as conn:
            pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                      for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
        assert pragma == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1,
                          "busy_timeout": 2500}
    finally:
        engine.dispose()


def test_sqlite_memory_shares_one_database_between_connections() -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO kv_meta (key, value) VALUES ('k', 'v')"))
    with engine.connect() as other:
        assert other.execute(text("SELECT value FROM kv_meta")).scalar() == "v"


def test_sqlite_ddl_is_transactional(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}")
    try:
        with pytest.raises(RuntimeError, match="abort"), engine.begin() as conn:
            conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
            raise RuntimeError("abort")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM sqlite_master")).all() == []
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_statement_timeout_cancels_a_slow_query(postgres_url: str) -> None:
    assert "30s" == _show(make_engine(postgres_url), "statement_timeout")
    engine = make_engine(postgres_url, statement_timeout_s=0.2)
    try:
        with engine.connect() as conn:
            # The search_path given in the URL's options survives next to the timeout.
            schema = postgres_url.rsplit("%3D", 1)[1]
            assert conn.execute(text("SELECT current_schema()")).scalar() == schema
            with pytest.raises(OperationalError, match="canceling statement due to statement"):
                conn.execute(text("SELECT pg_sleep(3)"))
    finally:
        engine.dispose()


def _show(engine: Engine, setting: str) -> str:
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql(f"SHOW {setting}").scalar())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", r"unsupported database backend 'mysql'"),
        ("not a url", r"malformed database URL"),
    ],
)
def test_unsupported_or_malformed_url_is_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_engine(url)


def test_plain_postgresql_url_uses_psycopg() -> None:
    engine = make_engine("postgresql://postgres@127.0.0.1:5432/test")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_non_positive_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match=r"timeouts must be positive, got connect=0"):
        make_engine("sqlite://", connect_timeout_s=0)


def test_unreachable_postgres_is_store_unavailable() -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    with pytest.raises(StoreUnavailableError, match=r"cannot migrate the store"):
        open_store("postgresql+psycopg://postgres@127.0.0.1:1/test")


def test_concurrent_writers_never_share_a_leaf_index(
    store_url: str, store_engine: Engine, make_record: MakeRecord
) -> None:
    if store_url == "sqlite://":
        pytest.skip("the in-memory database is one shared connection: not for threads")
    stores = [SqlStore(store_engine), SqlStore(make_engine(store_url))]
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for call in range(6):
                start = 1000 * n + 10 * call
                stores[n].add_records([make_record(i) for i in range(start, start + 10)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in (0, 1)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stores[1].engine.dispose()
    assert errors == []
    with store_engine.connect() as conn:
        rows = conn.execute(
            select(records.c.leaf_index, records.c.commitment).order_by(records.c.leaf_index)
        ).all()
    assert [row.leaf_index for row in rows] == list(range(120))
    tree = MemoryTree()
    tree.extend(hash_leaf(row.commitment) for row in rows)
    assert stores[0].log_root(RECORDS_LOG) == tree.root()
