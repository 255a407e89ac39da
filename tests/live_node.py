"""One live JS node for the authorization matrix and the gRPC fuzzing, with a client
identity for every role: ``platform``, ``agency``, ``auditor``, ``admin`` (JS's own),
``authority`` (issued here from JS's CA), ``peer`` (SH's node certificate; SH is a member
but not started) and ``unknown`` (SH's platform certificate: a trusted CA, yet no role at
JS). Built on the run's shared anvil with contracts of its own (tests/multinode_net.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import MethodDescriptor
from multinode_net import Network, build_network

from node.audit import AuditEvent, decode_entry
from node.config import load_config
from node.grpc.client import tls_channel
from node.grpc.server import SERVICE_NAMES
from node.identity.certs import LeafSpec, issue_leaf, new_tls_key
from node.identity.files import (
    load_certificate,
    load_tls_private_key,
    write_certificate,
    write_tls_private_key,
)
from node.runtime.node import RunningNode, start_node

ROLES: Final = ("platform", "peer", "agency", "authority", "auditor", "admin", "unknown")


def service_methods() -> dict[str, MethodDescriptor]:
    """Every credit.v1 method the server serves, by ``service/method`` (from the protos)."""
    pool = descriptor_pool.Default()
    found: dict[str, MethodDescriptor] = {}
    for name in SERVICE_NAMES:
        for method in pool.FindServiceByName(name).methods:
            found[f"{name}/{method.name}"] = method
    return found


def request_class(method: MethodDescriptor) -> Any:
    return message_factory.GetMessageClass(method.input_type)


def raw_call(channel: Any, path: str, method: MethodDescriptor, payload: bytes,
             timeout: float = 10.0) -> tuple[grpc.StatusCode, str]:
    """Send ``payload`` as the request's bytes (one message for a streaming method)."""
    route = "/" + path
    try:
        if method.client_streaming:
            call = (channel.stream_stream if method.server_streaming else
                    channel.stream_unary)(route, request_serializer=None,
                                          response_deserializer=None)
            result = call(iter([payload]), timeout=timeout)
        else:
            call = (channel.unary_stream if method.server_streaming else
                    channel.unary_unary)(route, request_serializer=None,
                                         response_deserializer=None)
            result = call(payload, timeout=timeout)
        if method.server_streaming:
            list(result)
    except grpc.RpcError as exc:
        return exc.code(), exc.details() or ""
    return grpc.StatusCode.OK, ""


@dataclass
class LiveNode:
    net: Network
    node: RunningNode
    credentials: dict[str, tuple[Path, Path]]

    def channel(self, role: str) -> Any:
        """A mutual-TLS channel to the JS node presenting ``role``'s certificate."""
        cert, key = self.credentials[role]
        js = self.net["JS"]
        return tls_channel(f"localhost:{js.port}", cert=cert, key=key, ca=js.layout.ca_cert)

    def audit_size(self) -> int:
        return self.node.app.access_log.log.size()

    def entries_since(self, size: int) -> list[AuditEvent]:
        """The access-log entries appended after the log held ``size``."""
        log = self.node.app.access_log.log
        return [decode_entry(stored.entry) for stored in log.entries(size, 10_000)]


def _issue_authority(net: Network) -> tuple[Path, Path]:
    layout = net["JS"].layout
    key = new_tls_key()
    cert = issue_leaf(load_tls_private_key(layout.ca_key), load_certificate(layout.ca_cert),
                      key.public_key(), LeafSpec(province="JS", label="authority",
                                                 name="regulator", organisation="JS",
                                                 purposes=("supervision",)),
                      datetime.now(UTC))
    paths = layout.identity_cert("authority"), layout.identity_key("authority")
    write_certificate(paths[0], cert)
    write_tls_private_key(paths[1], key)
    return paths


@contextmanager
def live_node(base: Path, rpc_url: str) -> Iterator[LiveNode]:
    """Build JS and SH on ``rpc_url``, start JS only, yield it with every role's files."""
    net = build_network(base, rpc_url, ("JS", "SH"))
    js, sh = net["JS"].layout, net["SH"].layout
    credentials = {label: (js.identity_cert(label), js.identity_key(label))
                   for label in ("platform", "agency", "auditor", "admin")}
    credentials["authority"] = _issue_authority(net)
    credentials["peer"] = (sh.node_cert, sh.node_key)
    credentials["unknown"] = (sh.identity_cert("platform"), sh.identity_key("platform"))
    node = start_node(load_config(net["JS"].config), workers=4)
    net["JS"].running = node
    try:
        yield LiveNode(net, node, credentials)
    finally:
        node.stop(grace=1.0)
