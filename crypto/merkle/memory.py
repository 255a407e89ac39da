"""``MemoryTree``: a whole Merkle log held in memory, with roots and proofs at any size.

Every perfect node is kept, one flat ``bytearray`` per level (node ``i`` of a level at
bytes ``[32*i, 32*i+32)``), which costs 32 bytes per node and no per-object overhead. New
nodes come from ``CompactRange.append`` through its ``visit`` callback; proofs are planned
by ``crypto.merkle.proof`` and filled by ``fetch_proof`` like a database store would.
"""

from __future__ import annotations

from collections.abc import Iterable

from crypto.merkle.compact import CompactRange, fold_peaks, peak_ids
from crypto.merkle.errors import OutOfRangeError
from crypto.merkle.hasher import HASH_SIZE
from crypto.merkle.node_id import NodeID
from crypto.merkle.proof import consistency, fetch_proof, inclusion


class MemoryTree:
    """An append-only Merkle log in memory (RFC 9162 hashing)."""

    __slots__ = ("_levels", "_range")

    def __init__(self) -> None:
        self._levels: list[bytearray] = []
        self._range = CompactRange()

    @property
    def size(self) -> int:
        """Number of leaves in the log."""
        return self._range.size

    def append(self, leaf_hash: bytes) -> int:
        """Append a leaf hash (see ``hash_leaf``); return its index.

        Precondition: ``leaf_hash`` has HASH_SIZE bytes (checked).
        """
        return self._range.append(leaf_hash, self._store)

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append each leaf hash in turn."""
        self._range.extend(leaf_hashes, self._store)

    def node_hash(self, node: NodeID) -> bytes:
        """The hash of a stored perfect node.

        Precondition: the node is complete in the current tree (checked).
        """
        level, index = node.level, node.index
        if level < 0 or index < 0 or (index + 1) << level > self.size:
            raise OutOfRangeError(
                f"node (level {level}, index {index}) is not complete in a tree of size {self.size}"
            )
        offset = index * HASH_SIZE
        return bytes(self._levels[level][offset : offset + HASH_SIZE])

    def node_hashes(self, nodes: list[NodeID]) -> list[bytes]:
        """Batch form of ``node_hash``, the lookup ``fetch_proof`` expects."""
        return [self.node_hash(node) for node in nodes]

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (default: all of them).

        Precondition: ``0 <= size <= self.size`` (checked).
        """
        if size is None or size == self.size:
            return self._range.root()
        self._check_size("root", size)
        return fold_peaks(self.node_hashes(peak_ids(size)))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The inclusion proof of leaf ``index`` in the tree of the first ``size`` leaves.

        Preconditions: ``0 <= index < size <= self.size`` (checked).
        """
        self._check_size("inclusion proof", size)
        return fetch_proof(inclusion(index, size), self.node_hashes)

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """The consistency proof from the tree of ``size1`` leaves to that of ``size2``.

        Preconditions: ``0 < size1 <= size2 <= self.size`` (checked).
        """
        self._check_size("consistency proof", size2)
        return fetch_proof(consistency(size1, size2), self.node_hashes)

    def _check_size(self, what: str, size: int) -> None:
        if size < 0 or size > self.size:
            raise OutOfRangeError(f"{what}: got size {size}, want 0 <= size <= {self.size}")

    def _store(self, node: NodeID, node_hash: bytes) -> None:
        # CompactRange creates each level's nodes in index order, so appending keeps
        # node i of a level at offset 32*i.
        levels = self._levels
        level = node.level
        if level == len(levels):
            levels.append(bytearray())
        levels[level] += node_hash
