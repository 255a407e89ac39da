"""Client side: a mutual-TLS channel from certificate files (for the CLI and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc

from node.grpc.server_limits import MAX_MESSAGE_BYTES

# A peer that was down is tried again within seconds, not after gRPC's default back-off
# of up to two minutes: exchange and GetStatus's peers_reachable follow a restart quickly.
PEER_RECONNECT_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 500),
    ("grpc.min_reconnect_backoff_ms", 500),
    ("grpc.max_reconnect_backoff_ms", 5000),
)


def tls_channel(endpoint: str, *, cert: Path, key: Path, ca: Path,
                options: tuple[tuple[str, int], ...] = ()) -> Any:
    """A secure channel to ``endpoint`` (host:port) presenting ``cert``/``key``, trusting ``ca``.

    The server certificate must name the host dialled (localhost and 127.0.0.1 are in
    every node certificate made by ``credit-node init``). ``options`` are extra channel
    arguments (e.g. :data:`PEER_RECONNECT_OPTIONS`).
    """
    credentials = grpc.ssl_channel_credentials(
        root_certificates=Path(ca).read_bytes(),
        private_key=Path(key).read_bytes(),
        certificate_chain=Path(cert).read_bytes(),
    )
    return grpc.secure_channel(endpoint, credentials, options=[
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        *options,
    ])
