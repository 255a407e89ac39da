"""A running node: the app, its peer clients, exchange, loops and the gRPC server.

Usage::

    running = start_node(load_config(path))     # binds, starts the loops
    running.wait()                              # until stop() (e.g. on SIGTERM)

``start_node`` writes ``<data_dir>/serve.json`` (``node.runtime.serve_file``) once the
port is bound, so tools find a port-0 server.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from ledger.errors import LedgerError
from node.config import NodeConfig
from node.domain.catalog import packaged_catalogs, packaged_mappings
from node.exchange.nudge import PULL_IDLE_CAP, Nudger, OnNudge
from node.exchange.parts import Exchange
from node.grpc.audit_servicer import AuditServicer
from node.grpc.exchange_servicer import ExchangeServicer
from node.grpc.lifecycle_servicer import LifecycleServicer
from node.grpc.matching_servicer import MatchingServicer
from node.grpc.peer import PeerClient
from node.grpc.peer_health import ReachablePeers
from node.grpc.server import GrpcServer, Servicers, serve, server_credentials
from node.grpc.servicers import IngestServicer, NodeServicer, QueryServicer
from node.runtime.audit_loops import AuditLoops, open_audit_loops
from node.runtime.deps import open_peers, query_deps
from node.runtime.exchange import open_exchange
from node.runtime.file_modes import check_no_ca_key, restrict_database_files
from node.runtime.gated_peers import gate_peers
from node.runtime.lifecycle import Lifecycle, open_lifecycle
from node.runtime.matching import open_matching
from node.runtime.membership import MembershipFollower, open_membership
from node.runtime.serve_file import write_serve_file
from node.service.anchoring_loop import AnchorLoop
from node.service.app import NodeApp
from node.service.background import IDLE_CAP, BackgroundLoop
from node.service.catalog_state import CatalogState
from node.service.metrics import serve_metrics
from node.service.nonces import nonce_purge_loop
from node.service.submit import Submitter
from node.store.leader import leader_lock

__all__ = ["RunningNode", "start_node"]

log = logging.getLogger(__name__)


@dataclass
class RunningNode:
    app: NodeApp
    grpc: GrpcServer
    metrics_port: int | None
    anchor_loop: AnchorLoop | None
    exchange: Exchange | None
    catalog: CatalogState | None
    """The adopted catalog version as this node follows it (None without a ledger)."""
    peers: dict[str, PeerClient]
    audit_loops: AuditLoops
    reachable: ReachablePeers
    nonce_purge: BackgroundLoop | None = None
    """Deletes expired grant nonces (``node.service.nonces``)."""
    membership: MembershipFollower | None = None
    """Follows the member registry (None without a ledger: the CA files alone decide)."""
    lifecycle: Lifecycle | None = None
    nudger: Nudger | None = None
    """Tells the peers to pull after this node anchored (``node.exchange.nudge``)."""
    token_updates: BackgroundLoop | None = None
    """Keeps the matching token set in step with ingest (``node.service.token_updater``)."""
    _stopped: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return self.grpc.port

    def stop(self, grace: float = 5.0) -> None:
        """Stop taking calls, let running ones finish (``grace`` s), stop the loops."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.grpc.stop(grace)
        if self.anchor_loop is not None:
            self.anchor_loop.stop()
        self.audit_loops.stop()
        if self.nonce_purge is not None:
            self.nonce_purge.stop()
        if self.membership is not None:
            self.membership.stop()
        if self.lifecycle is not None:
            self.lifecycle.stop()
        if self.token_updates is not None:
            self.token_updates.stop()
        if self.exchange is not None:
            self.exchange.stop()
        if self.nudger is not None:
            self.nudger.close()
        for peer in self.peers.values():
            peer.close()
        self.app.close()
        log.info("node stopped", extra={"port": self.port})

    def wait(self) -> None:
        self._stopped.wait()


def _anchor_loop(app: NodeApp, catalog: CatalogState | None,
                 nudger: Nudger) -> AnchorLoop | None:
    if app.ledger is None or catalog is None:
        return None
    leader = leader_lock(app.store.engine, "anchor")
    # Ingest wakes the loop (``notify``) only in this process: with several processes
    # over one database (a leader) the idle wait stays short.
    return AnchorLoop(app.store, app.ledger, province=app.province, signing_key=app.signing_key,
                      interval=app.config.batch.interval_seconds,
                      max_records=app.config.batch.max_records,
                      target_records=app.config.batch.target_records,
                      max_delay=app.config.batch.max_delay_seconds, metrics=app.metrics,
                      catalog_version=catalog.version, leader=leader,
                      on_anchored=nudger.records,
                      idle_cap=PULL_IDLE_CAP if leader is None else IDLE_CAP)


