"""Query receipts: the node's signed word that a request was logged, checkable later.

A receipt names the request id, the leaf index and leaf hash of its audit entry, and a
signed checkpoint whose tree already holds that leaf (size > index). The node signs the
whole receipt with its key (domain ``yrd-credit/audit-receipt/v1``), so the requester can
later show that this node logged this request at this place, and anyone holding an
inclusion proof can check the entry is in the signed tree. Usage::

    receipt = log_receipt(log, index, signing_key)       # node side, after logging
    verify_receipt(receipt, proof, log.verifier, entry=entry_bytes)   # requester/auditor
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import nacl.signing

from crypto.canonical import canonical_bytes, decode_canonical
from crypto.checkpoint import verify_checkpoint
from crypto.errors import CryptoError
from crypto.merkle import HASH_SIZE, MerkleError, hash_leaf, verify_inclusion
from crypto.signed_note import NoteVerifier
from crypto.signing import sign, verify
from node.audit.errors import AuditEventError, InvalidReceipt
from node.audit.events import decode_entry
from node.audit.log import AuditLog

__all__ = [
    "RECEIPT_DOMAIN",
    "Receipt",
    "decode_receipt",
    "encode_receipt",
    "log_receipt",
    "make_receipt",
    "verify_receipt",
]

RECEIPT_DOMAIN: Final = b"yrd-credit/audit-receipt/v1\x00"


@dataclass(frozen=True, slots=True)
class Receipt:
    """``checkpoint`` is a signed note; ``signature`` covers :meth:`signed_bytes`."""

    request_id: str
    leaf_index: int
    leaf_hash: bytes
    checkpoint: str
    signature: bytes

    def signed_bytes(self) -> bytes:
        return canonical_bytes({"request_id": self.request_id, "leaf_index": self.leaf_index,
                                "leaf_hash": self.leaf_hash.hex(), "checkpoint": self.checkpoint})


def make_receipt(request_id: str, leaf_index: int, leaf_hash: bytes, checkpoint_note: str,
                 key: nacl.signing.SigningKey) -> Receipt:
    """Sign a receipt. Preconditions: ``leaf_hash`` has 32 bytes and the note's tree
    size exceeds ``leaf_index`` (the caller's: ``log_receipt`` ensures both)."""
    if len(leaf_hash) != HASH_SIZE or leaf_index < 0:
        raise ValueError(f"receipt: leaf hash has {len(leaf_hash)} bytes and index "
                         f"{leaf_index}; want {HASH_SIZE} bytes and index >= 0")
    unsigned = Receipt(request_id, leaf_index, leaf_hash, checkpoint_note, b"")
    return Receipt(request_id, leaf_index, leaf_hash, checkpoint_note,
                   sign(unsigned.signed_bytes(), key, RECEIPT_DOMAIN))


def log_receipt(log: AuditLog, index: int, key: nacl.signing.SigningKey) -> Receipt:
    """The receipt for the entry at ``index`` of ``log``, with the log's current head."""
    stored = log.entry(index)
    head = log.latest_checkpoint()
    return make_receipt(stored.request_id, index, hash_leaf(stored.entry), head.note, key)


def verify_receipt(receipt: Receipt, inclusion_proof: Sequence[bytes],
                   origin_key: NoteVerifier, *, entry: bytes | None = None) -> None:
    """Check ``receipt`` against the log key ``origin_key`` (its name is the origin).

    Steps: (1) the receipt's signature; (2) its checkpoint is the log's, signed by the same
    key; (3) the leaf index lies inside that tree; (4) ``inclusion_proof`` puts the leaf
    hash at that index under the checkpoint's root; (5) if ``entry`` is given, it hashes to
    the leaf and was logged under the receipt's request id. Raises ``InvalidReceipt``.
    """
    try:
        # (1): the node vouches for the whole receipt.
        verify(receipt.signed_bytes(), receipt.signature, origin_key.public_key, RECEIPT_DOMAIN)
        # (2): the checkpoint binds origin, size and root under the log's key.
        checkpoint = verify_checkpoint(receipt.checkpoint, origin_key.name, [origin_key])
    except (CryptoError, ValueError) as exc:
        raise InvalidReceipt(f"receipt for request {receipt.request_id!r}: {exc}") from exc
    # (3): the tree is big enough to hold the leaf.
    if not 0 <= receipt.leaf_index < checkpoint.size:
        raise InvalidReceipt(f"receipt for request {receipt.request_id!r}: leaf index "
                             f"{receipt.leaf_index} is outside the tree of size "
                             f"{checkpoint.size}")
    # (4): the leaf is in the signed tree.
    try:
        verify_inclusion(receipt.leaf_index, checkpoint.size, receipt.leaf_hash,
                         inclusion_proof, checkpoint.root)
    except MerkleError as exc:
        raise InvalidReceipt(f"receipt for request {receipt.request_id!r}: leaf "
                             f"{receipt.leaf_index} not proven in the tree: {exc}") from exc
    # (5): the entry shown is that leaf, logged under that request id.
    if entry is not None:
        if hash_leaf(entry) != receipt.leaf_hash:
            raise InvalidReceipt(f"receipt for request {receipt.request_id!r}: the entry "
                                 "does not hash to the receipt's leaf")
        try:
            logged = decode_entry(entry).request_id
        except AuditEventError as exc:
            raise InvalidReceipt(f"receipt for request {receipt.request_id!r}: {exc}") from exc
        if logged != receipt.request_id:
            raise InvalidReceipt(f"receipt for request {receipt.request_id!r}: the entry was "
                                 f"logged under request {logged!r}")


def encode_receipt(receipt: Receipt) -> bytes:
    """Canonical JSON of the receipt, signature included (for transport)."""
    return canonical_bytes({"request_id": receipt.request_id, "leaf_index": receipt.leaf_index,
                            "leaf_hash": receipt.leaf_hash.hex(),
                            "checkpoint": receipt.checkpoint,
                            "signature": receipt.signature.hex()})


def decode_receipt(data: bytes) -> Receipt:
    """Parse ``encode_receipt`` output; ``InvalidReceipt`` if malformed (unverified)."""
    try:
        raw = decode_canonical(data)
        if set(raw) != {"request_id", "leaf_index", "leaf_hash", "checkpoint", "signature"}:
            raise ValueError("want keys checkpoint, leaf_hash, leaf_index, request_id, "
                             "signature")
        index = raw["leaf_index"]
        if type(index) is not int:
            raise ValueError("leaf_index is not an integer")
        return Receipt(str(raw["request_id"]), index, bytes.fromhex(str(raw["leaf_hash"])),
                       str(raw["checkpoint"]), bytes.fromhex(str(raw["signature"])))
    except (CryptoError, ValueError) as exc:
        raise InvalidReceipt(f"malformed receipt: {exc}") from exc
