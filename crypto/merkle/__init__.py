"""RFC 9162 Merkle log (SHA-256): append, roots, inclusion and consistency proofs.

The tree code never stores anything itself: ``CompactRange.append`` hands every new
perfect node to a callback, ``inclusion``/``consistency`` plan which stored nodes a proof
needs, and ``fetch_proof`` fills the plan from any batch lookup. ``MemoryTree`` wires these
together in memory; a database-backed log does the same with SQL.

Usage::

    from crypto.merkle import (
        MemoryTree, hash_leaf, verify_consistency, verify_inclusion,
    )

    tree = MemoryTree()
    for entry in (b"a", b"b", b"c"):
        tree.append(hash_leaf(entry))
    root = tree.root()

    proof = tree.inclusion_proof(1, tree.size)
    verify_inclusion(1, tree.size, hash_leaf(b"b"), proof, root)  # raises if wrong

    old_root = tree.root(2)
    proof = tree.consistency_proof(2, tree.size)
    verify_consistency(2, tree.size, proof, old_root, root)

Every error derives from ``MerkleError`` (a ``ValueError``): ``ProofError`` for malformed
proofs and arguments, ``RootMismatchError`` when a well-formed proof leads to another root.
"""

from crypto.merkle.compact import CompactRange, Visit, fold_peaks, peak_ids
from crypto.merkle.errors import (
    HashSizeError,
    MerkleError,
    OutOfRangeError,
    ProofError,
    RootMismatchError,
)
from crypto.merkle.hasher import EMPTY_ROOT, HASH_SIZE, hash_children, hash_leaf
from crypto.merkle.memory import MemoryTree
from crypto.merkle.node_id import NodeID, range_nodes
from crypto.merkle.proof import Nodes, consistency, fetch_proof, inclusion
from crypto.merkle.verify import (
    root_from_consistency_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
    "HashSizeError",
    "MemoryTree",
    "MerkleError",
    "NodeID",
    "Nodes",
    "OutOfRangeError",
    "ProofError",
    "RootMismatchError",
    "Visit",
    "consistency",
    "fetch_proof",
    "fold_peaks",
    "hash_children",
    "hash_leaf",
    "inclusion",
    "peak_ids",
    "range_nodes",
    "root_from_consistency_proof",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]
