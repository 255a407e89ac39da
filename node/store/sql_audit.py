"""``AuditStore``: audit entries in ``audit_entries``, their leaves in the "audit" Merkle log.

``append_entries`` writes the entry rows and appends their leaf hashes to the log in one
transaction, under the log's lock (``sql_log.lock_log_head``): an entry is never stored
without its leaf, nor a leaf without its entry, and concurrent writers get distinct,
gap-free indices. The leaf hash is computed here from the bytes stored, so the two cannot
disagree. Usage::

    audit = AuditStore(engine)                       # engine already migrated
    first, head = audit.append_entries([("req-1", entry_bytes)])
    for index, entry in audit.iter_entries(): ...

Entries are opaque bytes to this module; ``node.audit.events`` defines them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Engine, select

from crypto.merkle import CompactRange, NodeID, hash_leaf
from node.store import sql_log
from node.store.bulk import bulk_insert
from node.store.rows import AUDIT_LOG, LogHead
from node.store.schema import audit_entries
from node.store.sql_common import utc, utc_now
from node.store.transactions import read_tx, write_tx

__all__ = ["AuditStore", "StoredEntry"]

_COLUMNS: Final = ("log_name", "idx", "request_id", "entry", "created_at")
_MAX_REQUEST_ID: Final = 128
PAGE: Final = 10_000
"""Rows per read transaction when streaming a whole log."""


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An audit entry as stored: its leaf index, request id, bytes and write time (UTC)."""

    index: int
    request_id: str
    entry: bytes
    created_at: datetime


class AuditStore:
    """Audit entries over a migrated engine (SQLite or PostgreSQL).

    ``clock`` gives ``created_at``; ``range_factory`` restores the log's compact range
    (as in ``SqlStore``).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utc_now,
        range_factory: sql_log.RangeFactory = CompactRange,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._range_factory = range_factory

    def append_entries(
        self, entries: Sequence[tuple[str, bytes]], log_name: str = AUDIT_LOG,
        written: list[tuple[str, int, int, bytes]] | None = None,
    ) -> tuple[int, LogHead]:
        """Store ``(request_id, entry)`` pairs as the log's next leaves, in one transaction.

        Returns the index of the first entry and the log's new head; ``written`` (when
        given) receives the log's new perfect nodes (``sql_log.append_leaves``). Preconditions
        (checked, ``ValueError``): each request id has 1..128 characters and each entry
        is non-empty bytes.
        """
        for position, (request_id, entry) in enumerate(entries):
            if not isinstance(request_id, str) or not 0 < len(request_id) <= _MAX_REQUEST_ID:
                raise ValueError(f"audit entry #{position}: request id must be 1..128 chars")
            if not isinstance(entry, bytes) or not entry:
                raise ValueError(f"audit entry #{position}: entry must be non-empty bytes")
        now = utc(self._clock())
        with write_tx(self._engine, "append_audit_entries") as conn:
            head = sql_log.lock_log_head(conn, log_name)
            first = head.size
            rows = [(log_name, first + i, request_id, entry, now)
                    for i, (request_id, entry) in enumerate(entries)]
            bulk_insert(conn, audit_entries, _COLUMNS, rows)
            leaves = [hash_leaf(entry) for _, entry in entries]
            new_head = sql_log.append_leaves(conn, head, leaves, self._range_factory,
                                             written)
        return first, new_head

    def entry(self, index: int, log_name: str = AUDIT_LOG) -> StoredEntry | None:
        """The entry at leaf ``index``, or ``None`` if the log holds none there."""
        found = self.entries(index, 1, log_name)
        return found[0] if found and found[0].index == index else None

    def entries(self, start: int, limit: int, log_name: str = AUDIT_LOG) -> list[StoredEntry]:
        """Up to ``limit`` entries from leaf ``start`` on, in index order (one page).

        Preconditions (checked, ``ValueError``): ``start >= 0`` and ``limit > 0``.
        """
        if start < 0 or limit <= 0:
            raise ValueError(f"audit entries: got start {start}, limit {limit}; "
                             "want start >= 0, limit > 0")
        t = audit_entries.c
        query = (select(t.idx, t.request_id, t.entry, t.created_at)
                 .where(t.log_name == log_name, t.idx >= start)
                 .order_by(t.idx).limit(limit))
        with read_tx(self._engine, "audit_entries") as conn:
            rows = conn.execute(query).all()
        return [StoredEntry(row.idx, row.request_id, bytes(row.entry), utc(row.created_at))
                for row in rows]

    def iter_entries(
        self, start: int = 0, end: int | None = None, log_name: str = AUDIT_LOG,
        page: int = PAGE,
    ) -> Iterator[tuple[int, bytes]]:
        """Stream ``(index, entry)`` of the stored rows with ``start <= index < end``.

        Each page is its own short read transaction (keyset on the index), so a scan of
        millions of rows holds no lock and no transaction open; rows appended meanwhile
        may appear at the end. A missing row is simply absent: callers check for gaps.
        """
        t = audit_entries.c
        cursor = start
        while end is None or cursor < end:
            query = select(t.idx, t.entry).where(t.log_name == log_name, t.idx >= cursor)
            if end is not None:
                query = query.where(t.idx < end)
            with read_tx(self._engine, "iter_audit_entries") as conn:
                rows = conn.execute(query.order_by(t.idx).limit(page)).all()
            for index, entry in rows:
                yield index, bytes(entry)
            if len(rows) < page:
                return
            cursor = rows[-1][0] + 1

    def indexes_of(self, request_id: str, log_name: str = AUDIT_LOG) -> list[int]:
        """Indices of every entry logged under ``request_id``, ascending."""
        t = audit_entries.c
        query = (select(t.idx).where(t.log_name == log_name, t.request_id == request_id)
                 .order_by(t.idx))
        with read_tx(self._engine, "audit_indexes_of") as conn:
            return [int(index) for index in conn.execute(query).scalars()]

    def nodes_at_head(
        self, plan: Callable[[int], Sequence[NodeID]], log_name: str = AUDIT_LOG
    ) -> list[bytes]:
        """The hashes of the nodes ``plan(current size)`` names, in its order, read with
        the size in one read transaction (one snapshot, one round trip less per proof).

        ``plan`` may raise to refuse the size; ``StoreNotFoundError`` names the first
        node the log does not hold.
        """
        with read_tx(self._engine, "audit_nodes_at_head") as conn:
            ids = plan(sql_log.read_log_head(conn, log_name).size)
            return sql_log.get_nodes(conn, log_name, ids) if ids else []

    def get_nodes(self, ids: Sequence[NodeID], log_name: str = AUDIT_LOG) -> list[bytes]:
        """The hashes of the named perfect nodes of the log, in the order asked
        (``StoreNotFoundError`` naming the first node the log does not hold)."""
        with read_tx(self._engine, "audit_get_nodes") as conn:
            return sql_log.get_nodes(conn, log_name, ids)

