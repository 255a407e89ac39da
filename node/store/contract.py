"""The store's contract: what the rest of the node may ask of persistent state.

``SqlStore`` implements it over SQLAlchemy; tests run one contract suite against every
backend. Every write method is one transaction: it commits whole or not at all, and a
refusal raises a ``StoreError`` subclass (see ``node.store.errors``); a malformed argument
raises ``ValueError`` before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

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

__all__ = ["Store"]


class Store(Protocol):
    """Persistent state of one node: records, Merkle logs, batches, small settings."""

    # -- records ---------------------------------------------------------------------

    def add_records(self, rows: Sequence[NewRecord]) -> list[StoredRef]:
        """Store local records and append their commitments to the record log, atomically.

        Idempotent on (province, record_no): a key already stored (or repeated within
        ``rows``) adds nothing and returns the existing commitment and leaf index with
        ``created=False``. New records get consecutive leaf indices in input order.
        Returns one ref per input row, in input order.
        """
        ...

    def add_foreign_records(self, rows: Sequence[ForeignRecord]) -> list[StoredRef]:
        """Store verified records of other provinces at their origin's leaf index.

        Idempotent on (province, record_no) like ``add_records``; appends to no log.
        """
        ...

    def get_record(self, province: str, record_no: str) -> StoredRecord | None:
        """One record by its idempotency key."""
        ...

    def get_record_by_leaf(self, province: str, leaf_index: int) -> StoredRecord | None:
        """The record at ``leaf_index`` of ``province``'s record log."""
        ...

    def records_by_leaf_range(self, province: str, start: int, end: int) -> list[StoredRecord]:
        """The records of ``province`` with ``start <= leaf_index < end``, by leaf index."""
        ...

    def active_records_of_kind(self, province: str, kind: str, start: int, end: int
                               ) -> list[StoredRecord]:
        """:meth:`records_by_leaf_range` narrowed to active records of one ``kind``."""
        ...

    def records_by_subject(self, subject_token: bytes) -> list[StoredRecord]:
        """Every record (local and foreign, any status) of one subject token."""
        ...

    def public_records_ending(self, on_or_before: date, limit: int) -> list[StoredRecord]:
        """Up to ``limit`` public records whose publicity ends on or before the day."""
        ...

    def set_status(
        self, province: str, record_no: str, status: str, *, shred_payload: bool = False
    ) -> None:
        """Change a record's status; ``shred_payload`` also erases its sealed payload."""
        ...

    def set_publicity(
        self, province: str, record_no: str, is_public: bool, publicity_end: date | None
    ) -> None:
        """Change whether a record is published, and until when."""
        ...

    def count_records(self, origin: Origin | None = None) -> int:
        """Number of records (of one origin, if given)."""
        ...

    # -- Merkle logs -----------------------------------------------------------------

    def append_leaves(self, log_name: str, leaf_hashes: Sequence[bytes]) -> LogHead:
        """Append 32-byte leaf hashes to a log (e.g. the audit log); return its new head."""
        ...

    def log_head(self, log_name: str) -> LogHead:
        """A log's size and compact-range peaks (an unknown log is empty)."""
        ...

    def log_size(self, log_name: str) -> int:
        """Number of leaves in a log."""
        ...

    def log_root(self, log_name: str, size: int | None = None) -> bytes:
        """The RFC 9162 root of a log at ``size`` leaves (default: its current size)."""
        ...

    def get_nodes(self, log_name: str, ids: Sequence[NodeRef]) -> list[bytes]:
        """Hashes of perfect nodes ``(level, index)`` in the order asked; all must exist."""
        ...

    # -- batches ---------------------------------------------------------------------

    def unbatched_range(self, log_name: str = RECORDS_LOG) -> tuple[int, int]:
        """``(start, end)``: leaves appended since the latest batch (empty if start == end)."""
        ...

    def create_batch(self, batch: NewBatch) -> Batch:
        """Store a signed batch header, checking it continues the chain and the log."""
        ...

    def mark_batch_submitted(self, log_name: str, seq: int, tx_hash: bytes) -> None:
        """Record the anchoring transaction sent for a batch."""
        ...

    def mark_batch_anchored(
        self, log_name: str, seq: int, tx_hash: bytes, block_number: int, anchored_at: datetime
    ) -> None:
        """Record that a batch is anchored on the ledger."""
        ...

    def get_batch(self, log_name: str, seq: int) -> Batch | None:
        """One batch by seq."""
        ...

    def latest_batch(self, log_name: str = RECORDS_LOG) -> Batch | None:
        """The log's newest batch."""
        ...

    def batches_by_status(self, status: BatchStatus, log_name: str = RECORDS_LOG) -> list[Batch]:
        """The log's batches in one status, oldest first."""
        ...

    def batch_for_leaf(self, leaf_index: int, log_name: str = RECORDS_LOG) -> Batch | None:
        """The batch covering a leaf, or None while it is not batched yet."""
        ...

    # -- settings --------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A small stored setting."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Store (or replace) a small setting."""
        ...

    def claim_meta(self, key: str, value: str) -> bool:
        """Store a setting only if the key is new, atomically across processes; True if
        this call stored it (used for one-time values such as grant nonces)."""
        ...

    def claim_metas(self, items: Sequence[tuple[str, str]]) -> list[bool]:
        """``claim_meta`` of each ``(key, value)`` in order, in one transaction (a key
        repeated within ``items`` is claimed by its first occurrence only)."""
        ...

    def purge_meta(self, prefix: str, before: str) -> int:
        """Delete the settings whose key starts with ``prefix`` and whose value sorts
        before ``before`` (e.g. ISO times of expiry); the number deleted."""
        ...
