"""``PeerLane`` / ``Lanes``: calls of the peer services (and of the platforms'
submissions) run on workers of their own.

A server with one ordinary worker, held by a call that waits (as a federated query waits
on a peer), with another call queued behind it: a peer-service call is still answered,
on a ``grpc-peer`` thread. Without the lane the same call waits behind both (the cycle
two busy nodes fell into under load, ``tests/node/service/test_load.py``). With the
server's own lanes (``server_lanes``), a platform's ``IngestService`` call is answered on
a ``grpc-platform`` thread while agency queries hold every ordinary worker, and an agency
query is not taken off the server's pool.
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
from node.grpc.lanes import Lane, Lanes, PeerLane
from node.grpc.server import server_credentials, server_lanes
from node.identity import Layout

HOLD = 20.0
SUBMIT = "/credit.v1.IngestService/SubmitRecords"
QUERY = "/credit.v1.QueryService/Query"
_NAMING = ("/test.Peer/Ping", SUBMIT, QUERY)


class Handlers(grpc.GenericRpcHandler):  # type: ignore[misc]
    """``/test.Main/Wait`` waits for ``release``; ``/test.Peer/Ping`` and the credit
    services' ``SubmitRecords`` / ``Query`` name their thread."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def service(self, details: Any) -> Any:
        if details.method == "/test.Main/Wait":
            return grpc.unary_unary_rpc_method_handler(self._wait)
        if details.method in _NAMING:
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
def one_worker_server(layout: Layout, lane: Lanes | None
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


def test_a_platform_submission_is_answered_while_agency_queries_hold_every_worker(
        layout: Layout) -> None:
    with one_worker_server(layout, server_lanes(1)) as (handlers, call):
        held = [call("/test.Main/Wait").future(b"", timeout=HOLD) for _ in range(2)]
        assert handlers.started.wait(10)
        assert call(SUBMIT)(b"", timeout=10).startswith(b"grpc-platform")
        assert not any(f.done() for f in held)
        handlers.release.set()
        assert [f.result(timeout=10) for f in held] == [b"released", b"released"]
        # An agency query stays on the server's pool, not on a lane.
        assert not call(QUERY)(b"", timeout=10).startswith((b"grpc-platform", b"grpc-peer"))


def test_a_service_is_on_one_lane_only() -> None:
    with pytest.raises(ValueError, match="already on another lane"):
        Lanes([Lane("a", ["test.Peer"], 1), Lane("b", ["test.Peer"], 1)])
