"""Revocation notices, and the province's revocation log sealed and anchored like records.

A notice says "record ``record_no`` of ``province`` (commitment ``c`` at leaf ``i`` of the
record log) is no longer answered, because ``reason``" — or, for an objection, that it is
flagged while checked, and then that the flag is cleared (``REASONS``). It holds ids only:
no name, no ID number, not the repair basis (that stays at the origin). Notices are leaves
of the province's revocation log (``REVOCATIONS_LOG``); each batch of that log has a header
of the same fields as a record batch (catalog version 0) signed under its own domain tag, so
a revocation header can never pass for a record batch header or the other way round, and its
root is anchored with ``RecordAnchors.anchorRevocations`` (strictly consecutive seq per
province, like record batches).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

import nacl.signing

from crypto.batch_header import BatchHeader
from crypto.canonical import canonical_bytes, decode_canonical
from crypto.errors import CryptoError
from crypto.signing import NodePublicKey, sign, verify
from node.store.contract import Store
from node.store.rows import FIRST_BATCH_SEQ, Batch, NewBatch
from node.store.sql_revocations import REVOCATIONS_LOG

log = logging.getLogger(__name__)

__all__ = [
    "ENDING",
    "REASONS",
    "REVOCATION_HEADER_DOMAIN",
    "Notice",
    "anchor_revocations",
    "make_notice",
    "parse_notice",
    "seal_revocations",
    "sign_revocation_header",
    "verify_revocation_header",
]

REVOCATION_HEADER_DOMAIN: Final = b"yrd-credit/revocation-header/v1\x00"
NOTICE_VERSION: Final = 1
REASONS: Final = frozenset({"repair", "corrected", "objection", "upheld", "unverifiable"})
"""What a notice says of its record. Ending it (its data key destroyed everywhere):
``repair`` (an accepted credit repair) and ``corrected`` (an objection decided so; a new
version replaces it). Flagging it: ``objection`` (异议标注 while it is checked). Clearing
the flag: ``upheld`` and ``unverifiable`` (the objection decided so; the record stays)."""
ENDING: Final = frozenset({"repair", "corrected"})
_ZERO = bytes(32)


@dataclass(frozen=True)
class Notice:
    """A parsed revocation notice (see the module doc)."""

    province: str
    record_no: str
    commitment: bytes
    leaf_index: int
    reason: str
    request_id: str
    effective: str


def make_notice(*, province: str, record_no: str, commitment: bytes, leaf_index: int,
                reason: str, request_id: str, effective: datetime) -> bytes:
    """The canonical JSON bytes of a notice (``ValueError`` for a bad field)."""
    if reason not in REASONS:
        raise ValueError(f"notice reason {reason!r}: want one of {sorted(REASONS)}")
    if len(commitment) != 32 or leaf_index < 0:
        raise ValueError("notice: commitment must be 32 bytes and leaf_index >= 0")
    return canonical_bytes({
        "v": NOTICE_VERSION, "province": province, "record_no": record_no,
        "commitment": commitment.hex(), "leaf_index": leaf_index, "reason": reason,
        "request_id": request_id,
        "effective": effective.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })


def parse_notice(data: bytes) -> Notice:
    """Parse notice bytes; ``ValueError`` names the field at fault."""
    try:
        doc: Mapping[str, object] = decode_canonical(data)
    except (CryptoError, ValueError) as exc:
        raise ValueError(f"notice: not canonical JSON ({exc})") from exc
    if doc.get("v") != NOTICE_VERSION:
        raise ValueError(f"notice.v: want {NOTICE_VERSION}")
    text = {k: doc.get(k) for k in ("province", "record_no", "commitment", "reason",
                                    "request_id", "effective")}
    for name, value in text.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"notice.{name}: want a non-empty string")
    leaf = doc.get("leaf_index")
    if type(leaf) is not int or leaf < 0:
        raise ValueError("notice.leaf_index: want an integer >= 0")
    try:
        commitment = bytes.fromhex(str(text["commitment"]))
    except ValueError as exc:
        raise ValueError("notice.commitment: want 64 hex digits") from exc
    if len(commitment) != 32 or text["reason"] not in REASONS:
        raise ValueError(f"notice.commitment (32 bytes) or notice.reason (one of "
                         f"{sorted(REASONS)}) is wrong")
    return Notice(province=str(text["province"]), record_no=str(text["record_no"]),
                  commitment=commitment, leaf_index=leaf, reason=str(text["reason"]),
                  request_id=str(text["request_id"]), effective=str(text["effective"]))


def sign_revocation_header(header: BatchHeader, key: nacl.signing.SigningKey) -> bytes:
    """Ed25519 over the revocation domain tag and the header's fixed-width fields."""
    return sign(header.signed_body(), key, REVOCATION_HEADER_DOMAIN)


