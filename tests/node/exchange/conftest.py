"""A four-province consortium (JS, SH, ZJ, AH) on one anvil, each node with its own CA,
trusting the others' CAs and pulling from them; catalog v1 adopted by three approvals.

Every consortium test runs twice (``consortium_databases``): once with each node on its own
SQLite file, once with each node on its own PostgreSQL schema (marked ``postgres``; the
schemas are dropped when that consortium stops). pytest runs all the SQLite cases first,
then all the PostgreSQL ones, so only one consortium runs at a time.

Ingest is given the shared catalog's ``Recognizer.categorize`` so local records carry a
shared category and catalog version (the server does not wire it in yet).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from anvil_chains import AnvilLauncher
from exchange_helpers import (
    BACKENDS,
    Consortium,
    anchored,
    build_consortium,
    databases_for,
    records_of,
    submit,
)

from ledger.devchain import DevChain
from node.config import load_config
from node.runtime.node import start_node

SEED_JS = 60
SEED_ZJ = 20


@pytest.fixture(scope="session")
def exchange_chain(anvil_launcher: AnvilLauncher) -> Iterator[DevChain]:
    """A chain of its own: the nodes' background anchoring would race other suites' sends."""
    with anvil_launcher.start() as chain:
        yield chain


@pytest.fixture(scope="session", params=BACKENDS)
def consortium_databases(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Province -> database URL of the consortium (see ``databases_for``)."""
    with databases_for(request.param, "exchange") as urls:
        yield urls


@pytest.fixture(scope="session")
def consortium(tmp_path_factory: pytest.TempPathFactory, exchange_chain: DevChain,
               consortium_databases: dict[str, str]) -> Iterator[Consortium]:
    """Four running nodes; JS holds 60 records in two anchored batches, ZJ 20."""
    base: Path = tmp_path_factory.mktemp("consortium")
    built = build_consortium(base, exchange_chain.rpc_url, databases=consortium_databases)
    try:
        for member in built.members.values():
            member.running = start_node(load_config(member.config), workers=4)
        js = records_of("JS", SEED_JS, seed=5)
        submit(built, "JS", js[:30])
        anchored(built, "JS", 30)
        submit(built, "JS", js[30:])
        submit(built, "ZJ", records_of("ZJ", SEED_ZJ, seed=5))
        anchored(built, "JS", SEED_JS)
        anchored(built, "ZJ", SEED_ZJ)
        yield built
    finally:
        for member in built.members.values():
            if member.running is not None:
                member.running.stop(grace=1.0)
