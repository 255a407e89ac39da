"""``SqlStore``: the ``Store`` contract over SQLAlchemy (SQLite or PostgreSQL).

Each method is one transaction built from the table modules (``sql_records``,
``sql_log``, ``sql_batches``). The engine must be migrated (``engine.migrate``) first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import Engine, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from crypto.disclosure import leaf_data
from crypto.merkle import CompactRange, hash_leaf
from node.domain.lifecycle import ACTIVE
from node.store import sql_batches, sql_log, sql_records
from node.store.contract import Store
from node.store.keystore import KeyStore, detach_rows
from node.store.rows import (
    RECORDS_LOG,
    Batch,
    BatchStatus,
    ForeignRecord,
    LogHead,
    NewBatch,
    NewRecord,
    NodeRef,
    Origin,
    StoredRecord,
    StoredRef,
)
from node.store.schema import kv_meta, records
from node.store.sql_common import utc, utc_now
from node.store.transactions import read_tx, write_tx

__all__ = ["SqlStore"]


class SqlStore(Store):
    """The node's store over a migrated SQLAlchemy engine.

    ``clock`` returns aware datetimes (``created_at`` values); ``range_factory`` restores
    a compact range from a stored (size, peaks) and exists so tests can observe it.
    ``keys``: the key store holding every record's wrapped data key apart from its
    ciphertext (``keystore.py``); without one (tests of other tables) payloads stay whole.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utc_now,
        range_factory: sql_log.RangeFactory = CompactRange,
        keys: KeyStore | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._range_factory = range_factory
        self._keys = keys

    @property
    def keys(self) -> KeyStore | None:
        """The key store (None: payloads are stored with their keys inline)."""
        return self._keys

    def _detach(self, rows: Sequence[NewRecord]
                ) -> tuple[list[tuple[bytes | None, bytes | None]], dict[bytes, bytes]]:
        if self._keys is None:
            return [(None, None)] * len(rows), {}
        kept, keys = detach_rows(rows)
        return list(kept), keys

    def _put_keys(self, keys: dict[bytes, bytes], used: set[bytes]) -> None:
        # Before the records commit: a record never points at a key that was not stored
        # (a failed commit leaves only unreferenced keys, which open nothing).
        if self._keys is not None:
            self._keys.put({k: w for k, w in keys.items() if k in used})

    def _attach(self, found: list[StoredRecord]) -> list[StoredRecord]:
        return found if self._keys is None else self._keys.attach(found)

    @property
    def engine(self) -> Engine:
        """The engine this store runs on."""
        return self._engine

    # -- records ---------------------------------------------------------------------

    def add_records(self, rows: Sequence[NewRecord]) -> list[StoredRef]:
        for position, record in enumerate(rows):
            sql_records.validate_record(position, record)
        now = utc(self._clock())
        detached, new_keys = self._detach(rows)
        with write_tx(self._engine, "add_records") as conn:
            head = sql_log.lock_log_head(conn, RECORDS_LOG)
            known = sql_records.existing_refs(conn, [(r.province, r.record_no) for r in rows])
            refs: list[StoredRef] = []
            new_rows: list[sql_records.RecordRow] = []
            leaves: list[bytes] = []
            used: set[bytes] = set()
            for record, (body, key_id) in zip(rows, detached, strict=True):
                key = (record.province, record.record_no)
                if key in known:
                    commitment, leaf = known[key]
                    refs.append(StoredRef(*key, commitment, leaf, created=False))
                    continue
                leaf = head.size + len(leaves)
                known[key] = (record.commitment, leaf)
                new_rows.append(sql_records.record_row(
                    record, leaf_index=leaf, origin="local", batch_seq=None, created_at=now,
                    payload=body, key_id=key_id))
                if key_id is not None:
                    used.add(key_id)
                leaves.append(hash_leaf(leaf_data(record.scheme, record.commitment)))
                refs.append(StoredRef(*key, record.commitment, leaf, created=True))
            sql_records.insert_rows(conn, new_rows)
            sql_log.append_leaves(conn, head, leaves, self._range_factory)
            self._put_keys(new_keys, used)
        return refs

    def add_foreign_records(self, rows: Sequence[ForeignRecord]) -> list[StoredRef]:
        for position, foreign in enumerate(rows):
            sql_records.validate_record(position, foreign.record)
            if foreign.leaf_index < 0 or foreign.batch_seq < 0:
                raise ValueError(f"record #{position}: leaf_index and batch_seq must be >= 0, "
                                 f"got {foreign.leaf_index} and {foreign.batch_seq}")
        now = utc(self._clock())
        detached, new_keys = self._detach([f.record for f in rows])
        with write_tx(self._engine, "add_foreign_records") as conn:
            keys = [(f.record.province, f.record.record_no) for f in rows]
            known = sql_records.existing_refs(conn, keys)
            refs: list[StoredRef] = []
            new_rows: list[sql_records.RecordRow] = []
            used: set[bytes] = set()
            for key, foreign, (body, key_id) in zip(keys, rows, detached, strict=True):
                if key in known:
                    commitment, leaf = known[key]
                    refs.append(StoredRef(*key, commitment, leaf, created=False))
                    continue
                known[key] = (foreign.record.commitment, foreign.leaf_index)
                new_rows.append(sql_records.record_row(
                    foreign.record, leaf_index=foreign.leaf_index, origin="foreign",
                    batch_seq=foreign.batch_seq, created_at=now, payload=body, key_id=key_id))
                if key_id is not None:
                    used.add(key_id)
                refs.append(StoredRef(*key, foreign.record.commitment, foreign.leaf_index,
                                      created=True))
            sql_records.insert_rows(conn, new_rows)
            self._put_keys(new_keys, used)
        return refs

    def _one(self, action: str, *where: object) -> StoredRecord | None:
        with read_tx(self._engine, action) as conn:
            found = sql_records.select_records(conn, *where, limit=1)
        return self._attach(found)[0] if found else None

    def get_record(self, province: str, record_no: str) -> StoredRecord | None:
        return self._one("get_record", records.c.province == province,
                         records.c.record_no == record_no)

    def get_record_by_leaf(self, province: str, leaf_index: int) -> StoredRecord | None:
        return self._one("get_record_by_leaf", records.c.province == province,
                         records.c.leaf_index == leaf_index)

    def records_by_leaf_range(self, province: str, start: int, end: int) -> list[StoredRecord]:
        with read_tx(self._engine, "records_by_leaf_range") as conn:
            found = sql_records.select_records(
                conn, records.c.province == province, records.c.leaf_index >= start,
                records.c.leaf_index < end, order=records.c.leaf_index)
        return self._attach(found)

    def active_records_of_kind(self, province: str, kind: str, start: int, end: int
                               ) -> list[StoredRecord]:
        with read_tx(self._engine, "active_records_of_kind") as conn:
            found = sql_records.select_records(
                conn, records.c.province == province, records.c.leaf_index >= start,
                records.c.leaf_index < end, records.c.kind == kind,
                records.c.status == ACTIVE, order=records.c.leaf_index)
        return self._attach(found)

    def records_by_subject(self, subject_token: bytes) -> list[StoredRecord]:
        with read_tx(self._engine, "records_by_subject") as conn:
            found = sql_records.records_of_subject(conn, subject_token)
        return self._attach(found)

    def public_records_ending(self, on_or_before: date, limit: int) -> list[StoredRecord]:
        if limit <= 0:
            raise ValueError(f"public_records_ending: got limit {limit}, want > 0")
        with read_tx(self._engine, "public_records_ending") as conn:
            found = sql_records.select_records(
                conn, records.c.is_public.is_(True), records.c.publicity_end <= on_or_before,
                order=records.c.publicity_end, limit=limit)
        return self._attach(found)

    def set_status(
        self, province: str, record_no: str, status: str, *, shred_payload: bool = False
    ) -> None:
        # The row first (no reader answers the record from then on), then the key: once it
        # is gone the payload is unreadable in every copy of the node database. A failure
        # in between raises; calling again finishes the shredding (idempotent).
        with write_tx(self._engine, "set_status") as conn:
            key_id = sql_records.key_id_of(conn, (province, record_no))
            sql_records.set_status(conn, (province, record_no), status, shred_payload)
        if shred_payload and self._keys is not None and key_id is not None:
            self._keys.shred([key_id])

    def set_publicity(
        self, province: str, record_no: str, is_public: bool, publicity_end: date | None
    ) -> None:
        with write_tx(self._engine, "set_publicity") as conn:
            sql_records.set_publicity(conn, (province, record_no), is_public, publicity_end)

    def count_records(self, origin: Origin | None = None) -> int:
        with read_tx(self._engine, "count_records") as conn:
            return sql_records.count_records(conn, origin)

    # -- Merkle logs -----------------------------------------------------------------

    def append_leaves(self, log_name: str, leaf_hashes: Sequence[bytes]) -> LogHead:
        with write_tx(self._engine, "append_leaves") as conn:
            head = sql_log.lock_log_head(conn, log_name)
            return sql_log.append_leaves(conn, head, leaf_hashes, self._range_factory)

    def log_head(self, log_name: str) -> LogHead:
        with read_tx(self._engine, "log_head") as conn:
            return sql_log.read_log_head(conn, log_name)

    def log_size(self, log_name: str) -> int:
        return self.log_head(log_name).size

    def log_root(self, log_name: str, size: int | None = None) -> bytes:
        with read_tx(self._engine, "log_root") as conn:
            if size is None:
                size = sql_log.read_log_head(conn, log_name).size
            return sql_log.root_at(conn, log_name, size)

    def get_nodes(self, log_name: str, ids: Sequence[NodeRef]) -> list[bytes]:
        with read_tx(self._engine, "get_nodes") as conn:
            return sql_log.get_nodes(conn, log_name, ids)

    # -- batches ---------------------------------------------------------------------

    def unbatched_range(self, log_name: str = RECORDS_LOG) -> tuple[int, int]:
        with read_tx(self._engine, "unbatched_range") as conn:
            latest = sql_batches.latest_batch(conn, log_name)
            size = sql_log.read_log_head(conn, log_name).size
        return (0 if latest is None else latest.end_size), size

    def create_batch(self, batch: NewBatch) -> Batch:
        sql_batches.validate_new_batch(batch)
        now = utc(self._clock())
        with write_tx(self._engine, "create_batch") as conn:
            head = sql_log.lock_log_head(conn, batch.log_name)
            return sql_batches.insert_batch(conn, head, batch, now)

    def mark_batch_submitted(self, log_name: str, seq: int, tx_hash: bytes) -> None:
        with write_tx(self._engine, "mark_batch_submitted") as conn:
            sql_batches.mark_submitted(conn, log_name, seq, tx_hash)

    def mark_batch_anchored(
        self, log_name: str, seq: int, tx_hash: bytes, block_number: int, anchored_at: datetime
    ) -> None:
        with write_tx(self._engine, "mark_batch_anchored") as conn:
            sql_batches.mark_anchored(conn, log_name, seq, tx_hash, block_number,
                                      utc(anchored_at))

    def get_batch(self, log_name: str, seq: int) -> Batch | None:
        with read_tx(self._engine, "get_batch") as conn:
            return sql_batches.get_batch(conn, log_name, seq)

    def latest_batch(self, log_name: str = RECORDS_LOG) -> Batch | None:
        with read_tx(self._engine, "latest_batch") as conn:
            return sql_batches.latest_batch(conn, log_name)

    def batches_by_status(self, status: BatchStatus, log_name: str = RECORDS_LOG) -> list[Batch]:
        with read_tx(self._engine, "batches_by_status") as conn:
            return sql_batches.select_batches(conn, log_name, status)

    def batch_for_leaf(self, leaf_index: int, log_name: str = RECORDS_LOG) -> Batch | None:
        with read_tx(self._engine, "batch_for_leaf") as conn:
            return sql_batches.batch_for_leaf(conn, log_name, leaf_index)

    # -- settings --------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with read_tx(self._engine, "get_meta") as conn:
            value = conn.execute(select(kv_meta.c.value).where(kv_meta.c.key == key))
            return value.scalar_one_or_none()

    def set_meta(self, key: str, value: str) -> None:
        if not 0 < len(key) <= 64:
            raise ValueError(f"setting key has {len(key)} chars, want 1..64")
        with write_tx(self._engine, "set_meta") as conn:
            upsert = (postgresql.insert(kv_meta) if conn.dialect.name == "postgresql"
                      else sqlite.insert(kv_meta))
            conn.execute(upsert.values(key=key, value=value).on_conflict_do_update(
                index_elements=["key"], set_={"value": value}))

    def claim_meta(self, key: str, value: str) -> bool:
        return self.claim_metas([(key, value)])[0]

    def claim_metas(self, items: Sequence[tuple[str, str]]) -> list[bool]:
        for key, _ in items:
            if not 0 < len(key) <= 64:
                raise ValueError(f"setting key has {len(key)} chars, want 1..64")
        if not items:
            return []
        with write_tx(self._engine, "claim_meta") as conn:
            insert = (postgresql.insert(kv_meta) if conn.dialect.name == "postgresql"
                      else sqlite.insert(kv_meta))
            # RETURNING, not rowcount: psycopg reports -1 for this statement.
            statement = (insert.values(key=bindparam("k"), value=bindparam("v"))
                         .on_conflict_do_nothing(index_elements=["key"])
                         .returning(kv_meta.c.key))
            return [conn.execute(statement, {"k": key, "v": value}).first() is not None
                    for key, value in items]

    def purge_meta(self, prefix: str, before: str) -> int:
        if not prefix:
            raise ValueError("setting prefix must be non-empty")
        with write_tx(self._engine, "purge_meta") as conn:
            deleted = conn.execute(delete(kv_meta).where(
                kv_meta.c.key.startswith(prefix, autoescape=True),
                kv_meta.c.value < before).returning(kv_meta.c.key))
            return len(deleted.fetchall())
