"""The bare database baseline of `ingest`: plain `executemany` of the same lines (one row per
record, the line as a BLOB beside an integer key) in one transaction, and a throw-away
PostgreSQL database for the PostgreSQL run when the server answers."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def raw_insert_per_s(lines: list[bytes], url: str, sqlite_path: Path) -> float:
    """Rows/s of one `executemany` of ``lines`` into a fresh table (SQLite WAL file, or the
    PostgreSQL database of ``url`` when given)."""
    rows = list(enumerate(lines))
    if not url:
        conn = sqlite3.connect(sqlite_path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, line BLOB NOT NULL)")
        started = time.perf_counter()
        with conn:
            conn.executemany("INSERT INTO raw (id, line) VALUES (?, ?)", rows)
        elapsed = time.perf_counter() - started
        conn.close()
        return len(rows) / elapsed
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=5) as conn:
        conn.execute("CREATE TABLE raw (id BIGINT PRIMARY KEY, line BYTEA NOT NULL)")
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO raw (id, line) VALUES (%s, %s)", rows)
        conn.commit()
        return len(rows) / (time.perf_counter() - started)


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh database on 127.0.0.1:5432 (dropped afterwards), or None when none answers."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception:
        yield None
        return
    name = f"bench_ingest_{os.getpid()}"
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
