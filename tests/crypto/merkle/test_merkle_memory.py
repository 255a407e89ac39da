"""MemoryTree: stored nodes, historic roots and proofs, and its preconditions."""

from __future__ import annotations

import pytest

from crypto.merkle import (
    EMPTY_ROOT,
    CompactRange,
    HashSizeError,
    MemoryTree,
    NodeID,
    OutOfRangeError,
    hash_children,
    hash_leaf,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [hash_leaf(b"m%d" % i) for i in range(33)]


@pytest.fixture
def tree() -> MemoryTree:
    tree = MemoryTree()
    tree.extend(LEAVES)
    return tree


def test_empty_tree() -> None:
    tree = MemoryTree()
    assert tree.size == 0
    assert tree.root() == EMPTY_ROOT
    assert tree.root(0) == EMPTY_ROOT


def test_append_returns_indices_and_stores_nodes() -> None:
    tree = MemoryTree()
    assert [tree.append(leaf) for leaf in LEAVES[:4]] == [0, 1, 2, 3]
    assert tree.node_hash(NodeID(0, 2)) == LEAVES[2]
    assert tree.node_hash(NodeID(1, 1)) == hash_children(LEAVES[2], LEAVES[3])
    assert tree.node_hash(NodeID(2, 0)) == tree.root()


def test_historic_roots_match_incremental_roots(tree: MemoryTree) -> None:
    compact = CompactRange()
    for size in range(len(LEAVES) + 1):
        assert tree.root(size) == compact.root()
        if size < len(LEAVES):
            compact.append(LEAVES[size])


def test_historic_proofs_verify(tree: MemoryTree) -> None:
    verify_inclusion(4, 11, LEAVES[4], tree.inclusion_proof(4, 11), tree.root(11))
    verify_consistency(5, 11, tree.consistency_proof(5, 11), tree.root(5), tree.root(11))
    tree.append(hash_leaf(b"more"))
    verify_inclusion(4, 11, LEAVES[4], tree.inclusion_proof(4, 11), tree.root(11))


def test_preconditions(tree: MemoryTree) -> None:
    with pytest.raises(OutOfRangeError, match=r"^root: got size 34, want 0 <= size <= 33$"):
        tree.root(34)
    with pytest.raises(
        OutOfRangeError, match=r"^inclusion proof: got size 40, want 0 <= size <= 33$"
    ):
        tree.inclusion_proof(3, 40)
    with pytest.raises(OutOfRangeError, match=r"got index 9, want 0 <= index < 9$"):
        tree.inclusion_proof(9, 9)
    with pytest.raises(
        OutOfRangeError, match=r"^consistency proof: got size 34, want 0 <= size <= 33$"
    ):
        tree.consistency_proof(1, 34)
    with pytest.raises(OutOfRangeError, match=r"got size1 0, want size1 > 0$"):
        tree.consistency_proof(0, 5)
    with pytest.raises(
        OutOfRangeError,
        match=r"^node \(level 1, index 16\) is not complete in a tree of size 33$",
    ):
        tree.node_hash(NodeID(1, 16))
    with pytest.raises(OutOfRangeError, match=r"level 7, index 0"):
        tree.node_hash(NodeID(7, 0))


def test_wrong_leaf_length_leaves_tree_unchanged(tree: MemoryTree) -> None:
    root = tree.root()
    with pytest.raises(
        HashSizeError, match=r"^append at index 33: leaf hash has 4 bytes, want 32$"
    ):
        tree.append(b"leaf")
    assert tree.size == 33
    assert tree.root() == root
    assert tree.append(hash_leaf(b"x")) == 33
    assert tree.node_hash(NodeID(0, 33)) == hash_leaf(b"x")
