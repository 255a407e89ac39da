"""The audit log's background work in a running node: anchoring heads and witnessing peers.

Usage (``node.runtime.node.start_node`` does this)::

    loops = open_audit_loops(app, peers)   # nothing runs without a ledger
    loops.start()
    ...
    loops.stop()

Both threads run every ``[audit] checkpoint_interval_seconds``; while no block is mined
(and the log does not grow) a round costs one ``eth_blockNumber`` (``chain_head``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from node.service.app import NodeApp
from node.service.audit_checkpoints import AuditCheckpointLoop
from node.service.audit_witness import AuditWitnessLoop, WitnessPeer
from node.store.leader import leader_lock

__all__ = ["AuditLoops", "open_audit_loops"]


@dataclass
class AuditLoops:
    """The checkpoint and witness threads (``None`` without a ledger)."""

    checkpoints: AuditCheckpointLoop | None = None
    witness: AuditWitnessLoop | None = None

    def start(self) -> None:
        if self.checkpoints is not None:
            self.checkpoints.start()
        if self.witness is not None:
            self.witness.start()

    def stop(self) -> None:
        if self.checkpoints is not None:
            self.checkpoints.stop()
        if self.witness is not None:
            self.witness.stop()


def open_audit_loops(app: NodeApp, peers: Mapping[str, WitnessPeer]) -> AuditLoops:
    """The threads of ``app`` witnessing ``peers`` (province -> client; not started);
    none when no ledger is configured."""
    if app.ledger is None:
        return AuditLoops()
    cfg = app.config
    interval = cfg.audit.checkpoint_interval_seconds
    access_log = app.access_log
    checkpoints = AuditCheckpointLoop(access_log.log, app.ledger, app.store,
                                      province=app.province, interval=interval,
                                      metrics=access_log.metrics,
                                      leader=leader_lock(app.store.engine, "audit-checkpoints"),
                                      chain_head=app.ledger.head_block)
    witness = AuditWitnessLoop(app.store, app.ledger, peers, province=app.province,
                               signing_key=app.signing_key, interval=interval,
                               metrics=access_log.metrics,
                               leader=leader_lock(app.store.engine, "audit-witness"),
                               chain_head=app.ledger.head_block)
    return AuditLoops(checkpoints, witness)
