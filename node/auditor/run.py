"""``audit verify`` for one node: gather what the node serves and what the chain holds, run
the verifier, and match the node's exchanges against its peers' logs.

Steps: (1) read the node's served head (the province it names is checked by the
signature: only that province's key registered on-chain can have signed it); (2) read
the anchored heads and witness cosignatures from the chain's events and every member's
registered key; (3) stream the entries up to the served size into
:func:`node.audit.verify_log`, with the node's consistency and inclusion proofs;
(4) with peers' logs, read each and flag exchanges logged by one end only, judging only
entries older than the first read minus ``slack`` seconds (``node.auditor.exchanges``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crypto.checkpoint import parse_checkpoint
from crypto.errors import MalformedNote
from node.audit import LogIdentity, Problem, ProblemCode, VerifyReport, audit_origin, verify_log
from node.auditor.exchanges import SideCollector, TimedSide, one_sided
from node.auditor.ledger_view import ChainView
from node.grpc.audit_client import AuditClient
from node.grpc.convert import head_note

__all__ = ["AuditOptions", "NodeAudit", "UnknownLog", "audit_node"]


class UnknownLog(ValueError):
    """The node names a province that is no member on the chain (nothing to verify with)."""


@dataclass(frozen=True)
class AuditOptions:
    min_witnesses: int = 0
    max_unanchored: int | None = None
    slack: float = 30.0
    """Seconds: exchange entries younger than the first read minus this are not judged."""


@dataclass(frozen=True)
class NodeAudit:
    """The verdict on one node's log and the figures behind it."""

    province: str
    report: VerifyReport
    served_size: int
    witness_cosignatures: int
    witnessed_heads: int
    exchanges_judged: int

    def to_json(self) -> dict[str, Any]:
        report = self.report
        return {
            "ok": report.ok, "province": self.province,
            "checked_entries": report.checked_entries, "served_size": self.served_size,
            "anchored_heads": report.anchored_heads,
            "latest_anchored_size": report.latest_anchored_size,
            "witness_cosignatures": self.witness_cosignatures,
            "witnessed_heads": self.witnessed_heads,
            "exchanges_judged": self.exchanges_judged,
            "problems": [{"code": p.code.value, "detail": p.detail} for p in report.problems],
        }


def _with(report: VerifyReport, extra: list[Problem]) -> VerifyReport:
    problems = (*report.problems, *extra)
    return dataclasses.replace(report, ok=not problems, problems=problems)


def audit_node(node: AuditClient, chain: ChainView, *, province: str | None = None,
               peers: Mapping[str, AuditClient] | None = None,
               options: AuditOptions | None = None,
               progress: Callable[[int], None] | None = None) -> NodeAudit:
    """Steps (1)-(4) of the module doc. Raises ``grpc.RpcError`` / ``LedgerError`` when the
    node or the chain cannot be read, ``UnknownLog`` for a province with no key."""
    options = options or AuditOptions()
    # (1)
    started = datetime.now(UTC)
    head = node.latest_head()
    province = province or str(head.province)
    keys = chain.member_keys()
    if province not in keys:
        raise UnknownLog(f"province {province!r} is no member on the chain; members: "
                         f"{', '.join(sorted(keys))}")
    identity = LogIdentity(province, audit_origin(province), keys[province])
    extra: list[Problem] = []
    served: list[str] = []
    end: int | None = None
    try:
        served.append(head_note(head, identity.verifier()))
        end = parse_checkpoint(bytes(head.canonical_head).decode()).size
    except MalformedNote as exc:
        extra.append(Problem(ProblemCode.HEAD_MALFORMED, f"served head: {exc}"))
    # (2)
    anchored = chain.anchored(province)
    # (3)
    own = SideCollector(province)
    report = verify_log(
        own.watch(node.entries(end=end, progress=progress)), anchored, identity,
        served_heads=served, witness_keys=keys, consistency_proof=node.consistency,
        inclusion_proof=node.inclusion, min_witnesses=options.min_witnesses,
        max_unanchored=options.max_unanchored)
    # (4)
    judged = 0
    if peers:
        logs: dict[str, list[TimedSide]] = {province: own.sides}
        for peer, client in peers.items():
            logs[peer] = SideCollector(peer).read(client.entries())
        cutoff = started - timedelta(seconds=options.slack)
        judged = sum(1 for sides in logs.values() for t in sides
                     if province in (t.side.province, t.side.peer) and t.time <= cutoff)
        for side in one_sided(logs, province, cutoff):
            mirror = "exchange_in" if side.action.value == "exchange_out" else "exchange_out"
            extra.append(Problem(ProblemCode.ONE_SIDED_EXCHANGE,
                                 f"{side.action.value} of {side.province} with {side.peer} "
                                 f"(request {side.request_id!r}, entry {side.index}) has no "
                                 f"{mirror} in {side.peer}'s log"))
    return NodeAudit(
        province=province, report=_with(report, extra), served_size=end or 0,
        witness_cosignatures=sum(len(h.cosignatures) for h in anchored),
        witnessed_heads=sum(1 for h in anchored if h.cosignatures),
        exchanges_judged=judged)
