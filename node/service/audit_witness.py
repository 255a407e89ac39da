"""The witness thread: co-sign each peer's anchored audit heads, and catch a forked log.

Every ``interval`` seconds, for each peer province, one round:

1. read the peer's latest anchored head on the chain and the peer's node key registered
   on the chain (``Governance``), which names its log (``yrd-credit/audit/<peer>``);
2. ask the peer (``AuditService.GetHeadAtSize``) for its signed head at that size and
   verify the signature. A signed root other than the anchored one means the peer signs
   two heads for one size: a **fork** (evidence kept, see below);
3. hand the head to :func:`node.audit.witness_once`: it is checked against the last head
   this node co-signed for the peer (``kv_meta`` ``audit.witness.<peer>``) — same size
   and another root is a fork, a larger head must be proven consistent with it by the
   peer's ``GetConsistencyProof`` — then co-signed and published on the chain
   (``AuditAnchors.witness``); the note is saved only after the chain took it.

Fork and inconsistency evidence (both signed notes, or the anchored root and the signed
note) is kept in ``kv_meta`` ``audit.fork.<peer>`` as JSON, logged as an error and
counted (``credit_audit_forks{log=<peer>}``); the peer is not co-signed again until an
operator looks. Failures (peer or ledger down) are retried next round.

Given ``chain_head`` (the ledger's block number), a round whose block is the one the
last clean round saw skips the per-peer reads: the anchored heads can only change in a
new block. A full round still runs at least every :data:`FULL_ROUND_SECONDS`, so a peer
that starts serving another head for an anchored size is still caught.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Protocol

import nacl.signing

from crypto.checkpoint import verify_checkpoint
from crypto.signed_note import NoteVerifier
from crypto.signing import node_public_key
from ledger.errors import ContractRevert
from ledger.types import AuditHead, Member, TxResult
from node.audit import (
    Cosignature,
    ForkDetected,
    ForkEvidence,
    InconsistentHead,
    audit_origin,
    witness_name,
    witness_once,
)
from node.audit.heads import ServedHead, served_note
from node.service.access_log import AuditMetrics
from node.service.background import BackgroundLoop, Backoff, Failed
from node.store.contract import Store
from node.store.leader import Leader

__all__ = ["AuditWitnessLoop", "WitnessPeer", "fork_key", "witness_key"]

log = logging.getLogger(__name__)

FULL_ROUND_SECONDS: Final = 60.0
"""Longest time between two full witnessing rounds while the chain does not move."""


def witness_key(peer: str) -> str:
    """``kv_meta`` key of the last note this node co-signed for ``peer``."""
    return f"audit.witness.{peer}"


def fork_key(peer: str) -> str:
    """``kv_meta`` key of the fork evidence held against ``peer`` (JSON)."""
    return f"audit.fork.{peer}"


class WitnessLedger(Protocol):
    def latest_audit_head(self, province: str) -> AuditHead: ...

    def member(self, province: str) -> Member: ...

    def witness_audit_head(self, province: str, tree_size: int, root: bytes,
                           cosignature: bytes) -> TxResult: ...


class WitnessPeer(Protocol):
    """A peer's AuditService as the witness reads it (``node.grpc.peer.PeerClient``)."""

    def head_at(self, size: int) -> ServedHead: ...

    def consistency(self, first: int, second: int) -> Sequence[bytes]: ...


