"""A private match across a local consortium: one province's node checks subjects against
the others' serious-dishonesty lists (used by ``credit-node match`` and the demo).

For each responder: its OPRF key commitment is read from the ledger (an inactive member
is refused), the requester calls its MatchingService over mutual TLS with its own node
certificate (role peer) and ``node.service.matching_requester`` does the rest: blinding,
proof checks against the on-chain key, unblinding, local membership tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ledger.client import LedgerClient
from ledger.errors import LedgerError
from node.authz.request_ids import new_request_id
from node.devnet.errors import ConsortiumError
from node.devnet.layout import ConsortiumDoc
from node.grpc.calls import MatchingCalls, TlsTarget
from node.identity import Layout
from node.service.matching_requester import MatchResult, match_subjects

__all__ = ["ConsortiumMatch", "match_in_consortium"]

DEFAULT_PURPOSE = "list_matching"


@dataclass(frozen=True)
class ConsortiumMatch:
    """Per responder province, the requester's result."""

    requester: str
    results: dict[str, MatchResult]

    def where_listed(self, position: int) -> list[dict[str, object]]:
        """Where subject ``position`` is listed: ``[{"province", "categories"}]``."""
        return [{"province": p, "categories": list(r.listed[position])}
                for p, r in self.results.items() if r.listed[position]]


def _target(doc: ConsortiumDoc, requester: str, responder: str) -> TlsTarget:
    mine = Layout(Path(doc.provinces[requester].data_dir))
    theirs = Layout(Path(doc.provinces[responder].data_dir))
    return TlsTarget(doc.provinces[responder].grpc, mine.node_cert, mine.node_key,
                     theirs.ca_cert)


def committed_key(doc: ConsortiumDoc, province: str, *, timeout: float) -> bytes:
    """``province``'s OPRF key commitment as registered on-chain (ConsortiumError if the
    member is unknown or inactive, or the ledger cannot be read)."""
    try:
        member = LedgerClient(doc.ledger.rpc_url, dict(doc.ledger.contracts),
                              timeout=timeout).member(province)
    except LedgerError as exc:
        raise ConsortiumError(f"cannot read {province}'s membership on the ledger: {exc}"
                              ) from exc
    if not member.active:
        raise ConsortiumError(f"{province} is not an active member: not matching against it")
    return member.oprf_key_commitment


def match_in_consortium(doc: ConsortiumDoc, requester: str, responders: Sequence[str],
                        subjects: Sequence[str], *, purpose: str = DEFAULT_PURPOSE,
                        timeout: float = 120.0, batch_size: int = 1024) -> ConsortiumMatch:
    """Match ``subjects`` privately against each responder's list, one after another."""
    for province in (requester, *responders):
        if province not in doc.provinces:
            raise ConsortiumError(f"{province} is not in this consortium "
                                  f"({', '.join(doc.provinces)})")
    results: dict[str, MatchResult] = {}
    for responder in responders:
        key = committed_key(doc, responder, timeout=timeout)
        with MatchingCalls(_target(doc, requester, responder), timeout=timeout) as peer:
            results[responder] = match_subjects(
                subjects, peer, key, purpose=purpose, request_id=new_request_id(),
                batch_size=batch_size)
    return ConsortiumMatch(requester, results)
