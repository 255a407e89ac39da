"""bench_audit's 10M-leaf path on a small tree: written through the store's append_leaves,
every proof checked against the root and equal to the one the pre-issue-15 path reads. No
timing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from bench_audit import tree_proofs  # noqa: E402


def test_tree_proofs_are_checked_and_match_the_earlier_path() -> None:
    found = tree_proofs(3_000, chunk=700)  # raises if a proof fails or the paths disagree
    assert found["tree_entries"] == 3_000
    for key in ("inclusion_proof_ms", "inclusion_proof_ms_before"):
        assert set(found[key]) == {"mean", "p50", "p99"}
        assert 0 < found[key]["p50"] <= found[key]["p99"]
