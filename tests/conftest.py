"""Shared fixtures: databases for the store (SQLite in memory, SQLite on disk, PostgreSQL).

PostgreSQL is the server on 127.0.0.1:5432 (override with ``TEST_POSTGRES_URL``). Each test
gets its own freshly created schema in database ``test``, dropped afterwards, so parallel
and repeated runs never see each other's tables. Without a server the PostgreSQL cases are
skipped and the terminal summary says so loudly; with ``REQUIRE_POSTGRES=1`` (CI) they fail.
"""

from __future__ import annotations

import sys
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

import pg_schemas  # noqa: E402 - after the sys.path fix above

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from node.store import SqlStore

STORE_BACKENDS = ["sqlite-memory", "sqlite-file", "postgresql"]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL schema (search_path set to it), dropped after the test."""
    with pg_schemas.postgres_schema() as url:
        yield url


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


def pytest_unconfigure(config: pytest.Config) -> None:
    """Say loudly, as the very last line, when PostgreSQL cases were skipped: not a pass."""
    skipped = pg_schemas.state["skipped"]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if skipped and reporter is not None:
        reporter.write_sep(
            "!",
            f"PostgreSQL tests SKIPPED: no server on {pg_schemas.where()} ({skipped} tests; "
            f"{pg_schemas.state['error']}). Set REQUIRE_POSTGRES=1 to make this a failure.",
            red=True,
            bold=True,
        )
