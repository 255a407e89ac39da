"""The witness loop reads each peer's anchored head only when a block was mined since its
last clean round (or FULL_ROUND_SECONDS passed); a failed round is not skipped after."""

from __future__ import annotations

import hashlib

import nacl.signing
import prometheus_client as prom
import pytest

from ledger.errors import LedgerUnavailable
from ledger.types import AuditHead, Member, TxResult
from node.audit.heads import ServedHead
from node.service import audit_witness
from node.service.access_log import make_audit_metrics
from node.service.audit_witness import AuditWitnessLoop
from node.store import SqlStore

KEY = nacl.signing.SigningKey(hashlib.sha256(b"JS witness gate test key").digest())


class NothingAnchored:
    """AuditAnchors with no head of any peer yet; counts the reads."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.down = False

    def latest_audit_head(self, province: str) -> AuditHead:
        self.reads.append(province)
        if self.down:
            raise LedgerUnavailable("ledger down (test)")
        return AuditHead(province, 0, bytes(32))

    def member(self, province: str) -> Member:
        raise AssertionError("not read: nothing is anchored")

    def witness_audit_head(self, province: str, tree_size: int, root: bytes,
                           cosignature: bytes) -> TxResult:
        raise AssertionError("nothing to witness")


class UnusedPeer:
    def head_at(self, size: int) -> ServedHead:
        raise AssertionError("not asked: nothing is anchored")

    def consistency(self, first: int, second: int) -> list[bytes]:
        raise AssertionError("not asked: nothing is anchored")


def test_rounds_without_a_new_block_skip_the_peers(sql_store: SqlStore,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ledger, block = NothingAnchored(), [7]
    loop = AuditWitnessLoop(sql_store, ledger, {"SH": UnusedPeer(), "ZJ": UnusedPeer()},
                            province="JS", signing_key=KEY, interval=0.05,
                            metrics=make_audit_metrics(prom.CollectorRegistry()),
                            chain_head=lambda: block[0])
    loop._round()
    assert ledger.reads == ["SH", "ZJ"]
    loop._round()
    assert len(ledger.reads) == 2  # same block: no anchored head can have moved
    block[0] += 1
    ledger.down = True
    loop._round()  # a new block, and the reads fail: not a clean round
    assert len(ledger.reads) == 4
    ledger.down = False
    loop._round()
    assert len(ledger.reads) == 6  # same block, but the last round failed: read again
    loop._round()
    assert len(ledger.reads) == 6
    monkeypatch.setattr(audit_witness, "FULL_ROUND_SECONDS", 0.0)
    loop._round()
    assert len(ledger.reads) == 8  # at least every FULL_ROUND_SECONDS


def test_without_chain_head_every_round_reads(sql_store: SqlStore) -> None:
    ledger = NothingAnchored()
    loop = AuditWitnessLoop(sql_store, ledger, {"SH": UnusedPeer()}, province="JS",
                            signing_key=KEY, interval=0.05,
                            metrics=make_audit_metrics(prom.CollectorRegistry()))
    loop._round()
    loop._round()
    assert ledger.reads == ["SH", "SH"]
