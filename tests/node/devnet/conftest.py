"""Fixtures of the devnet tests that bring consortiums up on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url


@pytest.fixture
def base_url(postgres_url: str) -> str:
    """The test database's URL without the fixture's own search_path option (each node of
    a consortium gets its own schema on top of it)."""
    url = make_url(postgres_url)
    return url.difference_update_query(["options"]).render_as_string(hide_password=False)
