"""Error kinds and messages of the verifiers: each names the fault, with got before want."""

from __future__ import annotations

import pytest

from crypto.merkle import (
    HashSizeError,
    MemoryTree,
    MerkleError,
    OutOfRangeError,
    ProofError,
    RootMismatchError,
    hash_leaf,
    root_from_consistency_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    tree = MemoryTree()
    tree.extend(hash_leaf(b"%d" % i) for i in range(8))
    return tree


def test_every_error_is_a_merkle_error_and_a_value_error() -> None:
    for kind in (ProofError, RootMismatchError, OutOfRangeError, HashSizeError):
        assert issubclass(kind, MerkleError)
    assert issubclass(MerkleError, ValueError)
    assert not issubclass(RootMismatchError, ProofError)


def test_inclusion_index_outside_tree() -> None:
    leaf = hash_leaf(b"0")
    with pytest.raises(
        ProofError, match=r"^inclusion proof: got index 5, want 0 <= index < size 5$"
    ):
        root_from_inclusion_proof(5, 5, leaf, [])
    with pytest.raises(ProofError, match=r"got index -1, want 0 <= index < size 5$"):
        root_from_inclusion_proof(-1, 5, leaf, [])
    with pytest.raises(ProofError, match=r"got index 0, want 0 <= index < size 0$"):
        root_from_inclusion_proof(0, 0, leaf, [])


def test_inclusion_leaf_hash_length() -> None:
    with pytest.raises(ProofError, match=r"^inclusion proof: leaf hash has 9 bytes, want 32$"):
        root_from_inclusion_proof(0, 1, b"WrongLeaf", [])


def test_inclusion_proof_length_got_before_want(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(2, 7)  # three hashes
    leaf = hash_leaf(b"2")
    with pytest.raises(ProofError, match=r"^inclusion proof: got 2 hashes, want 3$"):
        verify_inclusion(2, 7, leaf, proof[:2], tree.root(7))
    with pytest.raises(ProofError, match=r"^inclusion proof: got 4 hashes, want 3$"):
        verify_inclusion(2, 7, leaf, [*proof, proof[0]], tree.root(7))


def test_inclusion_proof_hash_length(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(2, 7)
    with pytest.raises(ProofError, match=r"^inclusion proof: hash 1 has 0 bytes, want 32$"):
        verify_inclusion(2, 7, hash_leaf(b"2"), [proof[0], b"", proof[2]], tree.root(7))


def test_inclusion_root_mismatch_names_both_roots(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(2, 7)
    wrong = bytes(32)
    right = tree.root(7)
    with pytest.raises(RootMismatchError) as info:
        verify_inclusion(2, 7, hash_leaf(b"2"), proof, wrong)
    assert str(info.value) == f"root mismatch: calculated {right.hex()}, want {wrong.hex()}"
    assert info.value.expected == wrong
    assert info.value.calculated == right
    assert info.value.which == "root"


def test_consistency_sizes_in_wrong_order_are_not_swapped_in_message() -> None:
    with pytest.raises(
        ProofError, match=r"^consistency proof: got size2 3, want size2 >= size1 7$"
    ):
        verify_consistency(7, 3, [], bytes(32), bytes(32))


def test_consistency_from_empty_tree_is_refused() -> None:
    with pytest.raises(ProofError, match=r"^consistency proof: got size1 0, want size1 > 0$"):
        verify_consistency(0, 4, [], bytes(32), bytes(32))
    with pytest.raises(ProofError, match=r"got size1 0, want size1 > 0$"):
        verify_consistency(0, 0, [], bytes(32), bytes(32))


def test_consistency_equal_sizes(tree: MemoryTree) -> None:
    root = tree.root(5)
    assert root_from_consistency_proof(5, 5, [], root) == root
    with pytest.raises(ProofError, match=r"^consistency proof: got 1 hashes, want 0$"):
        verify_consistency(5, 5, [root], root, root)
    with pytest.raises(RootMismatchError, match=r"^root2 mismatch: calculated "):
        verify_consistency(5, 5, [], root, tree.root(4))


def test_consistency_proof_length_got_before_want(tree: MemoryTree) -> None:
    proof = tree.consistency_proof(3, 8)  # four hashes
    assert len(proof) == 4
    with pytest.raises(ProofError, match=r"^consistency proof: got 3 hashes, want 4$"):
        verify_consistency(3, 8, proof[:3], tree.root(3), tree.root(8))
    with pytest.raises(ProofError, match=r"^consistency proof: got 0 hashes, want 4$"):
        verify_consistency(3, 8, [], tree.root(3), tree.root(8))
    with pytest.raises(ProofError, match=r"^consistency proof: hash 3 has 31 bytes, want 32$"):
        verify_consistency(3, 8, [*proof[:3], proof[3][:31]], tree.root(3), tree.root(8))


def test_consistency_mismatch_says_which_root(tree: MemoryTree) -> None:
    proof = tree.consistency_proof(3, 8)
    root1, root2 = tree.root(3), tree.root(8)
    with pytest.raises(RootMismatchError) as info:
        verify_consistency(3, 8, proof, bytes(32), root2)
    assert info.value.which == "root1"
    assert str(info.value) == f"root1 mismatch: calculated {root1.hex()}, want {bytes(32).hex()}"
    with pytest.raises(ProofError, match=r"^consistency proof: root1 has 9 bytes, want 32$"):
        verify_consistency(3, 8, proof, b"WrongRoot", root2)
    with pytest.raises(RootMismatchError) as info:
        verify_consistency(3, 8, proof, root1, b"WrongRoot")
    assert str(info.value) == (
        f"root2 mismatch: calculated {root2.hex()}, want {b'WrongRoot'.hex()}"
    )


def test_empty_root_is_shown_as_empty(tree: MemoryTree) -> None:
    with pytest.raises(RootMismatchError, match=r"want <empty>$"):
        verify_inclusion(0, 8, hash_leaf(b"0"), tree.inclusion_proof(0, 8), b"")