def _catalog_state(app: NodeApp) -> CatalogState | None:
    if app.ledger is None:
        return None
    return CatalogState(app.ledger, app.store, packaged_catalogs(), packaged_mappings())


def start_node(config: NodeConfig, *, workers: int = 8) -> RunningNode:
    """Open the node, bind ``config.node.listen`` and start serving, anchoring, pulling
    from and witnessing its peers."""
    app = NodeApp.open(config)
    restrict_database_files(config.database.url)
    check_no_ca_key(config.node.data_dir)
    peers = open_peers(config)
    membership = _follow_membership(app)
    links = (gate_peers(peers, membership.view, app.trust.fingerprints())
             if membership is not None else peers)
    # Peers nudge this node after they anchor, and it nudges them: idle pullers may wait
    # long (``node.exchange.nudge``).
    nudger = Nudger(list(links.values()))
    exchange = open_exchange(app, links, idle_cap=PULL_IDLE_CAP)
    lifecycle = open_lifecycle(app, links, on_anchored=nudger.revocations,
                               idle_cap=PULL_IDLE_CAP)
    catalog = _catalog_state(app)
    loop = _anchor_loop(app, catalog, nudger)
    matching = open_matching(app)
    submitter = Submitter(app.store, app.keys, province=app.province, metrics=app.metrics,
                          on_stored=loop.notify if loop else lambda waiting: None,
                          categorize=catalog.categorize if catalog else None,
                          on_listed=matching.listed if matching else None)
    lifecycle.submitter = submitter
    if matching is not None:
        lifecycle.on_ended = matching.updater.remove_listing
    reachable = ReachablePeers(list(links.values()))  # members only, when gated
    servicers = Servicers(
        ingest=IngestServicer(app, submitter),
        query=QueryServicer(app, query_deps(
            app, exchange.federation if exchange is not None else None)),
        node=NodeServicer(app, catalog=catalog, exchange=exchange,
                          peers_reachable=reachable.count),
        exchange=ExchangeServicer(app, exchange, on_nudge=_wake_pullers(exchange, lifecycle)),
        audit=AuditServicer(app),
        matching=MatchingServicer(app, matching.responder if matching else None),
        lifecycle=LifecycleServicer(app, lifecycle))
    credentials = server_credentials(cert=config.tls.cert, key=config.tls.key,
                                     ca_bundle=app.trust.pem_bundle())
    server = serve(servicers, listen=config.node.listen, credentials=credentials,
                   workers=workers)
    metrics_port = serve_metrics(app.metrics, config.metrics.listen)
    if loop is not None:
        loop.start()
    if exchange is not None:
        exchange.start()
    lifecycle.start()
    if matching is not None:
        matching.loop.start()  # its first round resumes from the cursor (crash recovery)
    audit_loops = open_audit_loops(app, links)
    audit_loops.start()
    purge = nonce_purge_loop(app.nonces)
    purge.start()
    if membership is not None:
        membership.start()
    write_serve_file(config.node.data_dir, server.port, metrics_port)
    log.info("node serving", extra={"province": app.province, "port": server.port,
                                    "metrics_port": metrics_port or 0})
    return RunningNode(app, server, metrics_port, loop, exchange, catalog, peers,
                       audit_loops, reachable, nonce_purge=purge, membership=membership,
                       lifecycle=lifecycle, nudger=nudger,
                       token_updates=matching.loop if matching else None)


def _wake_pullers(exchange: Exchange | None, lifecycle: Lifecycle) -> OnNudge:
    """What a peer's nudge does: wake this node's pullers of the peer's province."""
    def on_nudge(province: str, records: bool, revocations: bool) -> None:
        if records and exchange is not None:
            exchange.wake_peer(province)
        if revocations:
            lifecycle.wake_puller(province)
    return on_nudge


def _follow_membership(app: NodeApp) -> MembershipFollower | None:
    """The membership follower with a first read done when the ledger answers, so peers
    are not refused for the first second; with the ledger down only the own province is
    admitted until the loop's first successful read."""
    follower = open_membership(app)
    if follower is None:
        return None
    try:
        follower.refresh()
    except LedgerError as exc:
        log.warning("member registry not readable at start; foreign provinces refused "
                    "until it is", extra={"error_type": type(exc).__name__})
    return follower
