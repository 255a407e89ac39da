"""Shared fixtures: databases for the store (SQLite in memory, SQLite on disk, PostgreSQL),
and anvil chains (``anvil_launcher``, ``anvil``: the only way tests start anvil).

Markers follow the fixtures: a test whose fixtures reach ``anvil_launcher`` is marked
``anvil``, one that reaches ``postgres_url`` is marked ``postgres``, at collection, so
``-m "not anvil and not postgres"`` really leaves them out (``make test-fast``).

PostgreSQL is the server on 127.0.0.1:5432 (override with ``TEST_POSTGRES_URL``). Each test
gets its own freshly created schema in database ``test``, dropped afterwards, so parallel
and repeated runs never see each other's tables. Without a server the PostgreSQL cases are
skipped and the terminal summary says so loudly; with ``REQUIRE_POSTGRES=1`` (CI) they fail.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Generator, Iterator
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
import reliability_counts  # noqa: E402
from anvil_chains import FIXTURE as ANVIL_FIXTURE  # noqa: E402
from anvil_chains import REFUSAL_SCRIPT, AnvilLauncher  # noqa: E402

from ledger.child_process import DIE_WITH_PARENT_ENV  # noqa: E402

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ledger.devchain import DevChain
    from node.store import SqlStore

STORE_BACKENDS = ["sqlite-memory", "sqlite-file", "postgresql"]
# Fixture -> the marker every test using it (directly or through other fixtures) gets.
MARKER_OF_FIXTURE = {ANVIL_FIXTURE: "anvil", "postgres_url": "postgres"}

# Nodes and anvils started by `consortium up` inside a test die with pytest, like
# DevChain's anvil (ledger.child_process): a killed run leaves no orphans.
os.environ[DIE_WITH_PARENT_ENV] = "1"
_REFUSING_ANVIL_DIR = tempfile.TemporaryDirectory(prefix="no-anvil-")
_REFUSING_ANVIL = Path(_REFUSING_ANVIL_DIR.name) / "anvil"
_REFUSING_ANVIL.write_text(REFUSAL_SCRIPT, encoding="ascii")
_REFUSING_ANVIL.chmod(0o755)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by the fixtures it reaches (see ``MARKER_OF_FIXTURE``)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, marker in MARKER_OF_FIXTURE.items():
            if fixture in names and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    """Outside ``anvil`` tests, ``ANVIL_BIN`` names a program that refuses, loudly."""
    if item.get_closest_marker("anvil") is not None:
        yield
        return
    saved = os.environ.get("ANVIL_BIN")
    os.environ["ANVIL_BIN"] = str(_REFUSING_ANVIL)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("ANVIL_BIN", None)
        else:
            os.environ["ANVIL_BIN"] = saved


@pytest.fixture(scope="session")
def anvil_launcher() -> Iterator[AnvilLauncher]:
    """Starts anvil chains (``.start(...)``); every test using it is marked ``anvil``."""
    launcher = AnvilLauncher()
    try:
        yield launcher
    finally:
        launcher.stop_all()


@pytest.fixture(scope="session")
def anvil(anvil_launcher: AnvilLauncher) -> DevChain:
    """One chain shared by the whole run: tests deploy their own contracts on it."""
    return anvil_launcher.start()


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


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the tests skipped for want of PostgreSQL (said at the very end)."""
    if report.skipped and pg_schemas.SKIP_MESSAGE in str(report.longrepr):
        pg_schemas.state["skipped"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The reliability suite's figures (``tests/reliability_counts.py``), when it ran."""
    line = reliability_counts.summary()
    if line:
        terminalreporter.write_sep("-", line)


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
