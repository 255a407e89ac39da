"""A ``grpc.server`` over mutual TLS serving the credit.v1 servicers, health and reflection.

The composition root (``node.runtime``) builds the servicers and calls :func:`serve`;
nothing above this module touches ``grpc`` itself.
"""

from __future__ import annotations

from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from node._proto.credit.v1 import (
    audit_pb2,
    exchange_pb2,
    ingest_pb2,
    lifecycle_pb2,
    matching_pb2,
    matching_pb2_grpc,
    node_pb2,
    query_pb2,
)
from node.grpc.audit_servicer import AuditServicer
from node.grpc.exchange_servicer import ExchangeServicer
from node.grpc.lanes import Lane, Lanes
from node.grpc.lifecycle_servicer import LifecycleServicer
from node.grpc.malformed import MalformedRequests
from node.grpc.matching_servicer import MatchingServicer
from node.grpc.server_limits import MAX_MESSAGE_BYTES
from node.grpc.servicers import IngestServicer, NodeServicer, QueryServicer
from node.grpc.stubs import add_lifecycle_servicer, add_servicers

__all__ = ["SERVICE_NAMES", "GrpcServer", "Servicers", "serve", "server_credentials",
           "server_lanes"]

SERVICE_NAMES: Final = (
    ingest_pb2.DESCRIPTOR.services_by_name["IngestService"].full_name,
    query_pb2.DESCRIPTOR.services_by_name["QueryService"].full_name,
    node_pb2.DESCRIPTOR.services_by_name["NodeService"].full_name,
    exchange_pb2.DESCRIPTOR.services_by_name["ExchangeService"].full_name,
    audit_pb2.DESCRIPTOR.services_by_name["AuditService"].full_name,
    lifecycle_pb2.DESCRIPTOR.services_by_name["LifecycleService"].full_name,
    matching_pb2.DESCRIPTOR.services_by_name["MatchingService"].full_name,
)

PEER_SERVICES: Final = (exchange_pb2.DESCRIPTOR.services_by_name["ExchangeService"].full_name,)
"""Services only nodes call, whose handlers never call a peer: served on their own lane."""

PLATFORM_SERVICES: Final = (ingest_pb2.DESCRIPTOR.services_by_name["IngestService"].full_name,)
"""Platform submissions: served on their own lane, never queued behind agency queries."""


def server_lanes(workers: int) -> Lanes:
    """The server's lanes: ``peer`` (the exchange between nodes) and ``platform``
    (submissions), ``workers`` threads each beside the ``workers`` of the server pool."""
    return Lanes([Lane("peer", PEER_SERVICES, workers),
                  Lane("platform", PLATFORM_SERVICES, workers)])


@dataclass(frozen=True)
class Servicers:
    ingest: IngestServicer
    query: QueryServicer
    node: NodeServicer
    exchange: ExchangeServicer
    audit: AuditServicer
    matching: MatchingServicer | None = None
    lifecycle: LifecycleServicer | None = None


@dataclass
class GrpcServer:
    """A started server and its health servicer (told first when the node stops)."""

    server: Any
    health: health.HealthServicer
    port: int
    lanes: Lanes | None = None

    def stop(self, grace: float) -> None:
        """Report NOT_SERVING, stop taking calls and let running ones finish (``grace`` s)."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait(grace + 1)
        if self.lanes is not None:
            self.lanes.shutdown()


def server_credentials(*, cert: Path, key: Path, ca_bundle: bytes) -> Any:
    """Mutual TLS: our certificate, every trusted CA, client certificates required."""
    return grpc.ssl_server_credentials(
        [(key.read_bytes(), cert.read_bytes())],
        root_certificates=ca_bundle,
        require_client_auth=True,
    )


def serve(servicers: Servicers, *, listen: str, credentials: Any, workers: int) -> GrpcServer:
    """Bind ``listen`` (host:port, port 0 allowed), start serving, report SERVING.

    ``workers`` threads run the calls of agencies and auditors; as many more run the
    exchange between nodes (``node.grpc.lanes``: a federated query waiting on a peer never
    holds up the peer's own fetches from this node), and as many the platforms'
    submissions (never queued behind agency queries).

    Raises ``OSError`` when the address cannot be bound.
    """
    lane = server_lanes(workers)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc"),
        options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                 ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)],
        interceptors=[lane, MalformedRequests(SERVICE_NAMES)],
    )
    add_servicers(server, servicers.ingest, servicers.query, servicers.node,
                  servicers.exchange, servicers.audit)
    if servicers.matching is not None:
        matching_pb2_grpc.add_MatchingServiceServicer_to_server(  # type: ignore[no-untyped-call]
            servicers.matching, server)
    if servicers.lifecycle is not None:
        add_lifecycle_servicer(server, servicers.lifecycle)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME)
    reflection.enable_server_reflection(names, server)
    port = server.add_secure_port(listen, credentials)
    if port == 0:
        raise OSError(f"cannot bind gRPC listen address {listen}")
    server.start()
    for name in (*SERVICE_NAMES, ""):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return GrpcServer(server, health_servicer, port, lane)