def verify_revocation_header(header: BatchHeader, signature: bytes,
                             public_key: NodePublicKey) -> None:
    """Return None or raise ``InvalidSignature`` (``ValueError`` for a bad key length)."""
    verify(header.signed_body(), signature, public_key, REVOCATION_HEADER_DOMAIN)


def seal_revocations(store: Store, *, province: str, signing_key: nacl.signing.SigningKey,
                     now: Callable[[], float] = time.time) -> Batch | None:
    """Sign and store a batch over the revocation log's unbatched growth (None: none)."""
    start, end = store.unbatched_range(REVOCATIONS_LOG)
    if start == end:
        return None
    previous = store.latest_batch(REVOCATIONS_LOG)
    seq = FIRST_BATCH_SEQ if previous is None else previous.seq + 1
    prev_root = store.log_root(REVOCATIONS_LOG, start)
    header = BatchHeader(province=province, seq=seq, tree_size=end,
                         root=store.log_root(REVOCATIONS_LOG, end), prev_size=start,
                         prev_root=prev_root, catalog_version=0, issued_at=int(now()))
    return store.create_batch(NewBatch(
        log_name=REVOCATIONS_LOG, seq=seq, start_size=start, end_size=end, root=header.root,
        prev_root=prev_root, header_json=header.to_json(),
        signature=sign_revocation_header(header, signing_key)))


class RevocationLedger(Protocol):
    """The part of ``ledger.LedgerClient`` revocation anchoring uses."""

    def anchor_revocations(self, seq: int, root: bytes, size: int, prev_root: bytes,
                           header_sig: bytes) -> object: ...

    def is_revocation_anchored(self, province: str, seq: int, root: bytes) -> bool: ...

    def revocation_batch(self, province: str, seq: int) -> tuple[bytes, int, int]: ...


def anchor_revocations(store: Store, ledger: RevocationLedger, *, province: str) -> int:
    """Anchor every stored, unanchored revocation batch in seq order; how many were sent.

    A batch the chain already holds with our root (a crash after sending) is only
    recorded. Ledger errors propagate (the caller retries).
    """
    pending = sorted(store.batches_by_status("signed", REVOCATIONS_LOG)
                     + store.batches_by_status("submitted", REVOCATIONS_LOG),
                     key=lambda b: b.seq)
    sent = 0
    for batch in pending:
        if not ledger.is_revocation_anchored(province, batch.seq, batch.root):
            prev = _ZERO if batch.seq == FIRST_BATCH_SEQ else batch.prev_root
            receipt = ledger.anchor_revocations(batch.seq, batch.root, batch.end_size, prev,
                                                batch.signature)
            tx_hash = bytes.fromhex(str(getattr(receipt, "tx_hash", "")).removeprefix("0x"))
            block = int(getattr(receipt, "block_number", 0))
            sent += 1
        else:
            _, _, block = ledger.revocation_batch(province, batch.seq)
            tx_hash = _ZERO  # recovered from the chain's storage: the block is what we use
        store.mark_batch_anchored(REVOCATIONS_LOG, batch.seq, tx_hash or _ZERO, block,
                                  datetime.now(UTC))
        log.info("anchored revocations", extra={"seq": batch.seq, "size": batch.end_size})
    return sent
