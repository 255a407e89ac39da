"""Channels to peer nodes: mutual TLS with this node's certificate, the peer's CA trusted.

One channel per peer, opened on first use and shared by the puller thread and federated
queries (gRPC channels are thread-safe and reconnect by themselves).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from node._proto.credit.v1 import exchange_pb2_grpc
from node.grpc.client import tls_channel


class PeerLink:
    """The way to one peer province's node at ``address`` (host:port)."""

    def __init__(self, province: str, address: str, *, cert: Path, key: Path, ca: Path) -> None:
        self.province = province
        self.address = address
        self._files = (cert, key, ca)
        self._lock = threading.Lock()
        self._channel: Any = None
        self._stub: Any = None

    def exchange(self) -> Any:
        """The peer's ExchangeService stub (opening the channel on first use)."""
        with self._lock:
            if self._stub is None:
                cert, key, ca = self._files
                self._channel = tls_channel(self.address, cert=cert, key=key, ca=ca)
                self._stub = exchange_pb2_grpc.ExchangeServiceStub(  # type: ignore[no-untyped-call]
                    self._channel)
            return self._stub

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            self._channel = self._stub = None
