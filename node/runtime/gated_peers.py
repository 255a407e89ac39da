"""Outbound calls only to members: a peer client that refuses to call a removed province.

The membership view decides inbound calls (``node.identity.cache``); this wrapper makes
the node's own loops — pullers, revocation pullers, witnessing, federated fetches — stop
calling a province the ledger no longer lists as an active member with the CA held here,
and resume once it is readmitted, without rebuilding the loops. ``GetStatus``'s
``peers_reachable`` counts through the same gate: a removed province's node is not
reachable as a peer, however well it answers its health check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from node.audit.heads import ServedHead
from node.exchange.ports import ForwardedGrant, PeerCallFailed, PulledPage
from node.exchange.revocation_puller import RevocationPage
from node.exchange.transit import Proven
from node.grpc.peer import PeerClient
from node.identity import MembershipView, UntrustedCertificate

__all__ = ["MemberGatedPeer", "gate_peers"]


class MemberGatedPeer:
    """``PeerClient``'s exchange and witness calls, each refused with ``PeerCallFailed``
    (code ``NOT_A_MEMBER``) while the view does not admit the peer's province, and its
    health check, answered False then."""

    def __init__(self, client: PeerClient, view: MembershipView, ca_fingerprint: str) -> None:
        self._client = client
        self._view = view
        self._ca = ca_fingerprint

    @property
    def province(self) -> str:
        return self._client.province

    def _admit(self) -> None:
        try:
            self._view.check(self._client.province, self._ca)
        except UntrustedCertificate as exc:
            raise PeerCallFailed(f"not calling {self._client.province}: {exc}",
                                 code="NOT_A_MEMBER") from exc

    def healthy(self, timeout: float) -> bool:
        """False, without calling, while the view does not admit the peer's province;
        else whether the peer's node answers its health check (``peers_reachable``)."""
        try:
            self._admit()
        except PeerCallFailed:
            return False
        return self._client.healthy(timeout)

    def pull_records(self, *, cursor: str, limit: int, request_id: str,
                     timeout: float) -> PulledPage:
        self._admit()
        return self._client.pull_records(cursor=cursor, limit=limit, request_id=request_id,
                                         timeout=timeout)

    def fetch_on_request(self, *, category: str, purpose: str, subject_id: str,
                         request_id: str, grant: ForwardedGrant,
                         timeout: float) -> list[Proven]:
        self._admit()
        return self._client.fetch_on_request(category=category, purpose=purpose,
                                             subject_id=subject_id, request_id=request_id,
                                             grant=grant, timeout=timeout)

    def nudge(self, *, records: bool, revocations: bool, timeout: float) -> None:
        self._admit()
        self._client.nudge(records=records, revocations=revocations, timeout=timeout)

    def head_at(self, size: int) -> ServedHead:
        self._admit()
        return self._client.head_at(size)

    def consistency(self, first: int, second: int) -> Sequence[bytes]:
        self._admit()
        return self._client.consistency(first, second)

    def pull_revocations(self, *, cursor: str, request_id: str,
                         timeout: float) -> RevocationPage:
        self._admit()
        return self._client.pull_revocations(cursor=cursor, request_id=request_id,
                                             timeout=timeout)


def gate_peers(peers: Mapping[str, PeerClient], view: MembershipView,
               held: Mapping[str, str]) -> dict[str, MemberGatedPeer]:
    """Each peer client gated by ``view`` against the CA fingerprint held for its province
    (``held``: province -> fingerprint, from the trust store). A peer whose province has no
    CA held here is gated against an empty fingerprint, so it is never called."""
    return {province: MemberGatedPeer(client, view, held.get(province, ""))
            for province, client in peers.items()}
