"""Exceptions of the Merkle log: one base callers catch, narrow kinds below it.

:class:`MerkleError` sits under :class:`~crypto.errors.CryptoError`, so one ``except``
covers every failure of ``crypto``; it stays a ``ValueError`` as it always was, since a
bad proof or index is bad input and callers catch it as one.

Messages name what was wrong and what was expected ("got X, want Y"); hashes appear in hex,
never as raw bytes.
"""

from __future__ import annotations

from crypto.errors import CryptoError


class MerkleError(CryptoError, ValueError):
    """Base of every error raised by ``crypto.merkle``."""


class ProofError(MerkleError):
    """A proof, or the sizes/indices/hashes given with it, is malformed.

    Raised before any root is compared: wrong number of hashes, a hash of the wrong length,
    an index outside the tree, sizes in the wrong order.
    """


class OutOfRangeError(MerkleError):
    """An index or tree size lies outside what a tree or proof construction allows."""


class HashSizeError(MerkleError):
    """A hash handed to a tree (leaf hash, peak hash) does not have HASH_SIZE bytes."""


class RootMismatchError(MerkleError):
    """A root recomputed from a proof differs from the root it was checked against.

    ``expected`` is the root the caller trusted, ``calculated`` the one the proof led to;
    ``which`` names the root in the message ("root", "root1", "root2").
    """

    def __init__(self, expected: bytes, calculated: bytes, which: str = "root") -> None:
        self.expected = expected
        self.calculated = calculated
        self.which = which
        super().__init__(
            f"{which} mismatch: calculated {calculated.hex() or '<empty>'}, "
            f"want {expected.hex() or '<empty>'}"
        )
