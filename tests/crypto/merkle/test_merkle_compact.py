"""CompactRange: appends give the RFC roots, visit sees exactly the perfect nodes, and a
range restored from its peaks carries on as if it had never stopped."""

from __future__ import annotations

import merkle_reference as ref
import pytest

from crypto.merkle import (
    EMPTY_ROOT,
    CompactRange,
    HashSizeError,
    MerkleError,
    NodeID,
    OutOfRangeError,
    hash_children,
    hash_leaf,
    peak_ids,
)

N = 70
ENTRIES = [b"e%d" % i for i in range(N)]
LEAVES = [hash_leaf(e) for e in ENTRIES]


def perfect_nodes(size: int) -> set[NodeID]:
    return {
        NodeID(level, index) for level in range(size.bit_length()) for index in range(size >> level)
    }


def test_empty_range() -> None:
    compact = CompactRange()
    assert compact.size == 0
    assert compact.peaks == ()
    assert compact.root() == EMPTY_ROOT


def test_append_matches_reference_root_at_every_size() -> None:
    compact = CompactRange()
    for size in range(1, N + 1):
        assert compact.append(LEAVES[size - 1]) == size - 1
        assert compact.size == size
        assert compact.root() == ref.mth(ENTRIES[:size])
        assert len(compact.peaks) == size.bit_count()


def test_peaks_are_the_hashes_of_peak_ids() -> None:
    compact = CompactRange()
    compact.extend(LEAVES[:N])
    for node, peak in zip(peak_ids(N), compact.peaks, strict=True):
        begin, end = node.coverage()
        assert peak == ref.mth(ENTRIES[begin:end])


def test_peak_ids_cover_the_tree_left_to_right() -> None:
    assert peak_ids(0) == []
    assert peak_ids(13) == [NodeID(3, 0), NodeID(2, 2), NodeID(0, 12)]
    for size in range(1, 300):
        ids = peak_ids(size)
        assert len(ids) == size.bit_count()
        assert [n.level for n in ids] == sorted((n.level for n in ids), reverse=True)
        position = 0
        for node in ids:
            begin, end = node.coverage()
            assert begin == position
            position = end
        assert position == size


def test_visit_sees_exactly_the_perfect_nodes_once_bottom_up() -> None:
    seen: list[tuple[NodeID, bytes]] = []
    compact = CompactRange()
    for size in range(1, N + 1):
        before = len(seen)
        compact.append(LEAVES[size - 1], lambda node, h: seen.append((node, h)))
        new = seen[before:]
        # The leaf first, then the nodes it completes, one level up each.
        assert new[0] == (NodeID(0, size - 1), LEAVES[size - 1])
        assert [n.level for n, _ in new] == list(range(len(new)))
        assert {n for n, _ in seen} == perfect_nodes(size)
        assert len(seen) == len(perfect_nodes(size))
    for node, node_hash in seen:
        begin, end = node.coverage()
        assert node_hash == ref.mth(ENTRIES[begin:end])


@pytest.mark.parametrize("stop", range(N + 1))
def test_restore_from_peaks_and_continue(stop: int) -> None:
    first = CompactRange()
    first.extend(LEAVES[:stop])
    restored = CompactRange(stop, first.peaks)
    assert restored.root() == first.root()
    visited: list[NodeID] = []
    restored.extend(LEAVES[stop:], lambda node, _h: visited.append(node))
    assert restored.root() == ref.mth(ENTRIES)
    assert set(visited) == perfect_nodes(N) - perfect_nodes(stop)


def test_restore_a_huge_log_without_rebuilding() -> None:
    # 2**27 - 1 leaves: 27 peaks; the next append merges them all into one node.
    size = 2**27 - 1
    peaks = [hash_leaf(b"peak %d" % i) for i in range(27)]
    compact = CompactRange(size, peaks)
    visited: list[NodeID] = []
    leaf = hash_leaf(b"next")
    compact.append(leaf, lambda node, _h: visited.append(node))
    assert visited == [NodeID(level, (size >> level)) for level in range(28)]
    expected = leaf
    for peak in reversed(peaks):
        expected = hash_children(peak, expected)
    assert compact.peaks == (expected,)
    assert compact.root() == expected
    assert compact.size == 2**27
    assert peak_ids(10**8)[0] == NodeID(26, 0)


def test_append_refuses_a_wrong_length_and_stays_unchanged() -> None:
    compact = CompactRange()
    compact.append(LEAVES[0])
    with pytest.raises(HashSizeError, match=r"append at index 1: leaf hash has 31 bytes, want 32"):
        compact.append(LEAVES[1][:31])
    assert compact.size == 1
    assert compact.root() == LEAVES[0]


def test_restore_refuses_bad_peaks() -> None:
    with pytest.raises(MerkleError, match=r"compact range of size 5: got 1 peak hashes, want 2"):
        CompactRange(5, [LEAVES[0]])
    with pytest.raises(HashSizeError, match=r"compact range: peak 1 has 3 bytes, want 32"):
        CompactRange(3, [LEAVES[0], b"abc"])
    with pytest.raises(OutOfRangeError, match=r"compact range: got size -1, want size >= 0"):
        CompactRange(-1, [])
    with pytest.raises(OutOfRangeError, match=r"peaks: got size -2, want size >= 0"):
        peak_ids(-2)
