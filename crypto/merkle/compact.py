"""Incremental append to a Merkle log through its compact range (its peaks).

A log of ``size`` leaves is summed up by one perfect subtree per set bit of ``size``: its
*peaks*, listed left to right (highest level first). Appending a leaf merges equal-height
peaks, exactly like a binary counter carrying; every node created on the way is handed to a
``visit`` callback so the caller can persist it. The peaks alone (``size`` plus at most
log2(size)+1 hashes) are enough to go on appending after a restart and to compute the
root: a log never needs rebuilding from its leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from hashlib import sha256

from crypto.merkle.errors import HashSizeError, MerkleError, OutOfRangeError
from crypto.merkle.hasher import EMPTY_ROOT, HASH_SIZE, NODE_PREFIX
from crypto.merkle.node_id import NodeID, range_nodes

Visit = Callable[[NodeID, bytes], None]
"""Receives each new perfect node (leaves included) with its hash, in creation order."""


def peak_ids(size: int) -> list[NodeID]:
    """The NodeIDs of the peaks of a log of ``size`` leaves, left to right.

    These are the nodes to load (e.g. from a database) to restore a ``CompactRange``.
    Precondition: ``size >= 0`` (checked).
    """
    if size < 0:
        raise OutOfRangeError(f"peaks: got size {size}, want size >= 0")
    return range_nodes(0, size)


class CompactRange:
    """The peaks of the leaf range ``[0, size)`` of a log, growing by ``append``.

    ``CompactRange()`` starts an empty log; ``CompactRange(size, peaks)`` resumes one from
    the hashes of ``peak_ids(size)`` in that order.
    """

    __slots__ = ("_peaks", "_size")

    def __init__(self, size: int = 0, peaks: Sequence[bytes] = ()) -> None:
        """Precondition: ``size >= 0``, ``len(peaks) == size.bit_count()``, each peak has
        HASH_SIZE bytes (all checked)."""
        if size < 0:
            raise OutOfRangeError(f"compact range: got size {size}, want size >= 0")
        if len(peaks) != size.bit_count():
            raise MerkleError(
                f"compact range of size {size}: got {len(peaks)} peak hashes, "
                f"want {size.bit_count()}"
            )
        for i, peak in enumerate(peaks):
            if len(peak) != HASH_SIZE:
                raise HashSizeError(
                    f"compact range: peak {i} has {len(peak)} bytes, want {HASH_SIZE}"
                )
        self._size = size
        self._peaks = [bytes(peak) for peak in peaks]

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def peaks(self) -> tuple[bytes, ...]:
        """The peak hashes, left to right, matching ``peak_ids(self.size)``."""
        return tuple(self._peaks)

    def append(self, leaf_hash: bytes, visit: Visit | None = None) -> int:
        """Append one leaf hash; return its index.

        ``visit`` (if given) is called for the leaf and then for every interior node the
        append completes, bottom up. Precondition: ``leaf_hash`` has HASH_SIZE bytes
        (checked).
        """
        if len(leaf_hash) != HASH_SIZE:
            raise HashSizeError(
                f"append at index {self._size}: leaf hash has {len(leaf_hash)} bytes, "
                f"want {HASH_SIZE}"
            )
        index = self._size
        peaks = self._peaks
        node = leaf_hash
        if visit is None:
            # Each trailing 1 bit of the index is a left peak this leaf completes.
            position = index
            while position & 1:
                node = sha256(NODE_PREFIX + peaks.pop() + node).digest()
                position >>= 1
        else:
            visit(NodeID(0, index), node)
            level, position = 0, index
            while position & 1:
                node = sha256(NODE_PREFIX + peaks.pop() + node).digest()
                level += 1
                position >>= 1
                visit(NodeID(level, position), node)
        peaks.append(node)
        self._size = index + 1
        return index

    def extend(self, leaf_hashes: Iterable[bytes], visit: Visit | None = None) -> None:
        """Append each leaf hash in turn (see ``append``)."""
        append = self.append
        for leaf_hash in leaf_hashes:
            append(leaf_hash, visit)

    def root(self) -> bytes:
        """The RFC 9162 root of the ``size`` leaves appended (EMPTY_ROOT for none)."""
        return fold_peaks(self._peaks)


def fold_peaks(peaks: Sequence[bytes]) -> bytes:
    """Hash peaks (left to right, as ``peak_ids`` lists them) into the tree root.

    The right-hand peaks merge first: that is how RFC 9162 splits a tree whose size is not
    a power of two. Precondition: the hashes are the peaks of one tree, in order.
    """
    if not peaks:
        return EMPTY_ROOT
    root = peaks[-1]
    for i in range(len(peaks) - 2, -1, -1):
        root = sha256(NODE_PREFIX + peaks[i] + root).digest()
    return root
