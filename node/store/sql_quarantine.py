"""The ``quarantine`` table: peer records the receiver refused, kept as evidence.

A refused record is never dropped silently and never accepted: it is stored here with the
verification step that failed and why, its bytes sealed with the node's master key (they
may hold personal data). The same item (same SHA-256) is kept once however often it
arrives, and at most ``max_per_origin`` items per peer: a peer that sends garbage
without end cannot fill the disk (beyond the cap an item is still refused, only not
kept, and a warning says so). Each method is one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Engine, func, select

from node.store.schema import quarantine
from node.store.sql_common import insert_ignore, utc, utc_now
from node.store.transactions import read_tx, write_tx

__all__ = ["MAX_PER_ORIGIN", "MAX_REASON", "QuarantineLog", "Quarantined", "QuarantinedItem"]

log = logging.getLogger(__name__)

MAX_REASON: Final = 300
MAX_PER_ORIGIN: Final = 10_000
"""Items kept per peer province by default."""
_MAX_LEAF: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A refused item to keep. ``item_sha256`` is 32 bytes; ``reason`` holds no PII."""

    origin: str
    record_no: str
    leaf_index: int
    step: int
    reason: str
    item_sha256: bytes
    sealed_item: bytes


@dataclass(frozen=True, slots=True)
class QuarantinedItem:
    """A quarantine row as stored (without the sealed bytes)."""

    id: int
    origin: str
    record_no: str
    leaf_index: int
    step: int
    reason: str
    received_at: datetime
    item_sha256: bytes


class QuarantineLog:
    """The quarantine over a migrated engine; ``clock`` gives aware ``received_at`` times."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now,
                 max_per_origin: int = MAX_PER_ORIGIN) -> None:
        self._engine = engine
        self._clock = clock
        self._cap = max_per_origin

    def add(self, item: Quarantined) -> bool:
        """Keep ``item``; False when an item with the same SHA-256 is already kept, or
        when ``item.origin`` already has ``max_per_origin`` items (the cap).

        Preconditions (``ValueError``): ``origin`` has 2 characters, ``step >= 1``,
        ``item_sha256`` has 32 bytes. ``record_no`` and ``reason`` are cut to their
        column widths (64 and :data:`MAX_REASON`) and ``leaf_index`` to 0..2^63-1.
        """
        if len(item.origin) != 2 or item.step < 1 or len(item.item_sha256) != 32:
            raise ValueError(
                f"quarantine item: want a 2-letter origin, step >= 1 and a 32-byte hash, got "
                f"{len(item.origin)} letters, step {item.step}, {len(item.item_sha256)} bytes")
        values = {
            "origin": item.origin, "record_no": item.record_no[:64],
            "leaf_index": min(max(item.leaf_index, 0), _MAX_LEAF), "step": item.step,
            "reason": item.reason[:MAX_REASON], "received_at": utc(self._clock()),
            "item_sha256": item.item_sha256, "sealed_item": item.sealed_item,
        }
        with write_tx(self._engine, "quarantine_add") as conn:
            held = conn.execute(select(func.count()).select_from(quarantine)
                                .where(quarantine.c.origin == item.origin)).scalar_one()
            if held >= self._cap:
                log.warning("quarantine full for a peer: item refused but not kept",
                            extra={"peer": item.origin, "cap": self._cap})
                return False
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT with RETURNING.
            inserted = conn.execute(insert_ignore(conn, quarantine, ["item_sha256"])
                                    .values(**values).returning(quarantine.c.id))
            return inserted.first() is not None

    def items(self, origin: str | None = None, limit: int = 100) -> list[QuarantinedItem]:
        """Kept items, oldest first, of one origin or all; at most ``limit`` (> 0)."""
        if limit <= 0:
            raise ValueError(f"quarantine items: got limit {limit}, want > 0")
        query = select(quarantine).order_by(quarantine.c.id).limit(limit)
        if origin is not None:
            query = query.where(quarantine.c.origin == origin)
        with read_tx(self._engine, "quarantine_items") as conn:
            return [
                QuarantinedItem(
                    id=row.id, origin=row.origin, record_no=row.record_no,
                    leaf_index=row.leaf_index, step=row.step, reason=row.reason,
                    received_at=utc(row.received_at), item_sha256=bytes(row.item_sha256))
                for row in conn.execute(query)
            ]

    def count(self) -> int:
        """Number of kept items."""
        with read_tx(self._engine, "quarantine_count") as conn:
            return int(conn.execute(select(func.count()).select_from(quarantine)).scalar_one())
