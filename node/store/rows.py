"""Plain rows going into and out of the store: frozen dataclasses, no database types.

Timestamps are timezone-aware UTC. Hashes, salts and tokens are 32-byte strings; the
payload is opaque sealed bytes (see ``crypto/sealing.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

from crypto.merkle import NodeID

__all__ = [
    "AUDIT_LOG",
    "FIRST_BATCH_SEQ",
    "RECORDS_LOG",
    "Batch",
    "BatchStatus",
    "ForeignRecord",
    "LogHead",
    "NewBatch",
    "NewRecord",
    "NodeRef",
    "Origin",
    "StoredRecord",
    "StoredRef",
]

RECORDS_LOG: Final = "records"
"""The province's record log: one leaf per local record commitment."""

AUDIT_LOG: Final = "audit"
"""The access audit log."""

FIRST_BATCH_SEQ: Final = 1
"""The ``seq`` of a log's first batch; each later batch has the previous seq plus one."""

Origin = Literal["local", "foreign"]
BatchStatus = Literal["signed", "submitted", "anchored"]
NodeRef = NodeID | tuple[int, int]
"""A perfect node of a log: a ``NodeID`` or a ``(level, index)`` pair."""


@dataclass(frozen=True, slots=True)
class NewRecord:
    """A validated, committed record ready to be stored.

    ``commitment``, ``salt`` and ``subject_token`` are 32 bytes each; ``province`` is the
    two-letter code of the province that owns the record (ours for local records).
    """

    province: str
    record_no: str
    kind: str
    local_category: str
    shared_category: str | None
    catalog_version: int | None
    severity: str
    rule_version: str
    commitment: bytes
    salt: bytes
    subject_token: bytes
    sealed_payload: bytes
    is_public: bool
    publicity_end: date | None
    status: str = "active"
    # Commitment scheme (crypto.disclosure): 2 puts 0x02 before the commitment in the leaf.
    # Not a column: a stored row's scheme is found by opening its commitment.
    scheme: int = 1
    # natural_person / organisation (node.domain.catalog.sharing.subject_type).
    subject_type: str | None = None


@dataclass(frozen=True, slots=True)
class ForeignRecord:
    """A record received from a peer, with its position in the origin's log and batch."""

    record: NewRecord
    leaf_index: int
    batch_seq: int


@dataclass(frozen=True, slots=True)
class StoredRef:
    """Where a record sits: its commitment and leaf index, and whether this call added it.

    ``created`` is False when the (province, record_no) already existed; the commitment
    and leaf index are then the existing ones.
    """

    province: str
    record_no: str
    commitment: bytes
    leaf_index: int
    created: bool


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record row as stored."""

    id: int
    province: str
    record_no: str
    kind: str
    local_category: str
    shared_category: str | None
    catalog_version: int | None
    severity: str
    rule_version: str
    commitment: bytes
    salt: bytes
    leaf_index: int
    subject_token: bytes
    sealed_payload: bytes
    is_public: bool
    publicity_end: date | None
    status: str
    origin: Origin
    batch_seq: int | None
    created_at: datetime
    # The data key's id in the key store (None: legacy row with the key inline).
    key_id: bytes | None = None
    subject_type: str | None = None


@dataclass(frozen=True, slots=True)
class LogHead:
    """A log's size and the peaks of its compact range [0, size), largest subtree first."""

    log_name: str
    size: int
    peaks: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class NewBatch:
    """A signed batch header over the log growth ``[start_size, end_size)``.

    ``seq`` must follow the log's latest batch (``FIRST_BATCH_SEQ`` for the first one),
    ``start_size`` must equal the previous batch's ``end_size`` (0 for the first) and
    ``prev_root`` its root (for the first batch, the root of the empty tree).
    """

    log_name: str
    seq: int
    start_size: int
    end_size: int
    root: bytes
    prev_root: bytes
    header_json: str
    signature: bytes


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch row as stored, with its anchoring progress."""

    log_name: str
    seq: int
    start_size: int
    end_size: int
    root: bytes
    prev_root: bytes
    header_json: str
    signature: bytes
    status: BatchStatus
    tx_hash: bytes | None
    block_number: int | None
    anchored_at: datetime | None
    created_at: datetime
