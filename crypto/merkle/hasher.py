"""RFC 9162 §2.1.1 hashing with SHA-256: domain-separated leaf and interior node hashes.

The 0x00 / 0x01 prefixes keep a leaf hash from ever equalling an interior node hash, which
is what stops a second-preimage attack that passes an interior node off as a leaf.
"""

from __future__ import annotations

from hashlib import sha256

HASH_SIZE = 32
"""Bytes in every hash of the log (SHA-256)."""

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

EMPTY_ROOT = sha256(b"").digest()
"""Root of the empty tree: MTH({}) = SHA-256 of the empty string."""


def hash_leaf(data: bytes) -> bytes:
    """Return the leaf hash H(0x00 ‖ data) of one log entry; ``data`` may be any length."""
    return sha256(LEAF_PREFIX + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Return the interior node hash H(0x01 ‖ left ‖ right).

    Precondition: ``left`` and ``right`` are HASH_SIZE-byte hashes (not checked here: this
    sits on every hot path; the public entry points check lengths).
    """
    return sha256(NODE_PREFIX + left + right).digest()
