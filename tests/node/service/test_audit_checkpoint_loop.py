"""The audit checkpoint round against a ledger double: anchor only growth, ask the chain
first (never send twice after a crash), refuse to anchor over a head of another history,
take "already anchored" as done, retry a ledger that is down, and skip the chain read
while neither the log nor the chain moved."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import nacl.signing
import prometheus_client as prom
import pytest

from crypto.checkpoint import verify_head_signature
from crypto.signing import public_key_of
from ledger.errors import ContractRevert, LedgerUnavailable
from ledger.types import AuditHead, TxResult
from node.audit import Action, AuditEvent, AuditLog, Decision, audit_origin
from node.service import audit_checkpoints
from node.service.access_log import make_audit_metrics
from node.service.audit_checkpoints import ANCHOR_META, AuditCheckpointLoop, HeadAnchor
from node.store import SqlStore
from node.store.sql_audit import AuditStore

KEY = nacl.signing.SigningKey(hashlib.sha256(b"JS audit test key").digest())


class FakeLedger:
    """AuditAnchors for one province, as the contract keeps it."""

    def __init__(self) -> None:
        self.heads: dict[int, tuple[bytes, bytes]] = {}
        self.sent = 0
        self.reads = 0
        self.down = False
        self.revert: str | None = None

    def latest_audit_head(self, province: str) -> AuditHead:
        self.reads += 1
        if self.down:
            raise LedgerUnavailable("ledger down (test)")
        size = max(self.heads, default=0)
        return AuditHead(province, size, self.heads[size][0] if size else bytes(32))

    def anchor_audit_head(self, tree_size: int, root: bytes, signature: bytes) -> TxResult:
        self.sent += 1
        if self.revert:
            raise ContractRevert("AuditAnchors", self.revert)
        self.heads[tree_size] = (root, signature)
        return TxResult("0x" + "ab" * 32, 7 + self.sent, 51_000)


def _events(count: int, start: int = 0) -> list[AuditEvent]:
    return [AuditEvent(time=datetime(2026, 11, 28, tzinfo=UTC), actor="SH", role="peer",
                       action=Action.EXCHANGE_OUT, decision=Decision.ALLOW, peer="SH",
                       request_id=f"r-{i}") for i in range(start, start + count)]


@pytest.fixture
def parts(sql_store: SqlStore) -> tuple[AuditLog, FakeLedger, AuditCheckpointLoop, SqlStore]:
    log = AuditLog(sql_store, AuditStore(sql_store.engine), KEY, audit_origin("JS"))
    ledger = FakeLedger()
    loop = AuditCheckpointLoop(log, ledger, sql_store, province="JS", interval=0.05,
                               metrics=make_audit_metrics(prom.CollectorRegistry()))
    return log, ledger, loop, sql_store


def test_anchors_growth_once_with_a_signed_head(parts: tuple[AuditLog, FakeLedger,
                                                             AuditCheckpointLoop, SqlStore]
                                                ) -> None:
    log, ledger, loop, store = parts
    assert loop.run_once().anchored == 0 and ledger.sent == 0  # an empty log: nothing
    log.append(_events(5))
    assert loop.run_once().anchored == 5
    root, signature = ledger.heads[5]
    checkpoint = log.checkpoint(5).checkpoint
    assert root == checkpoint.root
    verify_head_signature(checkpoint, signature, public_key_of(KEY))
    assert HeadAnchor.decode(store.get_meta(ANCHOR_META) or "") == HeadAnchor(
        5, bytes.fromhex("ab" * 32), 8)
    # No growth, nothing sent; growth, the new size.
    assert loop.run_once().anchored == 0 and ledger.sent == 1
    log.append(_events(3, 5))
    assert loop.run_once().anchored == 8 and ledger.sent == 2


def test_a_head_already_on_chain_is_not_sent_again(
        parts: tuple[AuditLog, FakeLedger, AuditCheckpointLoop, SqlStore]) -> None:
    log, ledger, loop, _ = parts
    log.append(_events(4))
    head = log.latest_checkpoint()
    ledger.heads[4] = (head.checkpoint.root, head.signature)  # sent before a crash
    assert loop.run_once().anchored == 0 and ledger.sent == 0
    ledger.revert = "HeadAlreadyAnchored"  # another front end was first
    log.append(_events(1, 4))
    outcome = loop.run_once()
    assert (outcome.anchored, outcome.fork, ledger.sent) == (0, False, 1)


def test_refuses_to_anchor_over_another_history(
        parts: tuple[AuditLog, FakeLedger, AuditCheckpointLoop, SqlStore]) -> None:
    log, ledger, loop, _ = parts
    log.append(_events(4))
    ledger.heads[4] = (hashlib.sha256(b"another root").digest(), bytes(64))
    log.append(_events(2, 4))
    outcome = loop.run_once()
    assert outcome.fork and outcome.anchored == 0 and ledger.sent == 0
    ledger.heads = {9: (bytes(32), bytes(64))}  # the chain is ahead of this database
    assert loop.run_once().fork


def test_the_thread_retries_a_ledger_that_is_down(
        parts: tuple[AuditLog, FakeLedger, AuditCheckpointLoop, SqlStore]) -> None:
    log, ledger, loop, _ = parts
    log.append(_events(3))
    ledger.down = True
    loop.start()
    try:
        deadline = time.monotonic() + 10
        while loop.failures == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert loop.failures >= 1 and ledger.sent == 0
        ledger.down = False
        while 3 not in ledger.heads and time.monotonic() < deadline:
            time.sleep(0.01)
        assert 3 in ledger.heads
    finally:
        loop.stop()


def test_a_round_reads_the_chain_only_when_the_log_or_the_chain_moved(
        sql_store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    log = AuditLog(sql_store, AuditStore(sql_store.engine), KEY, audit_origin("JS"))
    ledger, block = FakeLedger(), [1]
    loop = AuditCheckpointLoop(log, ledger, sql_store, province="JS", interval=0.05,
                               metrics=make_audit_metrics(prom.CollectorRegistry()),
                               chain_head=lambda: block[0])
    log.append(_events(2))
    loop._round()  # anchors 2
    loop._round()  # a full round after anchoring: nothing to do, settled
    assert (ledger.sent, ledger.reads) == (1, 2)
    loop._round()
    loop._round()
    assert ledger.reads == 2  # nothing appended, no new block: not even a chain read
    log.append(_events(1, 2))
    loop._round()
    assert (ledger.sent, ledger.reads) == (2, 3) and 3 in ledger.heads
    loop._round()  # settles again
    block[0] += 1
    loop._round()
    assert ledger.reads == 5  # a new block: the chain is read again
    loop._round()
    assert ledger.reads == 5
    monkeypatch.setattr(audit_checkpoints, "FULL_ROUND_SECONDS", 0.0)
    loop._round()
    assert ledger.reads == 6  # and at least every FULL_ROUND_SECONDS
