"""Benchmark the in-memory Merkle log: bulk append, then proofs at full size.

Appends LEAVES leaf hashes one by one to a MemoryTree (no rebuild at any point), then
builds and verifies inclusion proofs for PROOFS random leaves and consistency proofs for
PROOFS random size pairs. Prints one JSON object. Usage: ``python bench/bench_merkle.py``.
"""

from __future__ import annotations

import json
import platform
import random
import resource
import statistics
import sys
import time

from crypto.merkle import MemoryTree, hash_leaf, verify_consistency, verify_inclusion

LEAVES = 1_000_000
PROOFS = 1000
SEED = 9162


def _ms(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    return {
        "mean": round(statistics.fmean(ordered) / 1e6, 4),
        "p50": round(ordered[len(ordered) // 2] / 1e6, 4),
        "p99": round(ordered[min(len(ordered) - 1, len(ordered) * 99 // 100)] / 1e6, 4),
    }


def main() -> None:
    leaf_hashes = [hash_leaf(i.to_bytes(8, "big")) for i in range(LEAVES)]
    tree = MemoryTree()

    start = time.perf_counter()
    append = tree.append
    for leaf_hash in leaf_hashes:
        append(leaf_hash)
    append_seconds = time.perf_counter() - start

    rng = random.Random(SEED)
    size = tree.size
    root = tree.root()

    proof_ns: list[int] = []
    verify_ns: list[int] = []
    for index in (rng.randrange(size) for _ in range(PROOFS)):
        t0 = time.perf_counter_ns()
        proof = tree.inclusion_proof(index, size)
        t1 = time.perf_counter_ns()
        verify_inclusion(index, size, leaf_hashes[index], proof, root)
        t2 = time.perf_counter_ns()
        proof_ns.append(t1 - t0)
        verify_ns.append(t2 - t1)

    cons_ns: list[int] = []
    cons_verify_ns: list[int] = []
    for _ in range(PROOFS):
        size1 = rng.randrange(1, size)
        size2 = rng.randrange(size1, size + 1)
        root1, root2 = tree.root(size1), tree.root(size2)
        t0 = time.perf_counter_ns()
        proof = tree.consistency_proof(size1, size2)
        t1 = time.perf_counter_ns()
        verify_consistency(size1, size2, proof, root1, root2)
        t2 = time.perf_counter_ns()
        cons_ns.append(t1 - t0)
        cons_verify_ns.append(t2 - t1)

    inclusion_ms = _ms(proof_ns)
    consistency_ms = _ms(cons_ns)
    result = {
        "benchmark": "merkle_memory_tree",
        "leaves": LEAVES,
        "append_seconds": round(append_seconds, 3),
        "appends_per_second": round(LEAVES / append_seconds),
        "proofs": PROOFS,
        "proof_ms_mean": inclusion_ms["mean"],
        "proof_ms_p50": inclusion_ms["p50"],
        "proof_ms_p99": inclusion_ms["p99"],
        "verify_ms_mean": round(statistics.fmean(verify_ns) / 1e6, 4),
        "consistency_proof_ms_mean": consistency_ms["mean"],
        "consistency_proof_ms_p50": consistency_ms["p50"],
        "consistency_proof_ms_p99": consistency_ms["p99"],
        "consistency_verify_ms_mean": round(statistics.fmean(cons_verify_ns) / 1e6, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": platform.python_version(),
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