class AuditWitnessLoop:
    """A daemon thread witnessing every peer in ``peers`` (province -> its AuditService)."""

    def __init__(self, store: Store, ledger: WitnessLedger, peers: Mapping[str, WitnessPeer], *,
                 province: str, signing_key: nacl.signing.SigningKey, interval: float,
                 metrics: AuditMetrics, leader: Leader | None = None,
                 chain_head: Callable[[], int] | None = None) -> None:
        self._store = store
        self._ledger = ledger
        # Several processes of one node (one database) witness once: the leader only.
        self._leader = leader
        self.peers = dict(peers)
        self._province = province
        self._key = signing_key
        self._interval = interval
        self._metrics = metrics
        self._chain_head = chain_head
        self._clean_at: tuple[int, float] | None = None
        """(block, monotonic time) of the last round in which every peer was read."""
        self._loop = BackgroundLoop(self._round, self._failed, name="audit-witness",
                                    logger=log, first_wait=interval)

    def start(self) -> None:
        if self.peers:
            self._loop.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._loop.stop(timeout)
        if self._leader is not None:
            self._leader.release()

    def witness(self, peer: str) -> Cosignature | None:
        """Steps (1)-(3) of the module doc for ``peer``; the cosignature published, if any.

        Raises ``ForkDetected`` / ``InconsistentHead`` (after keeping the evidence) and
        whatever the peer or the ledger raise.
        """
        if self._store.get_meta(fork_key(peer)) is not None:
            return None  # evidence is held: an operator must look first
        # (1)
        anchored = self._ledger.latest_audit_head(peer)
        if anchored.tree_size == 0:
            return None
        origin = audit_origin(peer)
        log_key = NoteVerifier(origin, node_public_key(self._ledger.member(peer).node_key))
        # (2)
        note = served_note(self.peers[peer].head_at(anchored.tree_size), log_key)
        served = verify_checkpoint(note, origin, [log_key])
        if served.size != anchored.tree_size or served.root != anchored.root:
            evidence = ForkEvidence(anchored.tree_size, anchored.root, served.root, "", note)
            self._keep(peer, "fork", evidence)
            raise ForkDetected(f"{peer} signs root {served.root.hex()} at size "
                               f"{served.size}, but anchored root {anchored.root.hex()} at "
                               f"size {anchored.tree_size}", evidence=evidence)
        # (3)
        try:
            cosig = witness_once(
                lambda: note, self.peers[peer].consistency,
                lambda: self._store.get_meta(witness_key(peer)),
                lambda text: self._store.set_meta(witness_key(peer), text),
                lambda c: self._publish(peer, c), log_key, self._key,
                witness_name(self._province))
        except ForkDetected as exc:
            self._keep(peer, "fork", exc.evidence)
            raise
        except InconsistentHead as exc:
            last = self._store.get_meta(witness_key(peer)) or ""
            self._keep(peer, "inconsistent", ForkEvidence(served.size, b"", served.root,
                                                           last, note), str(exc))
            raise
        if cosig is not None:
            self._metrics.witnessed.labels(peer=peer).inc()
        return cosig

    def _publish(self, peer: str, cosig: Cosignature) -> None:
        checkpoint = cosig.checkpoint
        try:
            self._ledger.witness_audit_head(peer, checkpoint.size, checkpoint.root,
                                            cosig.signature)
        except ContractRevert as exc:
            if exc.name != "AlreadyWitnessed":  # published before a crash: done already
                raise

    def _keep(self, peer: str, kind: str, evidence: ForkEvidence, detail: str = "") -> None:
        self._metrics.forks.labels(log=peer).inc()
        self._store.set_meta(fork_key(peer), json.dumps({
            "kind": kind, "size": evidence.size, "root_a": evidence.root_a.hex(),
            "root_b": evidence.root_b.hex(), "note_a": evidence.note_a,
            "note_b": evidence.note_b, "detail": detail[:500]}))
        log.error("audit log of a peer is forked or inconsistent: evidence kept",
                  extra={"peer": peer, "kind": kind, "size": evidence.size})

    def run_once(self) -> dict[str, str]:
        """One round over every peer: what happened to each (for logs and tests)."""
        outcome: dict[str, str] = {}
        for peer in self.peers:
            try:
                cosig = self.witness(peer)
                outcome[peer] = f"cosigned {cosig.checkpoint.size}" if cosig else "nothing new"
            except (ForkDetected, InconsistentHead) as exc:
                outcome[peer] = f"{type(exc).__name__}"
            except Exception as exc:  # one peer's failure must not stop the others
                self._metrics.witness_failures.labels(peer=peer).inc()
                outcome[peer] = f"failed: {type(exc).__name__}"
                log.warning("witnessing a peer failed; retrying next round",
                            extra={"peer": peer, "error_type": type(exc).__name__,
                                   "error": str(exc)[:300]})
        return outcome

    def _round(self) -> float:
        if self._leader is not None and not self._leader.held():
            return self._interval
        block = self._chain_head() if self._chain_head is not None else None
        if block is not None and self._clean_at is not None:
            seen_block, seen_at = self._clean_at
            if block == seen_block and time.monotonic() - seen_at < FULL_ROUND_SECONDS:
                return self._interval  # no new block: no anchored head moved
        outcome = self.run_once()
        clean = not any(result.startswith("failed") for result in outcome.values())
        self._clean_at = (block, time.monotonic()) if clean and block is not None else None
        return self._interval

    def _failed(self, exc: Exception) -> Failed:
        # run_once contains each peer's failure; this is a bug's last line of defence.
        return Failed("witnessing round failed; retrying next round",
                      Backoff(self._interval, self._interval))
