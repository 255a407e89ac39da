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

from node.config import NodeConfig
from node.domain.catalog import packaged_catalogs, packaged_mappings
from node.exchange.runtime import Exchange
from node.grpc.audit_servicer import AuditServicer
from node.grpc.exchange_servicer import ExchangeServicer
from node.grpc.lifecycle_servicer import LifecycleServicer
from node.grpc.peer import PeerClient
from node.grpc.peer_health import ReachablePeers
from node.grpc.server import GrpcServer, Servicers, serve, server_credentials
from node.grpc.servicers import IngestServicer, NodeServicer, QueryServicer
from node.runtime.audit_loops import AuditLoops, open_audit_loops
from node.runtime.deps import open_peers, query_deps
from node.runtime.exchange import open_exchange
from node.runtime.lifecycle import Lifecycle, open_lifecycle
from node.runtime.serve_file import write_serve_file
from node.service.anchoring_loop import AnchorLoop
from node.service.app import NodeApp
from node.service.catalog_state import CatalogState
from node.service.metrics import serve_metrics
from node.service.submit import Submitter

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
    lifecycle: Lifecycle | None = None
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
        if self.lifecycle is not None:
            self.lifecycle.stop()
        if self.exchange is not None:
            self.exchange.stop()
        for peer in self.peers.values():
            peer.close()
        self.app.close()
        log.info("node stopped", extra={"port": self.port})

    def wait(self) -> None:
        self._stopped.wait()


def _anchor_loop(app: NodeApp, catalog: CatalogState | None) -> AnchorLoop | None:
    if app.ledger is None or catalog is None:
        return None
    return AnchorLoop(app.store, app.ledger, province=app.province, signing_key=app.signing_key,
                      interval=app.config.batch.interval_seconds,
                      max_records=app.config.batch.max_records, metrics=app.metrics,
                      catalog_version=catalog.version)


def _catalog_state(app: NodeApp) -> CatalogState | None:
    if app.ledger is None:
        return None
    return CatalogState(app.ledger, app.store, packaged_catalogs(), packaged_mappings())


def start_node(config: NodeConfig, *, workers: int = 8) -> RunningNode:
    """Open the node, bind ``config.node.listen`` and start serving, anchoring, pulling
    from and witnessing its peers."""
    app = NodeApp.open(config)
    peers = open_peers(config)
    exchange = open_exchange(app, peers)
    lifecycle = open_lifecycle(app, peers)
    catalog = _catalog_state(app)
    loop = _anchor_loop(app, catalog)
    submitter = Submitter(app.store, app.keys, province=app.province, metrics=app.metrics,
                          on_stored=loop.notify if loop else lambda waiting: None,
                          categorize=catalog.categorize if catalog else None)
    lifecycle.submitter = submitter
    reachable = ReachablePeers(list(peers.values()))
    servicers = Servicers(
        ingest=IngestServicer(app, submitter),
        query=QueryServicer(app, query_deps(
            app, exchange.federation if exchange is not None else None)),
        node=NodeServicer(app, catalog=catalog, exchange=exchange,
                          peers_reachable=reachable.count),
        exchange=ExchangeServicer(app, exchange),
        audit=AuditServicer(app),
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
    audit_loops = open_audit_loops(app, peers)
    audit_loops.start()
    write_serve_file(config.node.data_dir, server.port, metrics_port)
    log.info("node serving", extra={"province": app.province, "port": server.port,
                                    "metrics_port": metrics_port or 0})
    return RunningNode(app, server, metrics_port, loop, exchange, catalog, peers,
                       audit_loops, reachable, lifecycle)
