"""What the handlers of a running node need, built once: query dependencies, peer clients."""

from __future__ import annotations

from typing import Final

from node.authz.rate import TokenBuckets
from node.config import NodeConfig
from node.grpc.peer import PeerClient
from node.service.app import NodeApp
from node.service.evidence import EvidenceVault
from node.service.proofs import AnchoredProofs
from node.service.query import Federation, QueryDeps

__all__ = ["NO_CONTRACT", "open_peers", "query_deps"]

NO_CONTRACT: Final = "0x" + "00" * 20
"""The RecordAnchors address named in proofs when none is configured."""


def query_deps(app: NodeApp, federation: Federation | None = None) -> QueryDeps:
    """A ``QueryDeps`` of ``app``: agency queries and the exchange's forwarded-grant checks
    (``FetchOnRequest``) read the same policy, nonces, withdrawals, deposited evidence and
    anchor contract; each gets its own rate buckets (agencies asking here, and foreign
    agencies asking through their node)."""
    cfg = app.config
    policy = cfg.policy
    return QueryDeps(
        store=app.store, keys=app.keys, purposes=policy.purposes, nonces=app.nonces,
        chain_id=cfg.ledger.chain_id,
        anchor_contract=cfg.ledger.contracts.get("RecordAnchors", NO_CONTRACT),
        federation=federation,
        evidence=EvidenceVault(app.data_dir / "evidence", app.keys.master_key),
        withdrawals=app.nonces,
        limiter=TokenBuckets(per_minute=policy.agency_queries_per_minute,
                             burst=policy.agency_burst),
        proofs=AnchoredProofs())


def open_peers(config: NodeConfig) -> dict[str, PeerClient]:
    """One client per ``[[peers]]`` entry (province -> client); channels open on first use.

    This node's certificate is presented; the peer's own CA is trusted when configured,
    else ours.
    """
    tls = config.tls
    return {peer.province: PeerClient(peer.province, peer.address, cert=tls.cert,
                                       key=tls.key, ca=peer.ca or tls.ca)
            for peer in config.peers}
