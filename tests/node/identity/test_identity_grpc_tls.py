"""The generated certificates work with gRPC's mutual TLS (BoringSSL) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from node.identity import Layout, Role, load_trust_store, peer_identity_from_cert


@pytest.fixture
def server(js_dir: Path) -> Iterator[int]:
    layout = Layout(js_dir)
    creds = grpc.ssl_server_credentials(
        [(layout.node_key.read_bytes(), layout.node_cert.read_bytes())],
        root_certificates=layout.ca_cert.read_bytes(),
        require_client_auth=True,
    )
    srv = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), srv)
    port = srv.add_secure_port("127.0.0.1:0", creds)
    srv.start()
    try:
        yield port
    finally:
        srv.stop(grace=None)


def _check(port: int, creds: grpc.ChannelCredentials) -> health_pb2.HealthCheckResponse:
    with grpc.secure_channel(f"127.0.0.1:{port}", creds) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        response: health_pb2.HealthCheckResponse = stub.Check(
            health_pb2.HealthCheckRequest(), timeout=10)
        return response


def test_platform_client_certificate_is_accepted(js_dir: Path, server: int) -> None:
    layout = Layout(js_dir)
    creds = grpc.ssl_channel_credentials(
        root_certificates=layout.ca_cert.read_bytes(),
        private_key=layout.identity_key("platform").read_bytes(),
        certificate_chain=layout.identity_cert("platform").read_bytes(),
    )
    assert _check(server, creds).status == health_pb2.HealthCheckResponse.SERVING


def test_client_without_certificate_is_refused(js_dir: Path, server: int) -> None:
    creds = grpc.ssl_channel_credentials(root_certificates=Layout(js_dir).ca_cert.read_bytes())
    with pytest.raises(grpc.RpcError) as info:
        _check(server, creds)
    assert info.value.code() is grpc.StatusCode.UNAVAILABLE


def test_client_of_an_untrusted_ca_is_refused(js_dir: Path, sh_dir: Path, server: int) -> None:
    sh = Layout(sh_dir)
    creds = grpc.ssl_channel_credentials(
        root_certificates=Layout(js_dir).ca_cert.read_bytes(),
        private_key=sh.identity_key("platform").read_bytes(),
        certificate_chain=sh.identity_cert("platform").read_bytes(),
    )
    with pytest.raises(grpc.RpcError) as info:
        _check(server, creds)
    assert info.value.code() is grpc.StatusCode.UNAVAILABLE


def test_server_sees_the_client_certificate_as_a_role(js_dir: Path) -> None:
    layout = Layout(js_dir)
    trust = load_trust_store("JS", {"JS": layout.ca_cert})
    seen: list[Role] = []

    class Health(health.HealthServicer):  # type: ignore[misc]
        def Check(self, request: object, context: grpc.ServicerContext) -> object:
            pem = context.auth_context()["x509_pem_cert"][0]
            seen.append(peer_identity_from_cert(pem, trust).role)
            return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    creds = grpc.ssl_server_credentials(
        [(layout.node_key.read_bytes(), layout.node_cert.read_bytes())],
        root_certificates=trust.pem_bundle(), require_client_auth=True,
    )
    srv = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    health_pb2_grpc.add_HealthServicer_to_server(Health(), srv)
    port = srv.add_secure_port("localhost:0", creds)
    srv.start()
    try:
        creds_client = grpc.ssl_channel_credentials(
            root_certificates=layout.ca_cert.read_bytes(),
            private_key=layout.identity_key("agency").read_bytes(),
            certificate_chain=layout.identity_cert("agency").read_bytes(),
        )
        _check(port, creds_client)
    finally:
        srv.stop(grace=None)
    assert seen == [Role.AGENCY]
