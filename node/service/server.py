"""The gRPC server over mutual TLS, with health checking and reflection.

Usage::

    running = start_node(load_config(path))     # binds, starts the anchor loop
    running.wait()                              # until stop() (e.g. on SIGTERM)

``start_node`` writes ``<data_dir>/serve.json`` ({"grpc": port, "pid": pid,
"metrics": port or null}) once the port is bound, so tools find a port-0 server.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ledger.deploy import write_json_atomic
from node._proto.credit.v1 import audit_pb2, exchange_pb2, ingest_pb2, node_pb2, query_pb2
from node.config import NodeConfig
from node.domain.catalog import packaged_catalogs, packaged_mappings
from node.exchange.runtime import open_exchange
from node.grpc.audit_servicer import AuditServicer
from node.grpc.exchange_servicer import ExchangeServicer
from node.grpc.server_limits import MAX_MESSAGE_BYTES
from node.grpc.servicers import IngestServicer, NodeServicer, QueryServicer
from node.grpc.stubs import add_servicers
from node.service.anchoring_loop import AnchorLoop
from node.service.app import NodeApp
from node.service.audit_runtime import AuditLoops, open_audit_loops
from node.service.catalog_state import CatalogState
from node.service.metrics import serve_metrics
from node.service.submit import Submitter

log = logging.getLogger(__name__)
SERVE_FILE = "serve.json"
SERVICE_NAMES = (
    ingest_pb2.DESCRIPTOR.services_by_name["IngestService"].full_name,
    query_pb2.DESCRIPTOR.services_by_name["QueryService"].full_name,
    node_pb2.DESCRIPTOR.services_by_name["NodeService"].full_name,
    exchange_pb2.DESCRIPTOR.services_by_name["ExchangeService"].full_name,
    audit_pb2.DESCRIPTOR.services_by_name["AuditService"].full_name,
)


@dataclass
class RunningNode:
    app: NodeApp
    server: Any
    port: int
    metrics_port: int | None
    anchor_loop: AnchorLoop | None
    health: health.HealthServicer
    _stopped: threading.Event
    audit_loops: AuditLoops | None = None

    def stop(self, grace: float = 5.0) -> None:
        """Stop taking calls, let running ones finish (``grace`` s), stop the loop."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait(grace + 1)
        if self.anchor_loop is not None:
            self.anchor_loop.stop()
        if self.audit_loops is not None:
            self.audit_loops.stop()
        self.app.close()
        log.info("node stopped", extra={"port": self.port})

    def wait(self) -> None:
        self._stopped.wait()


def server_credentials(app: NodeApp) -> Any:
    """Mutual TLS: our certificate, every trusted CA, client certificates required."""
    tls = app.config.tls
    return grpc.ssl_server_credentials(
        [(tls.key.read_bytes(), tls.cert.read_bytes())],
        root_certificates=app.trust.pem_bundle(),
        require_client_auth=True,
    )


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
    """Open the node, bind ``config.node.listen`` and start serving and anchoring."""
    app = NodeApp.open(config)
    app.exchange = open_exchange(app)
    app.catalog = catalog = _catalog_state(app)
    loop = _anchor_loop(app, catalog)
    submitter = Submitter(app.store, app.keys, province=app.province, metrics=app.metrics,
                          on_stored=loop.notify if loop else lambda waiting: None,
                          categorize=catalog.categorize if catalog else None)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc"),
        options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                 ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)],
    )
    add_servicers(server, IngestServicer(app, submitter), QueryServicer(app), NodeServicer(app),
                  ExchangeServicer(app), AuditServicer(app))
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME)
    reflection.enable_server_reflection(names, server)
    port = server.add_secure_port(config.node.listen, server_credentials(app))
    if port == 0:
        raise OSError(f"cannot bind gRPC listen address {config.node.listen}")
    server.start()
    for name in (*SERVICE_NAMES, ""):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    metrics_port = serve_metrics(app.metrics, config.metrics.listen)
    if loop is not None:
        loop.start()
    if app.exchange is not None:
        app.exchange.start()
    audit_loops = open_audit_loops(app)
    audit_loops.start()
    write_serve_file(config.node.data_dir, port, metrics_port)
    log.info("node serving", extra={"province": app.province, "port": port,
                                    "metrics_port": metrics_port or 0})
    return RunningNode(app, server, port, metrics_port, loop, health_servicer,
                       threading.Event(), audit_loops)


def write_serve_file(data_dir: Path, port: int, metrics_port: int | None) -> None:
    write_json_atomic(data_dir / SERVE_FILE,
                      {"grpc": port, "pid": os.getpid(), "metrics": metrics_port})


def read_serve_file(data_dir: Path) -> dict[str, Any]:
    """What a running node wrote to ``serve.json`` (raises OSError/ValueError)."""
    doc = json.loads((data_dir / SERVE_FILE).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("grpc"), int):
        raise ValueError(f"{data_dir / SERVE_FILE}: want an object with an integer 'grpc'")
    return doc
