"""Proof verification (RFC 9162 §2.1.3.2 and §2.1.4.2), kept apart from construction.

Each check has a compute half, ``root_from_*``, returning the root a proof leads to, and a
verify half, ``verify_*``, returning ``None`` or raising: ``ProofError`` when the inputs are
malformed (checked first, before any hashing), ``RootMismatchError`` when the proof is well
formed but leads elsewhere.

Proof hashes are ordered from the leaf (or old root) upwards. Both proofs split into an
*inner* part, where the path's side alternates, and a *border* part along the tree's
right edge, where every proof hash lies to the left.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

from crypto.merkle.errors import ProofError, RootMismatchError
from crypto.merkle.hasher import HASH_SIZE, NODE_PREFIX


def root_from_inclusion_proof(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """Return the root of the tree of ``size`` leaves that ``proof`` puts ``leaf_hash`` in.

    Preconditions (checked, ``ProofError``): ``0 <= index < size``; ``leaf_hash`` and every
    proof hash have HASH_SIZE bytes; ``proof`` has exactly the length (index, size) implies.
    """
    # (1): the leaf lies inside the tree.
    if index < 0 or index >= size:
        raise ProofError(f"inclusion proof: got index {index}, want 0 <= index < size {size}")
    # (2): the leaf hash is a hash.
    if len(leaf_hash) != HASH_SIZE:
        raise ProofError(f"inclusion proof: leaf hash has {len(leaf_hash)} bytes, want {HASH_SIZE}")
    # (3): the proof has the one length (index, size) allows, and holds only hashes.
    inner, border = _split_path(index, size)
    _check_proof_shape("inclusion proof", proof, inner + border)
    # (4): climb from the leaf to the root.
    node = leaf_hash
    for i in range(inner):
        if (index >> i) & 1:
            node = sha256(NODE_PREFIX + proof[i] + node).digest()
        else:
            node = sha256(NODE_PREFIX + node + proof[i]).digest()
    for i in range(inner, inner + border):
        node = sha256(NODE_PREFIX + proof[i] + node).digest()
    return node


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``proof`` shows ``leaf_hash`` at ``index`` in the tree (``size``, ``root``).

    Returns ``None``; raises ``ProofError`` (malformed input, see
    ``root_from_inclusion_proof``) or ``RootMismatchError``.

    The proof binds the leaf to ``root``; ``size`` only fixes the path's shape, and paths
    of the same shape exist in trees of other sizes (leaf 0 of 5 and of 6). Trust
    ``(size, root)`` only as a pair from a signed tree head.
    """
    calculated = root_from_inclusion_proof(index, size, leaf_hash, proof)
    if calculated != root:
        raise RootMismatchError(expected=root, calculated=calculated)


def root_from_consistency_proof(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes
) -> bytes:
    """Check ``proof`` against the old tree (``size1``, ``root1``); return the new root.

    The returned hash is the root of the tree of ``size2`` leaves that ``proof`` shows to
    extend the old tree; the caller compares it with the root it was given.

    Preconditions (checked, ``ProofError``): ``0 < size1 <= size2`` (a proof from the empty
    tree proves nothing); equal sizes take an empty proof and return ``root1`` as given
    (its length unchecked: the caller's comparison with root2 decides); otherwise root1
    and every proof hash have HASH_SIZE bytes and ``proof`` has exactly the length the
    sizes imply. Raises ``RootMismatchError`` (``which="root1"``) if the proof does not
    lead back to ``root1``.
    """
    # (1): sizes in order and the old tree not empty.
    if size2 < size1:
        raise ProofError(f"consistency proof: got size2 {size2}, want size2 >= size1 {size1}")
    if size1 <= 0:
        raise ProofError(f"consistency proof: got size1 {size1}, want size1 > 0")
    # (2): equal sizes: nothing to prove, the roots must simply be the same.
    if size1 == size2:
        _check_proof_shape("consistency proof", proof, 0)
        return root1

    # (3): root1 is hashed below (it may seed the climb), so it must be a hash.
    if len(root1) != HASH_SIZE:
        raise ProofError(f"consistency proof: root1 has {len(root1)} bytes, want {HASH_SIZE}")

    # (4): the proof is the upper part of the inclusion path of leaf size1-1 in the new
    # tree, starting at the biggest perfect subtree that ends at size1 (its ``seed``).
    inner, border = _split_path(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    # That subtree's hash leads the proof unless it is the whole old tree, i.e. root1.
    seed_in_proof = size1 != 1 << shift
    _check_proof_shape("consistency proof", proof, int(seed_in_proof) + inner + border)
    if seed_in_proof:
        seed, path = proof[0], proof[1:]
    else:
        seed, path = root1, proof

    # (5): climb twice at once: ``old`` uses only hashes left of the path (the old tree
    # ends there), ``new`` uses all of them.
    index = (size1 - 1) >> shift
    old = new = seed
    for i in range(inner):
        if (index >> i) & 1:
            old = sha256(NODE_PREFIX + path[i] + old).digest()
            new = sha256(NODE_PREFIX + path[i] + new).digest()
        else:
            new = sha256(NODE_PREFIX + new + path[i]).digest()
    for i in range(inner, inner + border):
        old = sha256(NODE_PREFIX + path[i] + old).digest()
        new = sha256(NODE_PREFIX + path[i] + new).digest()

    # (6): the proof must rebuild the old root before its new root means anything.
    if old != root1:
        raise RootMismatchError(expected=root1, calculated=old, which="root1")
    return new


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree (``size2``, ``root2``) extends the tree (``size1``, ``root1``).

    Returns ``None``; raises ``ProofError`` (malformed input, see
    ``root_from_consistency_proof``) or ``RootMismatchError`` (``which`` is ``"root1"`` or
    ``"root2"``).
    """
    calculated = root_from_consistency_proof(size1, size2, proof, root1)
    if calculated != root2:
        raise RootMismatchError(expected=root2, calculated=calculated, which="root2")


def _split_path(index: int, size: int) -> tuple[int, int]:
    """Split the inclusion path of leaf ``index`` in a tree of ``size`` leaves.

    Returns (inner, border): the path climbs ``inner`` levels below the point where it
    meets the path of the last leaf ``size - 1``, then ``border`` more along the right edge.
    """
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _check_proof_shape(what: str, proof: Sequence[bytes], want: int) -> None:
    if len(proof) != want:
        raise ProofError(f"{what}: got {len(proof)} hashes, want {want}")
    for i, item in enumerate(proof):
        if len(item) != HASH_SIZE:
            raise ProofError(f"{what}: hash {i} has {len(item)} bytes, want {HASH_SIZE}")
