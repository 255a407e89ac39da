"""The lifecycle of one running node wired: repair handler deps, the revocation
anchoring loop, and one revocation puller per peer.

Usage (``node.runtime.node.start_node`` does this)::

    lifecycle = open_lifecycle(app, peers, chain_id_and_contracts)
    lifecycle.start()          # anchoring loop + pullers
    lifecycle.filed()          # after an accepted repair: seal and anchor now
    lifecycle.stop()
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ledger.client import LedgerClient
from node.audit import Action
from node.audit.events import AuditEvent, Decision
from node.exchange.chain_facts import ChainFacts
from node.exchange.revocation_puller import RevocationPeer, RevocationPuller
from node.exchange.revocations import ProvenNotice, RevocationReceiver
from node.exchange.transit import AnchorTarget
from node.runtime.exchange import MIN_POLL
from node.service.access_log import record_refs
from node.service.app import NodeApp
from node.service.background import IDLE_CAP, RETRY_CAP, BackgroundLoop, Backoff, Failed, Idle
from node.service.errors import Unavailable
from node.service.ingest import IngestOutcome
from node.service.lifecycle import LifecycleDeps
from node.service.revocation_log import (
    Notice,
    anchor_revocations,
    parse_notice,
    seal_revocations,
)
from node.service.submit import Submitter
from node.store.leader import Leader, leader_lock
from node.store.sql_objections import ObjectionStore
from node.store.sql_revocations import RevocationStore

__all__ = ["Lifecycle", "open_lifecycle"]

log = logging.getLogger(__name__)


@dataclass
class Lifecycle:
    deps: LifecycleDeps
    target: AnchorTarget | None
    objections: ObjectionStore
    anchor_loop: BackgroundLoop | None = None
    leader: Leader | None = None
    """Which process of this node anchors revocation notices (``node.store.leader``)."""
    pullers: list[RevocationPuller] = field(default_factory=list)
    submitter: Submitter | None = None
    """The node's ingest, set once built: a corrected record is committed through it."""
    on_ended: Callable[[str], object] | None = None
    """Told the record number of each of this node's records a repair or correction ended
    (the private-matching token set drops its listing: ``TokenSetKeeper.remove_listing``)."""

    def submit(self, raws: list[bytes], today: date, request_id: str) -> IngestOutcome:
        """Commit records as the node's own platform would (``Submitter.submit``)."""
        if self.submitter is None:
            raise Unavailable("this node takes no submissions yet")
        return self.submitter.submit(raws, today=today, request_id=request_id)

    def start(self) -> None:
        if self.anchor_loop is not None:
            self.anchor_loop.start()
        for puller in self.pullers:
            puller.start()

    def filed(self) -> None:
        """A notice was appended: seal and anchor it now rather than at the next round."""
        if self.anchor_loop is not None:
            self.anchor_loop.wake()

    def wake_puller(self, province: str) -> None:
        """Ask the puller of ``province``'s revocation notices to pull now (a nudge)."""
        for puller in self.pullers:
            if puller.link.province == province:
                puller.wake()

    def ended(self, record_no: str) -> None:
        """One of this node's records was ended by a repair or a correction."""
        if self.on_ended is not None:
            self.on_ended(record_no)

    def stop(self) -> None:
        for puller in self.pullers:
            puller.signal_stop()
        if self.anchor_loop is not None:
            self.anchor_loop.stop()
        if self.leader is not None:
            self.leader.release()
        for puller in self.pullers:
            puller.stop()


def open_lifecycle(app: NodeApp, peers: Mapping[str, RevocationPeer], *,
                   on_anchored: Callable[[], object] | None = None,
                   idle_cap: float = IDLE_CAP) -> Lifecycle:
    """The lifecycle parts of ``app``; without contracts only the local handler.
    ``on_anchored`` is called after a round anchored notices (the peers are nudged);
    ``idle_cap`` bounds the idle waits of the anchoring loop and the revocation pullers."""
    cfg = app.config
    revocations = RevocationStore(app.store.engine)
    deps = LifecycleDeps(store=app.store, revocations=revocations, keys=app.keys,
                         province=app.province)
    if not cfg.ledger.contracts or app.ledger is None:
        return Lifecycle(deps, None, ObjectionStore(app.store.engine))
    target = AnchorTarget.from_config(cfg.ledger.chain_id, dict(cfg.ledger.contracts))
    ledger = app.ledger
    interval = cfg.batch.interval_seconds
    leader = leader_lock(app.store.engine, "revocation-anchor")

    def anchor_round() -> float:
        if leader is not None and not leader.held():
            return interval  # another process of this node anchors the notices
        sealed = seal_revocations(app.store, province=app.province, signing_key=app.signing_key)
        anchored = anchor_revocations(app.store, ledger, province=app.province)
        if anchored and on_anchored is not None:
            on_anchored()
        # Nothing to seal or anchor: idle (``filed`` wakes the loop for a new notice).
        return Idle(interval) if sealed is None and not anchored else interval

    def anchor_failed(exc: Exception) -> Failed:
        return Failed("revocation anchoring failed; retrying", Backoff(interval, RETRY_CAP),
                      {"error": str(exc)[:300]})

    reader = LedgerClient(cfg.ledger.rpc_url, dict(cfg.ledger.contracts),
                          timeout=cfg.ledger.timeout_seconds)
    receiver = RevocationReceiver(app.store, revocations, ChainFacts(reader), target)
    every = max(MIN_POLL, interval)

    def on_notices(peer: str, request_id: str, items: Sequence[ProvenNotice]) -> None:
        refs = []
        for item in items:
            try:
                notice = parse_notice(item.notice)
            except ValueError:
                continue
            refs.append((notice.province, notice.record_no))
        app.access_log.exchange_in(peer=peer, request_id=request_id, count=len(items),
                                   refs=record_refs(refs))

    def on_applied(peer: str, notice: Notice) -> None:
        log_lifecycle(app, actor=peer, role="peer", request_id=notice.request_id,
                      refs=record_refs([(notice.province, notice.record_no)]), peer=peer)

    return Lifecycle(
        deps, target, ObjectionStore(app.store.engine),
        anchor_loop=BackgroundLoop(anchor_round, anchor_failed, name="revocation-anchor",
                                   logger=log, idle_cap=idle_cap if leader is None else IDLE_CAP),
        leader=leader,
        pullers=[RevocationPuller(peer, receiver, app.store, poll=every, on_notices=on_notices,
                                  on_applied=on_applied, idle_cap=idle_cap)
                 for peer in peers.values()],
    )


def log_lifecycle(app: NodeApp, *, actor: str, role: str, request_id: str,
                  refs: tuple[str, ...], peer: str = "") -> None:
    """A lifecycle step (a peer's notice applied here) as an audit entry under the
    repair's own request id, so the same id is found in every node's log."""
    access_log = app.access_log
    access_log.record(AuditEvent(
        time=access_log.now(), actor=actor, role=role, action=Action.ADMIN,
        decision=Decision.ALLOW, request_id=request_id, purpose="credit_repair",
        records_returned=len(refs), record_refs=refs, peer=peer))
