"""``PeerLane``: calls of the peer services run on workers of their own.

A server with one ordinary worker, held by a call that waits (as a federated query waits
on a peer), with another call queued behind it: a peer-service call is still answered,
on a ``grpc-peer`` thread. Without the lane the same call waits behind both (the cycle
two busy nodes fell into under load, ``tests/node/service/test_load.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
import pytest

from node.config_build import init_node
from node.grpc.client import tls_channel
from node.grpc.lanes import PeerLane
from node.grpc.server import server_credentials
from node.identity import Layout

HOLD = 20.0


class Handlers(grpc.GenericRpcHandler):  # type: ignore[misc]
    """``/test.Main/Wait`` waits for ``release``; ``/test.Peer/Ping`` names its thread."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def service(self, details: Any) -> Any:
        if details.method == "/test.Main/Wait":
            return grpc.unary_unary_rpc_method_handler(self._wait)
        if details.method == "/test.Peer/Ping":
            return grpc.unary_unary_rpc_method_handler(
                lambda request, context: threading.current_thread().name.encode())
        return None

    def _wait(self, request: bytes, context: Any) -> bytes:
        self.started.set()
        self.release.wait(HOLD)
        return b"released"


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    root = tmp_path_factory.mktemp("lanes") / "js"
    init_node(root, "JS", listen="127.0.0.1:0")
    return Layout(root)


@contextmanager
def one_worker_server(layout: Layout, lane: PeerLane | None
                      ) -> Iterator[tuple[Handlers, Callable[[str], Any]]]:
    handlers = Handlers()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1),
                         interceptors=[lane] if lane else [])
    server.add_generic_rpc_handlers((handlers,))
    port = server.add_secure_port("127.0.0.1:0", server_credentials(
        cert=layout.node_cert, key=layout.node_key, ca_bundle=layout.ca_cert.read_bytes()))
    server.start()
    channel = tls_channel(f"localhost:{port}", cert=layout.node_cert, key=layout.node_key,
                          ca=Path(layout.ca_cert))
    try:
        yield handlers, lambda method: channel.unary_unary(method)
    finally:
        handlers.release.set()
        channel.close()
        server.stop(1).wait(3)
        if lane is not None:
            lane.shutdown()


def test_a_peer_call_is_answered_while_every_ordinary_worker_waits(layout: Layout) -> None:
    with one_worker_server(layout, PeerLane(["test.Peer"], workers=1)) as (handlers, call):
        held = [call("/test.Main/Wait").future(b"", timeout=HOLD) for _ in range(2)]
        assert handlers.started.wait(10)
        assert call("/test.Peer/Ping")(b"", timeout=10).startswith(b"grpc-peer")
        assert not any(f.done() for f in held)  # still waiting: the lane did not wait
        handlers.release.set()
        assert [f.result(timeout=10) for f in held] == [b"released", b"released"]


def test_without_the_lane_the_peer_call_waits_behind_them(layout: Layout) -> None:
    with one_worker_server(layout, None) as (handlers, call):
        held = [call("/test.Main/Wait").future(b"", timeout=HOLD) for _ in range(2)]
        assert handlers.started.wait(10)
        with pytest.raises(grpc.RpcError) as info:
            call("/test.Peer/Ping")(b"", timeout=1)
        assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        handlers.release.set()
        assert [f.result(timeout=10) for f in held] == [b"released", b"released"]
