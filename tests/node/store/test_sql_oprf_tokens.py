"""The token set table on every backend: idempotent adds, removals, paging, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from node.store.sql_oprf_tokens import Listing, TokenSetStore


def _listing(n: int, category: str = "SX01") -> Listing:
    return Listing(f"JS-{n:06d}", bytes([n % 256]) * 64, category)


def test_add_remove_page(store_engine: Engine) -> None:
    tokens = TokenSetStore(store_engine)
    assert tokens.add([_listing(i) for i in range(25)]) == 25
    assert tokens.add([_listing(3), _listing(30)]) == 1  # record 3 is kept once
    assert tokens.count() == 26
    seen, cursor = [], 0
    while True:
        page = tokens.page(cursor, 10)
        seen.extend(page.entries)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == 26 and seen[0] == (bytes([0]) * 64, "SX01")
    assert tokens.remove(["JS-000003", "JS-999999"]) == 1
    assert tokens.count() == 25
    assert (bytes([3]) * 64, "SX01") not in tokens.page(0, 100).entries


def test_refuses_short_tokens_and_bad_pages(store_engine: Engine) -> None:
    tokens = TokenSetStore(store_engine)
    with pytest.raises(ValueError, match="listing 1: want a 64-byte token"):
        tokens.add([_listing(1), Listing("JS-1", bytes(32), "SX01")])
    assert tokens.count() == 0
    with pytest.raises(ValueError, match="limit"):
        tokens.page(0, 0)
