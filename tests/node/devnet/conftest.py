"""Fixtures of the devnet tests that bring consortiums up on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from node.store.engine import make_engine


@pytest.fixture
def base_url(postgres_url: str) -> str:
    """The test database's URL without the fixture's own search_path option (each node of
    a consortium gets its own schema on top of it)."""
    url = make_url(postgres_url)
    return url.difference_update_query(["options"]).render_as_string(hide_password=False)


@pytest.fixture
def prefix(base_url: str) -> Iterator[str]:
    """A schema prefix of this test alone; every schema named ``<prefix>_…`` (one per
    node of its consortium) is dropped at the end."""
    chosen = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        yield chosen
    finally:
        engine = make_engine(base_url)
        try:
            with engine.begin() as conn:
                names = conn.execute(text("SELECT schema_name FROM information_schema.schemata"))
                for (name,) in list(names):
                    if name.startswith(chosen + "_"):
                        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        finally:
            engine.dispose()
