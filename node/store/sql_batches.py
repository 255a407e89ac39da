"""The ``batches`` table: signed batch headers and their anchoring progress.

A log's batches tile it without gaps: batch ``seq`` covers ``[start_size, end_size)``,
starts where the previous one ended and chains to its root. ``insert_batch`` checks that,
and that the root is the log's root at ``end_size``, before writing.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from crypto.merkle import EMPTY_ROOT
from node.store.errors import StoreConflictError, StoreNotFoundError
from node.store.rows import FIRST_BATCH_SEQ, Batch, BatchStatus, LogHead, NewBatch
from node.store.schema import batches
from node.store.sql_common import utc
from node.store.sql_log import root_at

__all__ = [
    "batch_for_leaf",
    "get_batch",
    "insert_batch",
    "latest_batch",
    "mark_anchored",
    "mark_submitted",
    "select_batches",
    "validate_new_batch",
]


def _to_batch(row: Row[Any]) -> Batch:
    status: BatchStatus = row.status
    return Batch(
        log_name=row.log_name,
        seq=row.seq,
        start_size=row.start_size,
        end_size=row.end_size,
        root=bytes(row.root),
        prev_root=bytes(row.prev_root),
        header_json=row.header_json,
        signature=bytes(row.signature),
        status=status,
        tx_hash=None if row.tx_hash is None else bytes(row.tx_hash),
        block_number=row.block_number,
        anchored_at=None if row.anchored_at is None else utc(row.anchored_at),
        created_at=utc(row.created_at),
    )


def validate_new_batch(batch: NewBatch) -> None:
    """Refuse a batch whose fixed-size fields or sizes are malformed (``ValueError``)."""
    for name, want in (("root", 32), ("prev_root", 32), ("signature", 64)):
        got = len(getattr(batch, name))
        if got != want:
            raise ValueError(f"batch {batch.seq} of log {batch.log_name!r}: {name} has "
                             f"{got} bytes, want {want}")
    if not 0 <= batch.start_size < batch.end_size:
        raise ValueError(f"batch {batch.seq} of log {batch.log_name!r}: sizes "
                         f"[{batch.start_size}, {batch.end_size}) are not a non-empty range")


def latest_batch(conn: Connection, log_name: str) -> Batch | None:
    """The log's batch with the highest seq, if any."""
    row = conn.execute(
        select(batches).where(batches.c.log_name == log_name)
        .order_by(batches.c.seq.desc()).limit(1)
    ).one_or_none()
    return None if row is None else _to_batch(row)


def get_batch(conn: Connection, log_name: str, seq: int) -> Batch | None:
    """One batch by (log, seq)."""
    row = conn.execute(
        select(batches).where(batches.c.log_name == log_name, batches.c.seq == seq)
    ).one_or_none()
    return None if row is None else _to_batch(row)


def select_batches(conn: Connection, log_name: str, status: BatchStatus) -> list[Batch]:
    """The log's batches in one status, oldest first."""
    rows = conn.execute(
        select(batches).where(batches.c.log_name == log_name, batches.c.status == status)
        .order_by(batches.c.seq)
    )
    return [_to_batch(row) for row in rows]


def batch_for_leaf(conn: Connection, log_name: str, leaf_index: int) -> Batch | None:
    """The batch covering ``leaf_index``, or None while that leaf is not batched yet."""
    row = conn.execute(
        select(batches).where(batches.c.log_name == log_name, batches.c.end_size > leaf_index)
        .order_by(batches.c.end_size).limit(1)
    ).one_or_none()
    if row is None or row.start_size > leaf_index:
        return None
    return _to_batch(row)


