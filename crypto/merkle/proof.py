"""Proof construction: which stored nodes an inclusion or consistency proof needs.

Nothing here reads storage or hashes a leaf. ``inclusion`` and ``consistency`` return a
``Nodes`` plan naming perfect subtrees ``NodeID(level, index)``; the caller fetches their
hashes however it stores them (memory, SQL) and ``Nodes.rehash`` folds the few that stand
for the ephemeral right-border node, which is not perfect and so never stored.
``fetch_proof`` does both steps given a batch lookup.

Proofs follow RFC 9162 §2.1.3 / §2.1.4 (the same hashes and order as RFC 6962).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crypto.merkle.errors import OutOfRangeError, ProofError
from crypto.merkle.hasher import hash_children
from crypto.merkle.node_id import NodeID, range_nodes


@dataclass(frozen=True, slots=True)
class Nodes:
    """The plan for one proof.

    ``ids`` are the perfect nodes to fetch, in proof order. ``ids[begin:end]`` (empty when
    ``begin == end``) are the nodes covering the ephemeral node ``ephem`` from its lowest
    level up; ``rehash`` replaces them by the one hash of ``ephem``.
    """

    ids: tuple[NodeID, ...]
    begin: int
    end: int
    ephem: NodeID

    def proof_size(self) -> int:
        """Number of hashes in the finished proof (after rehashing)."""
        folded = self.end - self.begin
        return len(self.ids) - folded + 1 if folded else len(self.ids)

    def rehash(self, hashes: Sequence[bytes]) -> list[bytes]:
        """Turn the hashes of ``ids`` (same order) into the proof.

        Precondition: ``len(hashes) == len(ids)`` (checked).
        """
        if len(hashes) != len(self.ids):
            raise ProofError(f"rehash: got {len(hashes)} hashes, want {len(self.ids)}")
        begin, end = self.begin, self.end
        if begin == end:
            return list(hashes)
        ephem = hashes[begin]
        for i in range(begin + 1, end):
            # Listed from the lowest level up, each next node is the left neighbour.
            ephem = hash_children(hashes[i], ephem)
        return [*hashes[:begin], ephem, *hashes[end:]]

    def skip_first(self) -> Nodes:
        """The same plan without ``ids[0]`` (a node the verifier already holds)."""
        begin, end = (self.begin - 1, self.end - 1) if self.begin < self.end else (0, 0)
        return Nodes(self.ids[1:], begin, end, self.ephem)


def inclusion(index: int, size: int) -> Nodes:
    """Plan the inclusion proof of leaf ``index`` in the tree of ``size`` leaves.

    Precondition: ``0 <= index < size`` (checked).
    """
    if index < 0 or index >= size:
        raise OutOfRangeError(f"inclusion proof: got index {index}, want 0 <= index < {size}")
    return _path_nodes(index, 0, size).skip_first()


def consistency(size1: int, size2: int) -> Nodes:
    """Plan the consistency proof from the tree of ``size1`` leaves to ``size2`` leaves.

    Precondition: ``0 < size1 <= size2`` (checked). A proof from the empty tree proves
    nothing, so it is refused as the verifier refuses it. Equal sizes give an empty plan.
    """
    if size1 <= 0:
        raise OutOfRangeError(f"consistency proof: got size1 {size1}, want size1 > 0")
    if size2 < size1:
        raise OutOfRangeError(f"consistency proof: got size2 {size2}, want size2 >= size1 {size1}")
    if size1 == size2:
        return Nodes((), 0, 0, NodeID(0, 0))
    # Start from the biggest perfect subtree ending at size1; the proof is its inclusion
    # path in the larger tree, led by the node itself unless it is the old root.
    level = (size1 & -size1).bit_length() - 1
    plan = _path_nodes((size1 - 1) >> level, level, size2)
    if size1 == 1 << level:
        return plan.skip_first()
    return plan


def fetch_proof(nodes: Nodes, get: Callable[[list[NodeID]], Sequence[bytes]]) -> list[bytes]:
    """Fetch the hashes a plan names with one ``get`` call, then rehash them into the proof.

    ``get`` receives the node ids in plan order and must return their hashes in the same
    order (a store can answer with one query). Precondition: it returns exactly one hash
    per id (checked).
    """
    ids = list(nodes.ids)
    hashes = get(ids) if ids else []
    if len(hashes) != len(ids):
        raise ProofError(f"node lookup: got {len(hashes)} hashes, want {len(ids)}")
    return nodes.rehash(hashes)


def _path_nodes(index: int, level: int, size: int) -> Nodes:
    """Plan the proof that node ``(level, index)`` lies in the tree of ``size`` leaves.

    The plan starts with the node itself. Precondition: the node is inside the tree.
    """
    # The fork is the highest ancestor of the node that is still perfect: its sibling
    # (to the right) is the ephemeral node straddling the tree's right edge.
    inner = (index ^ (size >> level)).bit_length() - 1
    fork = NodeID(level + inner, index >> inner)
    begin, end = fork.coverage()

    ids = [NodeID(level, index)]
    ids.extend(NodeID(level + k, (index >> k) ^ 1) for k in range(inner))
    # Nodes right of the fork stand for the ephemeral node; list them from the lowest level
    # up so that rehash folds them leftwards.
    right = range_nodes(end, size)
    right.reverse()
    ephem_begin = len(ids)
    ids.extend(right)
    ephem_end = len(ids)
    # Nodes left of the fork complete the cover of [0, size), again lowest level first.
    left = range_nodes(0, begin)
    left.reverse()
    ids.extend(left)
    if ephem_begin >= ephem_end:
        ephem_begin = ephem_end = 0
    return Nodes(tuple(ids), ephem_begin, ephem_end, fork.sibling())
