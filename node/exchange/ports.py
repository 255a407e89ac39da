"""What the exchange needs from a peer node, as plain data.

The exchange never speaks gRPC: the composition root (``node.runtime``) hands it one
client per peer province implementing :class:`ExchangePeer` (``node.grpc.peer``), and
tests hand it fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from node.exchange.errors import ExchangeError
from node.exchange.transit import Proven

__all__ = ["ExchangePeer", "ForwardedGrant", "PeerCallFailed", "PulledPage"]


class PeerCallFailed(ExchangeError):
    """A call to a peer did not answer (unreachable, deadline, refused); ``code`` is the
    transport's status name, safe to log."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PulledPage:
    """A page of a peer's records and the cursor after it."""

    records: list[Proven]
    next_cursor: str


@dataclass(frozen=True)
class ForwardedGrant:
    """An agency's grant as forwarded to the origin, which checks it again."""

    canonical_grant: bytes
    signature: bytes
    agency_certificate: bytes
    # The agency's own signature for this origin (node.authz.forwarding) and its time.
    agency_signature: bytes = b""
    signed_at: int = 0


class ExchangePeer(Protocol):
    """One peer province's node. Every call raises ``PeerCallFailed`` when it fails."""

    @property
    def province(self) -> str: ...

    def pull_records(self, *, cursor: str, limit: int, request_id: str,
                     timeout: float) -> PulledPage: ...

    def fetch_on_request(self, *, category: str, purpose: str, subject_id: str,
                         request_id: str, grant: ForwardedGrant,
                         timeout: float) -> list[Proven]: ...
