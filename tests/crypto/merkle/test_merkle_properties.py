"""Property tests: proofs verify for every shape, and every single mutation is refused.

Sizes go up to MAX_SIZE leaves. A proof checked against a different (index, size) is
compared with the literal RFC 9162 verifier: the fast verifier must refuse whatever the RFC
refuses and accept nothing it does not.
"""

from __future__ import annotations

from functools import cache

import merkle_reference as ref
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.merkle import (
    MemoryTree,
    MerkleError,
    RootMismatchError,
    hash_leaf,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 300


@cache
def full_tree() -> MemoryTree:
    tree = MemoryTree()
    tree.extend(hash_leaf(b"leaf %d" % i) for i in range(MAX_SIZE))
    return tree


def leaf(index: int) -> bytes:
    return hash_leaf(b"leaf %d" % index)


def flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@st.composite
def index_and_size(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, MAX_SIZE))
    return draw(st.integers(0, size - 1)), size


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(1, MAX_SIZE))
    return draw(st.integers(1, size2)), size2


@given(index_and_size())
def test_inclusion_proof_verifies(shape: tuple[int, int]) -> None:
    index, size = shape
    tree = full_tree()
    proof = tree.inclusion_proof(index, size)
    verify_inclusion(index, size, leaf(index), proof, tree.root(size))


@given(two_sizes())
def test_consistency_proof_verifies(sizes: tuple[int, int]) -> None:
    size1, size2 = sizes
    tree = full_tree()
    proof = tree.consistency_proof(size1, size2)
    verify_consistency(size1, size2, proof, tree.root(size1), tree.root(size2))


@given(index_and_size(), st.integers(min_value=0), st.integers(min_value=0))
def test_inclusion_refuses_any_flipped_bit(shape: tuple[int, int], position: int, bit: int) -> None:
    index, size = shape
    tree = full_tree()
    proof, root, leaf_hash = tree.inclusion_proof(index, size), tree.root(size), leaf(index)
    with pytest.raises(RootMismatchError):
        verify_inclusion(index, size, flip(leaf_hash, bit), proof, root)
    with pytest.raises(RootMismatchError):
        verify_inclusion(index, size, leaf_hash, proof, flip(root, bit))
    if proof:
        bad = list(proof)
        bad[position % len(bad)] = flip(bad[position % len(bad)], bit)
        with pytest.raises(RootMismatchError):
            verify_inclusion(index, size, leaf_hash, bad, root)


@given(two_sizes(), st.integers(min_value=0), st.integers(min_value=0))
def test_consistency_refuses_any_flipped_bit(
    sizes: tuple[int, int], position: int, bit: int
) -> None:
    size1, size2 = sizes
    tree = full_tree()
    proof = tree.consistency_proof(size1, size2)
    root1, root2 = tree.root(size1), tree.root(size2)
    with pytest.raises(RootMismatchError):
        verify_consistency(size1, size2, proof, flip(root1, bit), root2)
    with pytest.raises(RootMismatchError):
        verify_consistency(size1, size2, proof, root1, flip(root2, bit))
    if proof:
        bad = list(proof)
        bad[position % len(bad)] = flip(bad[position % len(bad)], bit)
        with pytest.raises(RootMismatchError):
            verify_consistency(size1, size2, bad, root1, root2)


@given(index_and_size(), st.integers(0, MAX_SIZE))
def test_inclusion_refuses_another_index(shape: tuple[int, int], other: int) -> None:
    index, size = shape
    other %= size
    if other == index:
        other = (index + 1) % size
    if other == index:  # a one-leaf tree has no other index
        return
    tree = full_tree()
    proof = tree.inclusion_proof(index, size)
    with pytest.raises(MerkleError):
        verify_inclusion(other, size, leaf(index), proof, tree.root(size))


@given(index_and_size(), st.integers(0, 2 * MAX_SIZE), st.integers(0, 2 * MAX_SIZE))
def test_inclusion_with_other_shape_agrees_with_rfc(
    shape: tuple[int, int], other_index: int, other_size: int
) -> None:
    # A root does not encode its size: the RFC verifier accepts a proof for another size
    # whose path has the same shape (e.g. leaf 0 of 5 and of 6). The fast verifier must
    # accept exactly those and refuse the rest; tree heads bind size and root together.
    index, size = shape
    if (other_index, other_size) == (index, size):
        return
    tree = full_tree()
    proof, root = tree.inclusion_proof(index, size), tree.root(size)
    rfc_accepts = ref.verify_inclusion(other_index, other_size, leaf(index), proof, root)
    try:
        verify_inclusion(other_index, other_size, leaf(index), proof, root)
    except MerkleError:
        assert not rfc_accepts
    else:
        assert rfc_accepts


@given(two_sizes(), st.integers(1, 2 * MAX_SIZE), st.integers(1, 2 * MAX_SIZE))
def test_consistency_with_other_sizes_agrees_with_rfc(
    sizes: tuple[int, int], other1: int, other2: int
) -> None:
    size1, size2 = sizes
    if (other1, other2) == (size1, size2) or size1 == size2:
        return
    tree = full_tree()
    proof = tree.consistency_proof(size1, size2)
    root1, root2 = tree.root(size1), tree.root(size2)
    rfc_accepts = other1 < other2 and ref.verify_consistency(other1, other2, root1, root2, proof)
    try:
        verify_consistency(other1, other2, proof, root1, root2)
    except MerkleError:
        assert not rfc_accepts
    else:
        assert rfc_accepts


def test_same_shape_other_size_is_accepted_as_rfc_does() -> None:
    # Pinned example of the caveat above: the path of leaf 0 is the same in trees of 5
    # and 6 leaves, so the proof checks; the root of size 5 is not that of size 6.
    tree = full_tree()
    proof, root5 = tree.inclusion_proof(0, 5), tree.root(5)
    verify_inclusion(0, 6, leaf(0), proof, root5)
    assert ref.verify_inclusion(0, 6, leaf(0), proof, root5)
    assert tree.root(6) != root5
    with pytest.raises(RootMismatchError):
        verify_inclusion(0, 6, leaf(0), proof, tree.root(6))
