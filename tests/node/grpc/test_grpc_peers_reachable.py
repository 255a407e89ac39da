"""GetStatus's ``peers_reachable`` is measured: each configured peer's gRPC health over
mutual TLS, cached, refreshed off the call path; it drops when a peer node stops.

The nodes run without a ledger (no contract addresses): nothing but serving and the
peers' health is needed here, so no anvil.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ledger.devchain import free_port
from node._proto.credit.v1 import node_pb2
from node.config import config_from_dict, config_to_dict, load_config, write_config
from node.config_build import init_node
from node.grpc.client import tls_channel
from node.grpc.peer import PeerClient
from node.grpc.peer_health import ReachablePeers
from node.grpc.stubs import node_stub
from node.identity import Layout
from node.runtime.node import RunningNode, start_node

PROVINCES = ("JS", "SH", "ZJ")


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {timeout} s")
        time.sleep(0.05)


@pytest.fixture
def trio(tmp_path: Path) -> Iterator[dict[str, RunningNode]]:
    """Three nodes listing each other as peers and trusting each other's CAs."""
    ports = {p: free_port() for p in PROVINCES}
    roots = {p: tmp_path / p.lower() for p in PROVINCES}
    for p in PROVINCES:
        init_node(roots[p], p, listen=f"127.0.0.1:{ports[p]}")
    for p in PROVINCES:
        config = roots[p] / "node.toml"
        raw = config_to_dict(load_config(config), roots[p])
        raw["tls"]["trusted_cas"] = {q: str(Layout(roots[q]).ca_cert)
                                     for q in PROVINCES if q != p}
        raw["peers"] = [{"province": q, "address": f"127.0.0.1:{ports[q]}"}
                        for q in PROVINCES if q != p]
        write_config(config_from_dict(raw, roots[p]), config, overwrite=True)
    nodes: dict[str, RunningNode] = {}
    try:
        for p in PROVINCES:
            nodes[p] = start_node(load_config(roots[p] / "node.toml"), workers=4)
        yield nodes
    finally:
        for node in nodes.values():
            node.stop(grace=0.5)


def _status(node: RunningNode) -> node_pb2.GetStatusResponse:
    layout = Layout(node.app.data_dir)
    with tls_channel(f"127.0.0.1:{node.port}", cert=layout.identity_cert("admin"),
                     key=layout.identity_key("admin"), ca=layout.ca_cert) as channel:
        response: node_pb2.GetStatusResponse = node_stub(channel).GetStatus(
            node_pb2.GetStatusRequest(), timeout=10)
    return response


def test_peers_reachable_counts_the_peers_up(trio: dict[str, RunningNode]) -> None:
    js = trio["JS"]
    assert _status(js).peers_configured == 2
    wait_for(lambda: _status(js).peers_reachable == 2)
    trio["SH"].stop(grace=0.5)
    wait_for(lambda: _status(js).peers_reachable == 1)
    assert _status(js).peers_configured == 2


class FakePeer:
    """A peer whose health answer the test sets, counting the checks."""

    def __init__(self, up: bool) -> None:
        self.up = up
        self.checks = 0
        self.gate = threading.Event()
        self.gate.set()

    def healthy(self, timeout: float) -> bool:
        self.gate.wait(5)
        self.checks += 1
        return self.up


def test_the_first_count_is_measured_then_cached() -> None:
    up, down = FakePeer(True), FakePeer(False)
    reachable = ReachablePeers([up, down], ttl=60.0)
    assert reachable.count() == 1  # the very first count is measured on the call
    checks = up.checks
    for _ in range(10):
        assert reachable.count() == 1
    assert up.checks == checks  # within the ttl nothing is asked again


def test_a_stale_count_is_refreshed_off_the_call() -> None:
    peer = FakePeer(True)
    reachable = ReachablePeers([peer], ttl=0.0)
    assert reachable.count() == 1
    peer.up = False
    peer.gate.clear()  # the peer now hangs: a call that waited on it could not return
    assert reachable.count() == 1  # the last count, while a refresh starts
    assert reachable.count() == 1  # a refresh is under way: no second one
    assert peer.checks == 1  # the refresh is still held by the peer
    peer.gate.set()
    wait_for(lambda: reachable.count() == 0, timeout=10)


def test_no_peers_counts_zero() -> None:
    assert ReachablePeers([]).count() == 0
    assert ReachablePeers([]).measure() == 0


def test_an_unreachable_address_is_not_healthy(tmp_path: Path) -> None:
    init_node(tmp_path / "js", "JS")
    layout = Layout(tmp_path / "js")
    client = PeerClient("SH", f"127.0.0.1:{free_port()}", cert=layout.node_cert,
                        key=layout.node_key, ca=layout.ca_cert)
    try:
        assert client.healthy(timeout=0.5) is False
    finally:
        client.close()
