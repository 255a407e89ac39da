"""Typed wrappers over the generated (untyped) stub constructors and registrations."""

from __future__ import annotations

from typing import Any

from grpc_health.v1 import health_pb2_grpc

from node._proto.credit.v1 import (
    audit_pb2_grpc,
    exchange_pb2_grpc,
    ingest_pb2_grpc,
    lifecycle_pb2_grpc,
    matching_pb2_grpc,
    node_pb2_grpc,
    query_pb2_grpc,
)


def ingest_stub(channel: Any) -> Any:
    return ingest_pb2_grpc.IngestServiceStub(channel)  # type: ignore[no-untyped-call]


def query_stub(channel: Any) -> Any:
    return query_pb2_grpc.QueryServiceStub(channel)  # type: ignore[no-untyped-call]


def node_stub(channel: Any) -> Any:
    return node_pb2_grpc.NodeServiceStub(channel)  # type: ignore[no-untyped-call]


def exchange_stub(channel: Any) -> Any:
    return exchange_pb2_grpc.ExchangeServiceStub(channel)  # type: ignore[no-untyped-call]


def audit_stub(channel: Any) -> Any:
    return audit_pb2_grpc.AuditServiceStub(channel)  # type: ignore[no-untyped-call]


def matching_stub(channel: Any) -> Any:
    return matching_pb2_grpc.MatchingServiceStub(channel)  # type: ignore[no-untyped-call]


def lifecycle_stub(channel: Any) -> Any:
    return lifecycle_pb2_grpc.LifecycleServiceStub(channel)  # type: ignore[no-untyped-call]


def add_lifecycle_servicer(server: Any, lifecycle: Any) -> None:
    """Register the LifecycleService servicer on ``server``."""
    lifecycle_pb2_grpc.add_LifecycleServiceServicer_to_server(  # type: ignore[no-untyped-call]
        lifecycle, server)


def health_stub(channel: Any) -> Any:
    return health_pb2_grpc.HealthStub(channel)


def add_servicers(server: Any, ingest: Any, query: Any, node: Any, exchange: Any = None,
                  audit: Any = None) -> None:
    """Register the credit.v1 servicers on ``server`` (Exchange-, AuditService when given)."""
    ingest_pb2_grpc.add_IngestServiceServicer_to_server(  # type: ignore[no-untyped-call]
        ingest, server)
    query_pb2_grpc.add_QueryServiceServicer_to_server(query, server)  # type: ignore[no-untyped-call]
    node_pb2_grpc.add_NodeServiceServicer_to_server(node, server)  # type: ignore[no-untyped-call]
    if exchange is not None:
        exchange_pb2_grpc.add_ExchangeServiceServicer_to_server(  # type: ignore[no-untyped-call]
            exchange, server)
    if audit is not None:
        audit_pb2_grpc.add_AuditServiceServicer_to_server(  # type: ignore[no-untyped-call]
            audit, server)
