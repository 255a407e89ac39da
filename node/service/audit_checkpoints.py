"""The audit checkpoint thread: sign the audit log's head and anchor it on the ledger.

Every ``interval`` seconds, when the log grew past the head the ledger holds, the loop
signs the log's current checkpoint and anchors ``(size, root, signature)`` with
``AuditAnchors.anchorHead``. Each round:

1. asks the chain for this province's latest anchored head (so a crash between sending
   and recording never makes it send twice: the chain is the record);
2. checks that head against the local log: the chain's root at its size must be this
   log's root at that size. A different root (the database was rewritten or restored
   from another history) is a fork: the loop refuses to anchor over it, logs an error,
   counts it (``credit_audit_forks{log="own"}``) and keeps checking;
3. anchors the current head when it is larger, and records where (``kv_meta``), so the
   node can tell auditors which head is anchored in which transaction.

A ledger that is down is retried with exponential backoff (up to ``RETRY_CAP`` s, so
checkpoints resume within seconds of its return); a fork is looked at again every
``FORK_RECHECK`` s; a revert saying the head is already there (another front end of
this node was first) is a success. With several processes of one node over one
PostgreSQL database, only the one holding ``leader`` (``node.store.leader``) runs the
rounds; the others skip them until its session ends, then one takes over.

Given ``chain_head`` (the ledger's block number), a round that finds the log's size and
the block where the last round that had nothing to anchor left them does nothing (no
chain read, no signature); a full round still runs at least every
:data:`FULL_ROUND_SECONDS`, so a rewritten chain or database is still caught.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from ledger.errors import ContractRevert
from ledger.types import AuditHead, TxResult
from node.audit import AuditLog
from node.service.access_log import AuditMetrics
from node.service.background import RETRY_CAP, BackgroundLoop, Backoff, Failed
from node.store.contract import Store
from node.store.leader import Leader

__all__ = [
    "ANCHOR_META",
    "AuditAnchorLedger",
    "AuditCheckpointLoop",
    "CheckpointOutcome",
    "HeadAnchor",
]

log = logging.getLogger(__name__)
FORK_RECHECK: Final = 30.0
FULL_ROUND_SECONDS: Final = 60.0
"""Longest time between two full rounds while neither the log nor the chain moves."""
ANCHOR_META: Final = "audit.anchor.last"
"""``kv_meta`` key of the latest head this node anchored (``HeadAnchor.encode``)."""
_BENIGN: Final = frozenset({"HeadAlreadyAnchored", "TreeSizeDecreased"})


@dataclass(frozen=True, slots=True)
class HeadAnchor:
    """Where this node anchored a head: the transaction and its block."""

    size: int
    tx_hash: bytes
    block_number: int

    def encode(self) -> str:
        return f"{self.size}:{self.tx_hash.hex()}:{self.block_number}"

    @classmethod
    def decode(cls, text: str) -> HeadAnchor | None:
        """Parse :meth:`encode` output; ``None`` for anything else."""
        try:
            size, tx_hash, block = text.split(":")
            return cls(int(size), bytes.fromhex(tx_hash), int(block))
        except ValueError:
            return None


class AuditAnchorLedger(Protocol):
    """What the loop needs of ``LedgerClient``."""

    def latest_audit_head(self, province: str) -> AuditHead: ...

    def anchor_audit_head(self, tree_size: int, root: bytes, signature: bytes) -> TxResult: ...


@dataclass(frozen=True, slots=True)
class CheckpointOutcome:
    """One round: the size anchored now (0: none), the chain's size before, a fork seen."""

    anchored: int
    chain_size: int
    fork: bool = False


class AuditCheckpointLoop:
    """A daemon thread anchoring ``audit_log``'s heads through ``ledger``."""

    def __init__(self, audit_log: AuditLog, ledger: AuditAnchorLedger, store: Store, *,
                 province: str, interval: float, metrics: AuditMetrics,
                 leader: Leader | None = None,
                 chain_head: Callable[[], int] | None = None) -> None:
        if interval <= 0:
            raise ValueError(f"audit checkpoint interval must be > 0, got {interval}")
        self._log = audit_log
        self._ledger = ledger
        self._store = store
        self._province = province
        self._interval = interval
        self._metrics = metrics
        self._leader = leader
        self._chain_head = chain_head
        self._settled: tuple[int, int, float] | None = None
        """(log size, block, monotonic time) after the last round with nothing to do."""
        self._loop = BackgroundLoop(self._round, self._failed, name="audit-checkpoints",
                                    logger=log)

    @property
    def failures(self) -> int:
        """Consecutive failed rounds (0 after one that reached the ledger)."""
        return self._loop.failures

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the current round, end the thread and give the lead up."""
        self._loop.stop(timeout)
        if self._leader is not None:
            self._leader.release()

    def run_once(self) -> CheckpointOutcome:
        """Steps (1)-(3) of the module doc, once (nothing while another process of this
        node leads)."""
        if self._leader is not None and not self._leader.held():
            return CheckpointOutcome(0, 0)
        # (1): what the chain holds is the truth about what was sent.
        chain = self._ledger.latest_audit_head(self._province)
        self._metrics.anchored_size.set(chain.tree_size)
        head = self._log.latest_checkpoint()
        size = head.checkpoint.size
        # (2): the anchored head must be a head of this log.
        if chain.tree_size > size or (
                chain.tree_size and self._log.checkpoint(chain.tree_size).checkpoint.root
                != chain.root):
            self._metrics.forks.labels(log="own").inc()
            log.error("the audit head anchored on the ledger is not a head of this node's "
                      "audit log: not anchoring over it",
                      extra={"chain_size": chain.tree_size, "log_size": size})
            return CheckpointOutcome(0, chain.tree_size, fork=True)
        if size <= chain.tree_size:
            return CheckpointOutcome(0, chain.tree_size)
        # (3)
        checkpoint = head.checkpoint
        try:
            result = self._ledger.anchor_audit_head(size, checkpoint.root, head.signature)
        except ContractRevert as exc:
            if exc.name not in _BENIGN:
                raise
            log.info("audit head already anchored", extra={"size": size, "revert": exc.name})
            return CheckpointOutcome(0, chain.tree_size)
        anchor = HeadAnchor(size, bytes.fromhex(result.tx_hash.removeprefix("0x")),
                            result.block_number)
        self._store.set_meta(ANCHOR_META, anchor.encode())
        self._metrics.anchored_size.set(size)
        log.info("audit head anchored", extra={"size": size, "block": result.block_number})
        return CheckpointOutcome(size, chain.tree_size)

    def _round(self) -> float:
        if self._chain_head is None:
            outcome = self.run_once()
        else:
            size, block = self._log.size(), self._chain_head()
            if self._settled is not None and self._settled[:2] == (size, block) \
                    and time.monotonic() - self._settled[2] < FULL_ROUND_SECONDS:
                return self._interval  # nothing appended, nothing mined: nothing to do
            outcome = self.run_once()
            settled = not outcome.fork and not outcome.anchored and \
                (self._leader is None or self._leader.held())
            self._settled = (size, block, time.monotonic()) if settled else None
        # A fork will not heal by itself: look again slowly, not every interval.
        return FORK_RECHECK if outcome.fork else self._interval

    def _failed(self, exc: Exception) -> Failed:
        self._metrics.anchor_failures.inc()
        return Failed("audit head anchoring failed; retrying",
                      Backoff(self._interval, RETRY_CAP))
