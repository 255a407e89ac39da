"""Addresses of perfect subtrees in a Merkle log, and the cover of a leaf range by them.

A node ``NodeID(level, index)`` is the root of the perfect subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaves themselves. Only
such perfect nodes are ever stored: every other hash a tree needs (the root of a tree whose
size is not a power of two, the ephemeral right-border nodes) is recomputed from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from crypto.merkle.errors import OutOfRangeError


@dataclass(frozen=True, slots=True)
class NodeID:
    """A perfect subtree: ``level`` (0 = leaf) and ``index`` (position within the level)."""

    level: int
    index: int

    def parent(self) -> NodeID:
        """The node one level up whose subtree contains this one."""
        return NodeID(self.level + 1, self.index >> 1)

    def sibling(self) -> NodeID:
        """The other child of this node's parent."""
        return NodeID(self.level, self.index ^ 1)

    def coverage(self) -> tuple[int, int]:
        """The leaf range ``[begin, end)`` under this node."""
        begin = self.index << self.level
        return begin, begin + (1 << self.level)


def range_nodes(begin: int, end: int) -> list[NodeID]:
    """Return the fewest perfect subtrees that exactly cover leaves ``[begin, end)``.

    Listed left to right: levels first rise, then fall (for ``begin == 0`` they only fall,
    and the nodes are the peaks of a tree of size ``end``). Precondition:
    ``0 <= begin <= end`` (checked).
    """
    if begin < 0 or begin > end:
        raise OutOfRangeError(f"leaf range [{begin}, {end}): want 0 <= begin <= end")
    nodes: list[NodeID] = []
    while begin < end:
        # The biggest subtree starting at ``begin`` that is aligned on ``begin`` and fits.
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        nodes.append(NodeID(level, begin >> level))
        begin += 1 << level
    return nodes
