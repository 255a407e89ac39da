"""Shared fixtures: databases for the store (SQLite in memory, SQLite on disk, PostgreSQL).

PostgreSQL is the server on 127.0.0.1:5432 (override with ``TEST_POSTGRES_URL``). Each test
gets its own freshly created schema in database ``test``, dropped afterwards, so parallel
and repeated runs never see each other's tables. Without a server the PostgreSQL cases are
skipped and the terminal summary says so loudly; with ``REQUIRE_POSTGRES=1`` (CI) they fail.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# pytest puts this directory (tests/) first on sys.path to import this file; its package-
# less folders tests/node, tests/crypto, tests/ledger would then be taken for namespace
# packages shadowing the real node, crypto and ledger (installed editable, found later).
# Putting the repository root first keeps the real packages in front.
_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if sys.path[:1] != [_REPO_ROOT]:
    sys.path.insert(0, _REPO_ROOT)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from node.store import SqlStore

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STORE_BACKENDS = ["sqlite-memory", "sqlite-file", "postgresql"]

_pg: dict[str, Any] = {"probed": False, "error": None, "skipped": 0}


def _base_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _where() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(_base_url())
    return f"{url.host or '127.0.0.1'}:{url.port or 5432}"


def _admin_connect() -> Any:
    """A psycopg connection (autocommit) to the test database, 2 s connect timeout."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(_base_url())
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
    if not _pg["probed"]:
        _pg["probed"] = True
        try:
            with _admin_connect() as conn:
                conn.execute("SELECT 1")
        except Exception as exc:  # any failure means "no usable server"
            _pg["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    error: str | None = _pg["error"]
    return error


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL schema (search_path set to it), dropped after the test."""
    error = _postgres_error()
    if error is not None:
        message = f"no PostgreSQL server on {_where()} ({error})"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {message}", pytrace=False)
        _pg["skipped"] += 1
        pytest.skip(message)
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    with _admin_connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in _base_url() else "?"
    try:
        yield f"{_base_url()}{separator}options=-csearch_path%3D{schema}"
    finally:
        with _admin_connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(
    params=[
        "sqlite-memory",
        "sqlite-file",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
    ids=STORE_BACKENDS,
)
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """A URL of an empty database, once per backend (not migrated yet)."""
    backend: str = request.param
    if backend == "sqlite-memory":
        return "sqlite://"
    if backend == "sqlite-file":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store_engine(store_url: str) -> Iterator[Engine]:
    """A migrated engine over ``store_url``, disposed after the test."""
    from node.store import make_engine, migrate

    engine = make_engine(store_url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sql_store(store_engine: Engine) -> SqlStore:
    """A ``SqlStore`` over a fresh migrated database of each backend."""
    from node.store import SqlStore

    return SqlStore(store_engine)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly when PostgreSQL cases were skipped: they are not a pass."""
    if _pg["skipped"]:
        terminalreporter.write_sep(
            "!",
            f"PostgreSQL tests SKIPPED: no server on {_where()} ({_pg['skipped']} tests; "
            f"{_pg['error']}). Set REQUIRE_POSTGRES=1 to make this a failure.",
            red=True,
            bold=True,
        )
