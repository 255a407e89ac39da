"""Client side: a mutual-TLS channel from certificate files (for the CLI and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc

from node.grpc.server_limits import MAX_MESSAGE_BYTES


def tls_channel(endpoint: str, *, cert: Path, key: Path, ca: Path) -> Any:
    """A secure channel to ``endpoint`` (host:port) presenting ``cert``/``key``, trusting ``ca``.

    The server certificate must name the host dialled (localhost and 127.0.0.1 are in
    every node certificate made by ``credit-node init``).
    """
    credentials = grpc.ssl_channel_credentials(
        root_certificates=Path(ca).read_bytes(),
        private_key=Path(key).read_bytes(),
        certificate_chain=Path(cert).read_bytes(),
    )
    return grpc.secure_channel(endpoint, credentials, options=[
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ])
