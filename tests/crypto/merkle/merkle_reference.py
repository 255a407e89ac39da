"""A literal, slow transcription of RFC 9162 §2.1 used to cross-check the fast code.

MTH, PATH and PROOF/SUBPROOF follow §2.1.1, §2.1.3.1 and §2.1.4.1 word for word (lists of
entries, recursion on the largest power of two smaller than n); the two verifiers follow
the numbered steps of §2.1.3.2 and §2.1.4.2. Nothing here is shared with crypto.merkle
except SHA-256 itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(entries: Sequence[bytes]) -> bytes:
    """MTH(D[n]), §2.1.1."""
    n = len(entries)
    if n == 0:
        return sha256(b"").digest()
    if n == 1:
        return sha256(b"\x00" + entries[0]).digest()
    k = _k(n)
    return sha256(b"\x01" + mth(entries[:k]) + mth(entries[k:])).digest()


def path(m: int, entries: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]), §2.1.3.1: the inclusion proof of entry m, bottom up."""
    n = len(entries)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*path(m, entries[:k]), mth(entries[k:])]
    return [*path(m - k, entries[k:]), mth(entries[:k])]


def proof(m: int, entries: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true), §2.1.4.1, for 0 < m < n."""
    return _subproof(m, entries, True)


def _subproof(m: int, entries: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if b else [mth(entries)]
    k = _k(n)
    if m <= k:
        return [*_subproof(m, entries[:k], b), mth(entries[k:])]
    return [*_subproof(m - k, entries[k:], False), mth(entries[:k])]


def _node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def verify_inclusion(
    leaf_index: int,
    tree_size: int,
    leaf_hash: bytes,
    inclusion_path: Sequence[bytes],
    root_hash: bytes,
) -> bool:
    """§2.1.3.2, step by step."""
    if leaf_index >= tree_size:  # (1)
        return False
    fn, sn = leaf_index, tree_size - 1  # (2)
    r = leaf_hash  # (3)
    for p in inclusion_path:  # (4)
        if sn == 0:  # (4a)
            return False
        if fn & 1 or fn == sn:  # (4b)
            r = _node(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1  # (4c)
    return sn == 0 and r == root_hash  # (5)


def verify_consistency(
    first: int,
    second: int,
    first_hash: bytes,
    second_hash: bytes,
    consistency_path: Sequence[bytes],
) -> bool:
    """§2.1.4.2, step by step (defined for 0 < first < second)."""
    if not consistency_path:  # (1)
        return False
    path_ = list(consistency_path)
    if first & (first - 1) == 0:  # (2)
        path_.insert(0, first_hash)
    fn, sn = first - 1, second - 1  # (3)
    while fn & 1:  # (4)
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path_[0]  # (5)
    for c in path_[1:]:  # (6)
        if sn == 0:  # (6a)
            return False
        if fn & 1 or fn == sn:  # (6b)
            fr, sr = _node(c, fr), _node(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node(sr, c)
        fn, sn = fn >> 1, sn >> 1  # (6c)
    return fr == first_hash and sr == second_hash and sn == 0  # (7)
