"""Proof construction plans: which perfect nodes a proof needs and how they fold."""

from __future__ import annotations

import merkle_reference as ref
import pytest

from crypto.merkle import (
    NodeID,
    Nodes,
    OutOfRangeError,
    ProofError,
    consistency,
    fetch_proof,
    hash_children,
    hash_leaf,
    inclusion,
    range_nodes,
)

ENTRIES = [b"n%d" % i for i in range(40)]


def stored(node: NodeID) -> bytes:
    """The hash a store would hold for a perfect node of the ENTRIES log."""
    begin, end = node.coverage()
    return ref.mth(ENTRIES[begin:end])


def lookup(nodes: list[NodeID]) -> list[bytes]:
    return [stored(n) for n in nodes]


def test_node_id_relatives() -> None:
    node = NodeID(2, 5)
    assert node.parent() == NodeID(3, 2)
    assert node.sibling() == NodeID(2, 4)
    assert NodeID(2, 4).sibling() == node
    assert node.coverage() == (20, 24)
    assert NodeID(0, 7).coverage() == (7, 8)


def fewest_cover(begin: int, end: int) -> int:
    """Brute force: the fewest aligned perfect subtrees that tile [begin, end)."""
    best = [0] * (end - begin + 1)
    for position in range(end - 1, begin - 1, -1):
        options = []
        level = 0
        while position % (1 << level) == 0 and position + (1 << level) <= end:
            options.append(1 + best[position + (1 << level) - begin])
            level += 1
        best[position - begin] = min(options)
    return best[0]


def test_range_nodes_cover_exactly_and_minimally() -> None:
    assert range_nodes(3, 3) == []
    assert range_nodes(3, 13) == [NodeID(0, 3), NodeID(2, 1), NodeID(2, 2), NodeID(0, 12)]
    for begin in range(40):
        for end in range(begin, 40):
            nodes = range_nodes(begin, end)
            position = begin
            for node in nodes:
                assert node.coverage()[0] == position
                position = node.coverage()[1]
            assert position == end
            assert len(nodes) == fewest_cover(begin, end)
    with pytest.raises(OutOfRangeError, match=r"leaf range \[5, 4\): want 0 <= begin <= end"):
        range_nodes(5, 4)


def test_inclusion_plan_with_ephemeral_node() -> None:
    # Leaf 2 of 7: its sibling leaf 3, then node (1,0), then the ephemeral node over
    # leaves [4, 7) built from (0,6) and (1,2).
    plan = inclusion(2, 7)
    assert plan == Nodes(
        ids=(NodeID(0, 3), NodeID(1, 0), NodeID(0, 6), NodeID(1, 2)),
        begin=2,
        end=4,
        ephem=NodeID(2, 1),
    )
    proof = fetch_proof(plan, lookup)
    assert proof == [
        stored(NodeID(0, 3)),
        stored(NodeID(1, 0)),
        hash_children(stored(NodeID(1, 2)), stored(NodeID(0, 6))),
    ]
    assert proof == ref.path(2, ENTRIES[:7])
    assert plan.proof_size() == 3


def test_inclusion_plan_in_a_perfect_tree_has_no_ephemeral_node() -> None:
    plan = inclusion(5, 8)
    assert plan.ids == (NodeID(0, 4), NodeID(1, 3), NodeID(2, 0))
    assert plan.begin == plan.end == 0
    assert plan.rehash([b"a", b"b", b"c"]) == [b"a", b"b", b"c"]


def test_consistency_plans() -> None:
    assert consistency(4, 4).ids == ()
    # size1 a power of two: the old root is known to the verifier, not in the plan.
    assert consistency(4, 8).ids == (NodeID(2, 1),)
    # Otherwise the plan leads with the biggest perfect subtree ending at size1.
    assert consistency(6, 8).ids[0] == NodeID(1, 2)
    for size2 in range(1, 40):
        for size1 in range(1, size2):
            assert fetch_proof(consistency(size1, size2), lookup) == ref.proof(
                size1, ENTRIES[:size2]
            )


def test_every_planned_node_is_complete_and_ephemeral_block_covers_border() -> None:
    plans = [(inclusion(i, n), n) for n in range(1, 40) for i in range(n)]
    plans += [(consistency(m, n), n) for n in range(1, 40) for m in range(1, n + 1)]
    for plan, size in plans:
        for node in plan.ids:
            assert node.coverage()[1] <= size, (node, size)
        if plan.begin < plan.end:
            block = plan.ids[plan.begin : plan.end]
            begin = min(n.coverage()[0] for n in block)
            end = max(n.coverage()[1] for n in block)
            assert (begin, end) == (plan.ephem.coverage()[0], size)


def test_fetch_proof_makes_one_batch_call_in_plan_order() -> None:
    calls: list[list[NodeID]] = []

    def get(nodes: list[NodeID]) -> list[bytes]:
        calls.append(nodes)
        return lookup(nodes)

    plan = inclusion(9, 23)
    fetch_proof(plan, get)
    assert calls == [list(plan.ids)]
    calls.clear()
    assert fetch_proof(consistency(3, 3), get) == []
    assert calls == []


def test_fetch_proof_refuses_a_short_answer() -> None:
    plan = inclusion(2, 7)
    with pytest.raises(ProofError, match=r"node lookup: got 3 hashes, want 4"):
        fetch_proof(plan, lambda nodes: lookup(nodes)[:3])
    with pytest.raises(ProofError, match=r"rehash: got 5 hashes, want 4"):
        plan.rehash([hash_leaf(b"x")] * 5)


def test_plan_preconditions() -> None:
    with pytest.raises(OutOfRangeError, match=r"got index 7, want 0 <= index < 7"):
        inclusion(7, 7)
    with pytest.raises(OutOfRangeError, match=r"got index -1, want 0 <= index < 7"):
        inclusion(-1, 7)
    with pytest.raises(OutOfRangeError, match=r"got size1 0, want size1 > 0"):
        consistency(0, 5)
    with pytest.raises(OutOfRangeError, match=r"got size2 3, want size2 >= size1 5"):
        consistency(5, 3)
