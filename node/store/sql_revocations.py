"""Revocation notices: this province's revocation log, and the verified notices of peers.

Our notices are appended as leaves of the ``revocations`` Merkle log (leaf hash
``H(0x00 ‖ notice)``) in the same transaction that stores them, so the log and the table
never disagree; batches of that log are sealed and anchored like record batches (the
``batches`` table under log name ``REVOCATIONS_LOG``). A peer's notice is stored only
after its proof was verified, at its origin's leaf index (idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Engine, Row, select
from sqlalchemy.engine import Connection

from crypto.merkle import CompactRange, hash_leaf
from node.store import sql_log, sql_records
from node.store.schema import revocations
from node.store.sql_common import insert_ignore, utc, utc_now
from node.store.transactions import read_tx, write_tx

__all__ = ["REVOCATIONS_LOG", "RevocationStore", "StoredNotice"]

REVOCATIONS_LOG: Final = "revocations"
"""The province's revocation log: one leaf per repair / withdrawal notice."""


@dataclass(frozen=True, slots=True)
class StoredNotice:
    """A notice as stored: where it sits in its origin's revocation log, and its bytes."""

    province: str
    idx: int
    record_no: str
    notice: bytes
    origin: str
    batch_seq: int | None
    created_at: datetime


def _row(row: Row[Any]) -> StoredNotice:
    return StoredNotice(province=row.province, idx=row.idx, record_no=row.record_no,
                        notice=bytes(row.notice), origin=row.origin, batch_seq=row.batch_seq,
                        created_at=utc(row.created_at))


def _check(province: str, record_no: str, notice: bytes) -> None:
    if len(province) != 2 or not 0 < len(record_no) <= 64:
        raise ValueError(f"revocation: province has {len(province)} chars (want 2) or "
                         f"record_no {len(record_no)} (want 1..64)")
    if not isinstance(notice, bytes) or not notice:
        raise ValueError("revocation: notice must be non-empty bytes")


def append_local(conn: Connection, province: str, record_no: str, notice: bytes,
                 now: datetime) -> StoredNotice:
    """Inside ``conn``'s write transaction: our notice stored and appended to the log."""
    head = sql_log.lock_log_head(conn, REVOCATIONS_LOG)
    conn.execute(revocations.insert().values(
        province=province, idx=head.size, record_no=record_no, notice=notice,
        origin="local", batch_seq=None, created_at=now))
    sql_log.append_leaves(conn, head, [hash_leaf(notice)], CompactRange)
    return StoredNotice(province, head.size, record_no, notice, "local", None, now)


class RevocationStore:
    """Revocation notices over a migrated engine (the node's own database)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def add_local(self, province: str, record_no: str, notice: bytes, *,
                  status: str | None = None, shred_payload: bool = False,
                  also: Callable[[Connection], object] | None = None) -> StoredNotice:
        """Append our notice to the revocation log and store it, in one transaction.

        With ``status`` the record's new status (and, with ``shred_payload``, its sealed
        payload erased) is written in that same transaction, after ``also`` (the store's
        own step, e.g. an objection filed): a crash leaves either all of it or none — never
        a notice peers act on while the origin still shows the record as before, nor a
        request refused as "already done" that was only half done. Deleting the data key
        from the key store (another database) is the caller's next step."""
        _check(province, record_no, notice)
        now = utc(self._clock())
        with write_tx(self._engine, "add_local_revocation") as conn:
            if also is not None:
                also(conn)
            stored = append_local(conn, province, record_no, notice, now)
            if status is not None:
                sql_records.set_status(conn, (province, record_no), status, shred_payload)
        return stored

    def add_foreign(self, province: str, idx: int, record_no: str, notice: bytes,
                    batch_seq: int) -> bool:
        """Store a peer's verified notice; False when it was already held."""
        _check(province, record_no, notice)
        if idx < 0 or batch_seq < 0:
            raise ValueError(f"revocation: idx and batch_seq must be >= 0, got {idx}, {batch_seq}")
        with write_tx(self._engine, "add_foreign_revocation") as conn:
            result = conn.execute(insert_ignore(conn, revocations, ["province", "idx"]).values(
                province=province, idx=idx, record_no=record_no, notice=notice,
                origin="foreign", batch_seq=batch_seq, created_at=utc(self._clock())))
            return bool(result.rowcount)

    def in_range(self, province: str, start: int, end: int) -> list[StoredNotice]:
        """``province``'s notices with ``start <= idx < end``, by index."""
        with read_tx(self._engine, "revocations_in_range") as conn:
            return self._select(conn, revocations.c.province == province,
                                revocations.c.idx >= start, revocations.c.idx < end)

    def of_record(self, province: str, record_no: str) -> list[StoredNotice]:
        """Every notice naming one record, oldest first."""
        with read_tx(self._engine, "revocations_of_record") as conn:
            return self._select(conn, revocations.c.province == province,
                                revocations.c.record_no == record_no)

    @staticmethod
    def _select(conn: Connection, *where: Any) -> list[StoredNotice]:
        query = select(revocations).where(*where).order_by(revocations.c.idx)
        return [_row(row) for row in conn.execute(query)]