def insert_batch(conn: Connection, head: LogHead, batch: NewBatch, now: datetime) -> Batch:
    """Check ``batch`` continues the log's batches and commits to its tree, then insert it.

    Preconditions: ``head`` is the locked state of ``batch.log_name``; ``batch`` passed
    ``validate_new_batch``. Raises ``StoreConflictError`` naming the field that breaks
    the chain (seq, start_size, prev_root, end_size or root).
    """
    where = f"batch {batch.seq} of log {batch.log_name!r}"
    prev = latest_batch(conn, batch.log_name)
    want_seq = FIRST_BATCH_SEQ if prev is None else prev.seq + 1
    want_start = 0 if prev is None else prev.end_size
    want_prev_root = EMPTY_ROOT if prev is None else prev.root
    if batch.seq != want_seq:
        raise StoreConflictError(f"{where}: got seq {batch.seq}, want {want_seq}")
    if batch.start_size != want_start:
        raise StoreConflictError(f"{where}: got start_size {batch.start_size}, want {want_start}")
    if batch.prev_root != want_prev_root:
        raise StoreConflictError(f"{where}: prev_root {batch.prev_root.hex()} is not the "
                                 f"previous root {want_prev_root.hex()}")
    if batch.end_size > head.size:
        raise StoreConflictError(f"{where}: got end_size {batch.end_size}, want at most the "
                                 f"log size {head.size}")
    root = root_at(conn, batch.log_name, batch.end_size)
    if batch.root != root:
        raise StoreConflictError(f"{where}: root {batch.root.hex()} differs from the log's "
                                 f"root {root.hex()} at size {batch.end_size}")
    stored = Batch(
        log_name=batch.log_name, seq=batch.seq, start_size=batch.start_size,
        end_size=batch.end_size, root=batch.root, prev_root=batch.prev_root,
        header_json=batch.header_json, signature=batch.signature, status="signed",
        tx_hash=None, block_number=None, anchored_at=None, created_at=now,
    )
    conn.execute(batches.insert(), asdict(stored))
    return stored


def _transition(
    conn: Connection, log_name: str, seq: int, allowed: tuple[BatchStatus, ...],
    values: dict[str, Any],
) -> None:
    result = conn.execute(
        update(batches)
        .where(batches.c.log_name == log_name, batches.c.seq == seq,
               batches.c.status.in_(allowed))
        .values(**values)
    )
    if result.rowcount == 1:
        return
    current = get_batch(conn, log_name, seq)
    if current is None:
        raise StoreNotFoundError(f"log {log_name!r} has no batch {seq}")
    raise StoreConflictError(
        f"batch {seq} of log {log_name!r} is {current.status!r}: cannot become "
        f"{values['status']!r} (allowed from {', '.join(allowed)})"
    )


def mark_submitted(conn: Connection, log_name: str, seq: int, tx_hash: bytes) -> None:
    """Record the anchoring transaction sent for a batch (again, if it was replaced)."""
    if len(tx_hash) != 32:
        raise ValueError(f"batch {seq} of log {log_name!r}: tx_hash has {len(tx_hash)} "
                         "bytes, want 32")
    _transition(conn, log_name, seq, ("signed", "submitted"),
                {"status": "submitted", "tx_hash": tx_hash})


def mark_anchored(
    conn: Connection, log_name: str, seq: int, tx_hash: bytes, block_number: int,
    anchored_at: datetime,
) -> None:
    """Record that a batch's root is on the ledger, in ``block_number`` by ``tx_hash``.

    Marking an anchored batch again with the same transaction and block is a no-op.
    """
    if len(tx_hash) != 32 or block_number < 0:
        raise ValueError(f"batch {seq} of log {log_name!r}: want a 32-byte tx_hash and a "
                         f"block number >= 0, got {len(tx_hash)} bytes and {block_number}")
    current = get_batch(conn, log_name, seq)
    if (current is not None and current.status == "anchored"
            and current.tx_hash == tx_hash and current.block_number == block_number):
        return
    _transition(conn, log_name, seq, ("signed", "submitted"), {
        "status": "anchored", "tx_hash": tx_hash, "block_number": block_number,
        "anchored_at": anchored_at,
    })
