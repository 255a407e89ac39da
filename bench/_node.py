"""Shared plumbing of the `make bench` modules: a lone JS node directory on an anvil, a
`credit-node serve` subprocess for it, channels, synthetic lines, bounded waits.

The benchmarks drive the node as a user would (a real `serve` process, the platform's or
agency's certificate over mutual TLS) so the client's Python never shares the server's GIL.
The test helpers (tests/node/service/service_helpers.py, tests/multinode_net.py) are put on
``sys.path`` here and reused rather than copied, so a bench node is built exactly like a test
node.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests", ROOT / "tests" / "node" / "service"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from service_helpers import NodeDir, channel, make_node_dir, synth_lines  # noqa: E402

from node.config import config_from_dict, config_to_dict, load_config, write_config  # noqa: E402

CREDIT_NODE = str(Path(sys.executable).parent / "credit-node")
__all__ = ["NodeDir", "Serve", "channel", "lone_node", "synth_lines", "wait_for"]


def lone_node(root: Path, rpc_url: str, *, batch_interval: float = 1.0,
              database_url: str = "", port: int = 0) -> NodeDir:
    """A one-member JS node (as the service tests build it) listening on ``port``, with the
    agency rate limit lifted (the benchmark is the burst) and ``database_url`` if given."""
    node = make_node_dir(root, rpc_url, batch_interval=batch_interval)
    raw = config_to_dict(load_config(node.config), root)
    raw["policy"]["agency_queries_per_minute"] = 6_000_000.0
    raw["policy"]["agency_burst"] = 100_000
    if port:
        raw["node"]["listen"] = f"127.0.0.1:{port}"
    if database_url:
        raw["database"]["url"] = database_url
        raw.setdefault("keystore", {})["url"] = f"sqlite:///{root}/keys.db"
    write_config(config_from_dict(raw, root), node.config, overwrite=True)
    return node


class Serve:
    """`credit-node serve --config …` as a subprocess; stopped with SIGTERM on exit."""

    def __init__(self, config: Path, port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen([CREDIT_NODE, "serve", "--config", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)

    def __enter__(self) -> Serve:
        return self

    def wait_serving(self, node: NodeDir, timeout: float = 60.0) -> None:
        """Bounded poll of the standard health check over the platform's mutual TLS."""
        def up() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError("credit-node serve exited early")
            return health_ok(node, self.port, "platform")

        wait_for(up, timeout)

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def health_ok(node: NodeDir, port: int, label: str, timeout: float = 2.0) -> bool:
    """One standard gRPC health check over ``label``'s mutual TLS; False when not serving."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        with channel(node, port, label) as ch:
            answer = health_pb2_grpc.HealthStub(ch).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout)
    except grpc.RpcError:
        return False
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


def wait_for(condition: Callable[[], Any], timeout: float, step: float = 0.05) -> float:
    """Poll ``condition`` until truthy; seconds taken (TimeoutError after ``timeout``)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"condition not reached in {timeout} s")
        time.sleep(step)
    return time.monotonic() - started
