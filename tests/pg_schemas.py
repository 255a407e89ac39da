"""Fresh PostgreSQL schemas for tests, on the server at 127.0.0.1:5432 (``TEST_POSTGRES_URL``).

Without a server a test that asks for one is skipped, and the run's summary says so loudly
(``tests/conftest.py``); with ``REQUIRE_POSTGRES=1`` (CI) it fails instead. Each schema is
created for one user and dropped afterwards, so parallel and repeated runs never meet.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

state: dict[str, Any] = {"probed": False, "error": None, "skipped": 0}


def base_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


SKIP_MESSAGE = "no PostgreSQL server on"
"""How each skip of ours begins; ``tests/conftest.py`` counts the tests skipped with it (a
fixture shared by many tests skips them all with a single call)."""


def where() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(base_url())
    return f"{url.host or '127.0.0.1'}:{url.port or 5432}"


def _admin_connect() -> Any:
    """A psycopg connection (autocommit) to the test database, 2 s connect timeout."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url())
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=url.database or "test",
        connect_timeout=2,
        autocommit=True,
    )


def _postgres_error() -> str | None:
    """Why PostgreSQL cannot be used (None when it answers); probed once per session."""
    if not state["probed"]:
        state["probed"] = True
        try:
            with _admin_connect() as conn:
                conn.execute("SELECT 1")
        except Exception as exc:  # any failure means "no usable server"
            state["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    error: str | None = state["error"]
    return error


@contextmanager
def postgres_schema(prefix: str = "t") -> Iterator[str]:
    """URL of a fresh, empty schema (search_path set to it), dropped at the end."""
    error = _postgres_error()
    if error is not None:
        message = f"{SKIP_MESSAGE} {where()} ({error})"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {message}", pytrace=False)
        pytest.skip(message)
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    with _admin_connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base_url() else "?"
    try:
        yield f"{base_url()}{separator}options=-csearch_path%3D{schema}"
    finally:
        with _admin_connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def postgres_schemas(names: Sequence[str], prefix: str = "t") -> Iterator[dict[str, str]]:
    """A fresh schema per name (``{name: URL}``, e.g. one per province), all dropped at the end."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(postgres_schema(f"{prefix}_{name.lower()}"))
               for name in names}


def schema_of(url: str) -> str:
    """The schema a URL made here selects (its ``search_path`` option)."""
    _, found, schema = url.rpartition("search_path%3D")
    if not found or not schema:
        raise ValueError("not a URL of postgres_schema(): no search_path option")
    return schema


@contextmanager
def copy_of_schema(url: str) -> Iterator[str]:
    """URL of a fresh schema holding a copy of every table of ``url``'s schema, taken in one
    REPEATABLE READ snapshot (a consistent backup of a running node); dropped at the end."""
    source = schema_of(url)
    with postgres_schema("copy") as copy_url:
        target = schema_of(copy_url)
        with _admin_connect() as conn:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                tables = [row[0] for row in conn.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = %s AND table_type = 'BASE TABLE'", (source,))]
                for table in tables:
                    conn.execute(f'CREATE TABLE "{target}"."{table}" '
                                 f'(LIKE "{source}"."{table}" INCLUDING ALL)')
                    conn.execute(f'INSERT INTO "{target}"."{table}" '
                                 f'SELECT * FROM "{source}"."{table}"')
        yield copy_url
