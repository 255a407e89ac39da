"""The one client of a peer node: mutual TLS, one channel per peer, plain data out.

The exchange (pull, fetch on request), the audit witness (heads, consistency proofs) and
GetStatus (health) all reach a peer through the same :class:`PeerClient`, so a node
holds one channel per peer province, opened on first use and shared by every thread
(gRPC channels are thread-safe and reconnect by themselves). Every failed call raises
``node.exchange.ports.PeerCallFailed``, whatever the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

import grpc
from grpc_health.v1 import health_pb2

from node._proto.credit.v1 import audit_pb2, common_pb2, exchange_pb2, lifecycle_pb2
from node.audit.heads import ServedHead
from node.exchange.ports import ForwardedGrant, PeerCallFailed, PulledPage
from node.exchange.revocation_puller import RevocationPage
from node.exchange.transit import Proven
from node.grpc.client import PEER_RECONNECT_OPTIONS, tls_channel
from node.grpc.convert import notice_from_proto, proven_from_proto, served_head
from node.grpc.stubs import audit_stub, exchange_stub, health_stub, lifecycle_stub

__all__ = ["AUDIT_DEADLINE", "PeerClient"]

AUDIT_DEADLINE: Final = 5.0
"""Deadline of the witness's audit reads (heads, consistency proofs)."""
T = TypeVar("T")


@dataclass(frozen=True)
class _Stubs:
    exchange: Any
    audit: Any
    health: Any
    lifecycle: Any


class PeerClient:
    """One peer province's node at ``address`` (host:port), this node's certificate
    presented, ``ca`` trusted."""

    def __init__(self, province: str, address: str, *, cert: Path, key: Path,
                 ca: Path) -> None:
        self._province = province
        self.address = address
        self._files = (cert, key, ca)
        self._lock = threading.Lock()
        self._channel: Any = None
        self._stubs: _Stubs | None = None

    @property
    def province(self) -> str:
        return self._province

    def _open(self) -> _Stubs:
        with self._lock:
            if self._stubs is None:
                cert, key, ca = self._files
                self._channel = channel = tls_channel(self.address, cert=cert, key=key, ca=ca,
                                                      options=PEER_RECONNECT_OPTIONS)
                self._stubs = _Stubs(exchange_stub(channel), audit_stub(channel),
                                     health_stub(channel), lifecycle_stub(channel))
            return self._stubs

    def _call(self, what: str, method: Callable[[_Stubs], Callable[..., T]], request: Any,
              timeout: float, *, wait_for_ready: bool = False) -> T:
        try:
            return method(self._open())(request, timeout=timeout, wait_for_ready=wait_for_ready)
        except grpc.RpcError as exc:
            code = str(exc.code()) if hasattr(exc, "code") else "UNKNOWN"
            raise PeerCallFailed(f"{what} to {self._province} failed: {code}",
                                 code=code) from exc

    def pull_records(self, *, cursor: str, limit: int, request_id: str,
                     timeout: float) -> PulledPage:
        """The peer's next page of replicated records after ``cursor``."""
        request = exchange_pb2.PullRecordsRequest(cursor=cursor, limit=limit,
                                                  request_id=request_id)
        response: exchange_pb2.PullRecordsResponse = self._call(
            "PullRecords", lambda s: s.exchange.PullRecords,
            request, timeout)
        return PulledPage([proven_from_proto(message) for message in response.records],
                          response.next_cursor)

    def pull_revocations(self, *, cursor: str, request_id: str,
                         timeout: float) -> RevocationPage:
        """The peer's anchored revocation notices after ``cursor``, with proofs."""
        request = lifecycle_pb2.PullRevocationsRequest(cursor=cursor, request_id=request_id)
        response: lifecycle_pb2.PullRevocationsResponse = self._call(
            "PullRevocations", lambda s: s.lifecycle.PullRevocations, request, timeout)
        return RevocationPage([notice_from_proto(m) for m in response.revocations],
                              response.next_cursor)

    def fetch_on_request(self, *, category: str, purpose: str, subject_id: str,
                         request_id: str, grant: ForwardedGrant,
                         timeout: float) -> list[Proven]:
        """The subject's on-request records of ``category`` at the peer, under ``grant``."""
        request = exchange_pb2.FetchOnRequestRequest(
            category=category, purpose=purpose, request_id=request_id,
            subject=common_pb2.SubjectRef(id=subject_id),
            grant=common_pb2.Grant(canonical_grant=grant.canonical_grant,
                                   signature=grant.signature,
                                   agency_certificate=grant.agency_certificate,
                                   agency_signature=grant.agency_signature,
                                   signed_at=grant.signed_at))
        response: exchange_pb2.FetchOnRequestResponse = self._call(
            "FetchOnRequest", lambda s: s.exchange.FetchOnRequest,
            request, timeout)
        return [proven_from_proto(message) for message in response.records]

    def nudge(self, *, records: bool, revocations: bool, timeout: float) -> None:
        """Ask the peer to pull this node's records and/or revocation notices now."""
        request = exchange_pb2.NudgeRequest(records=records, revocations=revocations)
        self._call("Nudge", lambda s: s.exchange.Nudge, request, timeout)

    def head_at(self, size: int) -> ServedHead:
        """The peer's signed audit head at ``size`` (to be verified by the caller)."""
        request = audit_pb2.GetHeadAtSizeRequest(tree_size=size)
        response: audit_pb2.GetHeadAtSizeResponse = self._call(
            "GetHeadAtSize", lambda s: s.audit.GetHeadAtSize,
            request, AUDIT_DEADLINE)
        return served_head(response.head)

    def consistency(self, first: int, second: int) -> Sequence[bytes]:
        """The peer's proof that its audit log at ``second`` extends the one at ``first``."""
        request = audit_pb2.GetConsistencyProofRequest(first_size=first, second_size=second)
        response: audit_pb2.GetConsistencyProofResponse = self._call(
            "GetConsistencyProof", lambda s: s.audit.GetConsistencyProof,
            request, AUDIT_DEADLINE)
        return [bytes(h) for h in response.proof]

    def healthy(self, timeout: float) -> bool:
        """Whether the peer answers its gRPC health check as serving within ``timeout``."""
        request = health_pb2.HealthCheckRequest(service="")
        try:
            response: health_pb2.HealthCheckResponse = self._call(
                "Health.Check", lambda s: s.health.Check, request, timeout,
                # a channel between reconnect attempts gets its chance within the deadline
                wait_for_ready=True)
        except PeerCallFailed:
            return False
        return bool(response.status == health_pb2.HealthCheckResponse.SERVING)

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            self._channel = self._stubs = None
