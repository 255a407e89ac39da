"""Cross-check the fast Merkle code against the literal RFC 9162 transcription.

Every tree size up to MAX_SIZE, every (index, size) inclusion proof and every
(size1, size2) consistency proof: same roots, same proof hashes, and both verifiers agree.
"""

from __future__ import annotations

import merkle_reference as ref
import pytest

from crypto.merkle import (
    CompactRange,
    MemoryTree,
    consistency,
    hash_leaf,
    inclusion,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 70
ENTRIES = [b"entry %d" % i for i in range(MAX_SIZE)]
LEAVES = [hash_leaf(e) for e in ENTRIES]


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    tree = MemoryTree()
    tree.extend(LEAVES)
    return tree


def test_reference_known_answers() -> None:
    # RFC 6962 test tree roots (the 8 entries of transparency-dev's verify_test.go).
    entries = [
        bytes.fromhex(h)
        for h in (
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        )
    ]
    assert ref.mth([]).hex() == ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert ref.mth(entries[:1]).hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert ref.mth(entries).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


def test_roots_match_reference_at_every_size(tree: MemoryTree) -> None:
    compact = CompactRange()
    for size in range(MAX_SIZE + 1):
        want = ref.mth(ENTRIES[:size])
        assert compact.root() == want, size
        assert tree.root(size) == want, size
        if size < MAX_SIZE:
            compact.append(LEAVES[size])
    assert tree.root() == ref.mth(ENTRIES)


def test_inclusion_proofs_match_reference(tree: MemoryTree) -> None:
    for size in range(1, MAX_SIZE + 1):
        root = ref.mth(ENTRIES[:size])
        for index in range(size):
            want = ref.path(index, ENTRIES[:size])
            got = tree.inclusion_proof(index, size)
            assert got == want, (index, size)
            assert inclusion(index, size).proof_size() == len(want)
            verify_inclusion(index, size, LEAVES[index], got, root)
            assert ref.verify_inclusion(index, size, LEAVES[index], got, root)


def test_consistency_proofs_match_reference(tree: MemoryTree) -> None:
    for size2 in range(1, MAX_SIZE + 1):
        root2 = ref.mth(ENTRIES[:size2])
        for size1 in range(1, size2 + 1):
            root1 = ref.mth(ENTRIES[:size1])
            got = tree.consistency_proof(size1, size2)
            want = ref.proof(size1, ENTRIES[:size2]) if size1 < size2 else []
            assert got == want, (size1, size2)
            assert consistency(size1, size2).proof_size() == len(want)
            verify_consistency(size1, size2, got, root1, root2)
            if size1 < size2:
                assert ref.verify_consistency(size1, size2, root1, root2, got)
