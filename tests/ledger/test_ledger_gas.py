"""One anchor transaction per batch whatever its size: gas for 10 vs 100,000 records."""

from __future__ import annotations

import hashlib

import pytest
from ledger_helpers import SIG

from ledger.client import LedgerClient

Clients = dict[str, LedgerClient]


def rfc9162_root(leaves: list[bytes]) -> bytes:
    """MTH over `leaves` (RFC 9162 §2.1.1): leaf H(0x00‖d), node H(0x01‖l‖r). Pairing level
    by level and carrying an odd last node up unchanged gives the same tree as the
    recursive split at the largest power of two below n."""
    level = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        paired = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def recursive_root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(
        b"\x01" + recursive_root(leaves[:k]) + recursive_root(leaves[k:])
    ).digest()


def commitments(start: int, count: int) -> list[bytes]:
    return [hashlib.sha256(b"record-%d" % i).digest() for i in range(start, start + count)]


def test_level_pairing_matches_the_recursive_definition() -> None:
    for n in (1, 2, 3, 5, 7, 8, 13, 100):
        leaves = commitments(0, n)
        assert rfc9162_root(leaves) == recursive_root(leaves), n


def test_inline_root_matches_crypto_merkle() -> None:
    merkle = pytest.importorskip("crypto.merkle")
    for n in (1, 10, 1000):
        tree = merkle.MemoryTree()
        for leaf in commitments(0, n):
            tree.append(merkle.hash_leaf(leaf))
        assert tree.root() == rfc9162_root(commitments(0, n)), n


def test_anchor_gas_does_not_depend_on_batch_size(adopted: Clients) -> None:
    # Warm both provinces' slots with a first batch so both measured anchors update
    # already-written storage the same way.
    small, large = adopted["JS"], adopted["ZJ"]
    warm_js = rfc9162_root(commitments(0, 1))
    warm_zj = rfc9162_root(commitments(0, 1))
    small.anchor_batch(1, warm_js, 1, bytes(32), 1, SIG)
    large.anchor_batch(1, warm_zj, 1, bytes(32), 1, SIG)

    root_10 = rfc9162_root(commitments(0, 11))
    root_100k = rfc9162_root(commitments(0, 100_001))
    gas_10 = small.anchor_batch(2, root_10, 11, warm_js, 1, SIG).gas_used
    gas_100k = large.anchor_batch(2, root_100k, 100_001, warm_zj, 1, SIG).gas_used
    print(f"\nanchorBatch gas: batch of 10 records {gas_10}, batch of 100,000 records {gas_100k}")
    assert small.is_anchored("JS", 2, root_10) and large.is_anchored("ZJ", 2, root_100k)
    assert abs(gas_10 - gas_100k) <= 0.02 * gas_10
    assert gas_100k < 150_000
