"""The ``oprf_tokens`` table: this node's token set for private list matching (匿踪查询).

One row per local serious-dishonesty listing: ``F(k, subject id)`` under the node's OPRF
key and the listing's shared category — never the identifier. Rows are added when an
entry is ingested and removed when the entry stops being answered (``remove``); pages
are read in row order with an opaque cursor. Each method is one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Engine, delete, func, select

from node.store.schema import oprf_tokens
from node.store.sql_common import chunked, in_chunk, insert_ignore
from node.store.transactions import read_tx, write_tx

__all__ = ["MAX_PAGE", "Listing", "TokenPage", "TokenSetStore"]

TOKEN_SIZE: Final = 64
MAX_PAGE: Final = 10_000


@dataclass(frozen=True, slots=True)
class Listing:
    """One listed subject: the record that lists it, its OPRF token, its shared category."""

    record_no: str
    token: bytes
    shared_category: str


@dataclass(frozen=True, slots=True)
class TokenPage:
    """Up to a page of (token, shared category); ``next_cursor`` is 0 after the last."""

    entries: list[tuple[bytes, str]]
    next_cursor: int


class TokenSetStore:
    """The token set over a migrated engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, listings: Sequence[Listing]) -> int:
        """Store listings; one already stored for its record_no is kept. Returns rows added.

        Preconditions (``ValueError``, nothing written): tokens of 64 bytes, record_no and
        shared_category of 1-64 characters.
        """
        for position, item in enumerate(listings):
            if (len(item.token) != TOKEN_SIZE or not 0 < len(item.record_no) <= 64
                    or not 0 < len(item.shared_category) <= 64):
                raise ValueError(
                    f"listing {position}: want a {TOKEN_SIZE}-byte token and a record_no and "
                    f"shared_category of 1-64 characters, got a {len(item.token)}-byte token")
        added = 0
        with write_tx(self._engine, "oprf_tokens_add") as conn:
            for chunk in chunked(listings, 1000):
                result = conn.execute(
                    insert_ignore(conn, oprf_tokens, ["record_no"]).returning(oprf_tokens.c.id),
                    [{"record_no": i.record_no, "token": i.token,
                      "shared_category": i.shared_category} for i in chunk])
                added += len(result.fetchall())
        return added

    def remove(self, record_nos: Sequence[str]) -> int:
        """Delete the listings of these records (unknown ones are ignored); rows removed."""
        removed = 0
        with write_tx(self._engine, "oprf_tokens_remove") as conn:
            for chunk in chunked(record_nos, in_chunk(conn)):
                result = conn.execute(delete(oprf_tokens)
                                      .where(oprf_tokens.c.record_no.in_(list(chunk)))
                                      .returning(oprf_tokens.c.id))
                removed += len(result.fetchall())
        return removed

    def page(self, after: int, limit: int) -> TokenPage:
        """Entries with row id above ``after`` (0: from the start), at most ``limit``."""
        if after < 0 or not 0 < limit <= MAX_PAGE:
            raise ValueError(f"token page: want after >= 0 and 1 <= limit <= {MAX_PAGE}, "
                             f"got after {after}, limit {limit}")
        query = (select(oprf_tokens.c.id, oprf_tokens.c.token, oprf_tokens.c.shared_category)
                 .where(oprf_tokens.c.id > after).order_by(oprf_tokens.c.id).limit(limit))
        with read_tx(self._engine, "oprf_tokens_page") as conn:
            rows = conn.execute(query).all()
        entries = [(bytes(row.token), str(row.shared_category)) for row in rows]
        return TokenPage(entries, int(rows[-1].id) if len(rows) == limit else 0)

    def count(self) -> int:
        """Number of listings in the set."""
        with read_tx(self._engine, "oprf_tokens_count") as conn:
            return int(conn.execute(select(func.count()).select_from(oprf_tokens)).scalar_one())
