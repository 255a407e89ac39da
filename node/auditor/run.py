"""``audit verify`` for one node: gather what the node serves and what the chain holds, run
the verifier, and match the node's exchanges against its peers' logs.

Steps: (1) read the node's served head (the province it names is checked by the
signature: only that province's key registered on-chain can have signed it); (2) read
the anchored heads and witness cosignatures from the chain's events and every member's
registered key, and fix the policy (``node.auditor.policy``: the witness quorum from the
member count, the tail age); (3) stream the entries up to the served size into
:func:`node.audit.verify_log`, with the node's consistency and inclusion proofs, noting
when the first unanchored and first unwitnessed entries were logged; (4) with peers'
logs, read each and flag exchanges logged by one end only or with other records at the
two ends, judging only entries older than the first read minus ``slack`` seconds
(``node.auditor.exchanges``), except a lone ``exchange_out`` the receiver retried after a
crash, which is only listed (``node.auditor.retries``); (5) unless ``wait`` is off, wait
until the served head is covered by a witnessed head (``node.auditor.witnessed``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crypto.checkpoint import Checkpoint, parse_checkpoint, verify_checkpoint
from crypto.errors import CryptoError, MalformedNote
from node.audit import LogIdentity, Problem, ProblemCode, VerifyReport, audit_origin, verify_log
from node.audit.verify import valid_cosigners
from node.auditor.exchanges import SideCollector, TimedSide, mismatched, one_sided
from node.auditor.ledger_view import ChainView
from node.auditor.policy import EntryTimes, Policy, Tail, tail_problems
from node.auditor.retries import RETRY_WINDOW, Retry, retried
from node.auditor.witnessed import Coverage, await_witnessed
from node.grpc.audit_client import AuditClient
from node.grpc.convert import head_note

__all__ = ["AuditOptions", "NodeAudit", "UnknownLog", "audit_node"]


class UnknownLog(ValueError):
    """The node names a province that is no member on the chain (nothing to verify with)."""


DEFAULT_CHECKPOINT_INTERVAL = 60.0
"""Seconds: a node's ``[audit] checkpoint_interval_seconds`` unless told otherwise."""


@dataclass(frozen=True)
class AuditOptions:
    min_witnesses: int | None = None
    """Valid cosignatures a head needs; ``None``: ⌈2n/3⌉−1 of the n members on the chain."""
    checkpoint_interval: float = DEFAULT_CHECKPOINT_INTERVAL
    """Seconds between the node's checkpoints; the tail may last 3 of them."""
    max_tail_age: float | None = None
    """Seconds an unanchored or unwitnessed tail may last (overrides the interval rule)."""
    max_unanchored: int | None = None
    """Entries allowed past the latest anchored head (``None``: any count, if young)."""
    slack: float = 30.0
    """Seconds: exchange entries younger than the first read minus this are not judged."""
    wait: bool = True
    """Wait (up to the tail age) for the served head to be witnessed."""
    retry_window: float = RETRY_WINDOW.total_seconds()
    """Seconds after a lone exchange_out within which the receiver's retry excuses it."""


@dataclass(frozen=True)
class NodeAudit:
    """The verdict on one node's log and the figures behind it."""

    province: str
    report: VerifyReport
    served_size: int
    witness_cosignatures: int
    witnessed_heads: int
    exchanges_judged: int
    policy: Policy | None = None
    tails: tuple[Tail, Tail] | None = None
    """The unanchored and the unwitnessed tail."""
    coverage: Coverage | None = None
    retried_exchanges: tuple[Retry, ...] = ()
    """Lone exchange_outs the receiver retried after a crash: informational, no problem."""

    def to_json(self) -> dict[str, Any]:
        report = self.report
        latest = report.witnessed[-1] if report.witnessed else (0, frozenset())
        policy = self.policy
        return {
            "ok": report.ok, "province": self.province,
            "checked_entries": report.checked_entries, "served_size": self.served_size,
            "anchored_heads": report.anchored_heads,
            "latest_anchored_size": report.latest_anchored_size,
            "witness_cosignatures": self.witness_cosignatures,
            "witnessed_heads": self.witnessed_heads,
            "exchanges_judged": self.exchanges_judged,
            "retried_exchanges": [r.to_json() for r in self.retried_exchanges],
            "policy": None if policy is None else {
                "members": policy.members, "min_witnesses": policy.min_witnesses,
                "max_tail_age_seconds": policy.max_tail_age},
            "latest_anchored_witnesses": sorted(latest[1]),
            "unanchored_tail": None if self.tails is None else self.tails[0].to_json(),
            "unwitnessed_tail": None if self.tails is None else self.tails[1].to_json(),
            "served_head_witnessed": None if self.coverage is None else self.coverage.to_json(),
            "problems": [{"code": p.code.value, "detail": p.detail} for p in report.problems],
            "witness_faults": [f.to_json() for f in report.witness_faults],
        }


def _with(report: VerifyReport, extra: list[Problem]) -> VerifyReport:
    problems = (*report.problems, *extra)
    return dataclasses.replace(report, ok=not problems, problems=problems)


def _served(head: Any, identity: LogIdentity, extra: list[Problem]
            ) -> tuple[list[str], int | None, Checkpoint | None]:
    """The served note, the size it names, and its checkpoint if the signature verifies
    (``verify_log`` reports a bad one)."""
    try:
        note = head_note(head, identity.verifier())
        end = parse_checkpoint(bytes(head.canonical_head).decode()).size
    except MalformedNote as exc:
        extra.append(Problem(ProblemCode.HEAD_MALFORMED, f"served head: {exc}"))
        return [], None, None
    try:
        return [note], end, verify_checkpoint(note, identity.origin, [identity.verifier()])
    except CryptoError:
        return [note], end, None


def audit_node(node: AuditClient, chain: ChainView, *, province: str | None = None,
               peers: Mapping[str, AuditClient] | None = None,
               options: AuditOptions | None = None,
               progress: Callable[[int], None] | None = None) -> NodeAudit:
    """Steps (1)-(5) of the module doc. Raises ``grpc.RpcError`` / ``LedgerError`` when the
    node or the chain cannot be read, ``UnknownLog`` for a province with no key,
    ``ValueError`` for options out of range."""
    options = options or AuditOptions()
    if options.retry_window < 0:
        raise ValueError(f"retry_window: must be >= 0 s, got {options.retry_window}")
    # (1)
    started, served_at = datetime.now(UTC), time.monotonic()
    head = node.latest_head()
    province = province or str(head.province)
    keys = chain.member_keys()
    if province not in keys:
        raise UnknownLog(f"province {province!r} is no member on the chain; members: "
                         f"{', '.join(sorted(keys))}")
    identity = LogIdentity(province, audit_origin(province), keys[province])
    extra: list[Problem] = []
    served, end, checkpoint = _served(head, identity, extra)
    # (2)
    anchored = chain.anchored(province)
    policy = Policy.of(len(keys), min_witnesses=options.min_witnesses,
                       checkpoint_interval=options.checkpoint_interval,
                       max_tail_age=options.max_tail_age)
    latest = anchored[-1].size if anchored else 0
    witnessed = max((h.size for h in anchored if len(valid_cosigners(h, identity, keys)[0])
                     >= policy.min_witnesses), default=0)
    # (3)
    own, times = SideCollector(province), EntryTimes({latest, witnessed})
    report = verify_log(
        own.watch(times.watch(node.entries(end=end, progress=progress))), anchored, identity,
        served_heads=served, witness_keys=keys, consistency_proof=node.consistency,
        inclusion_proof=node.inclusion, max_unanchored=options.max_unanchored)
    tails = tail_problems(policy, latest, witnessed, report.checked_entries, times, started)
    extra.extend(tails[2])
    # (4)
    judged, retries = _match_exchanges(province, own, peers or {}, started - timedelta(
        seconds=options.slack), timedelta(seconds=options.retry_window), extra)
    # (5)
    coverage = None
    if options.wait and checkpoint is not None:
        coverage = await_witnessed(chain, identity, keys, checkpoint, policy,
                                   served_at=served_at, prove=node.consistency)
        already = coverage.problem is not None and coverage.problem.code in report.codes()
        if coverage.problem is not None and not already:  # a FORK at an anchored size
            extra.append(coverage.problem)                 # is reported once, by step (3)
    return NodeAudit(
        province=province, report=_with(report, extra), served_size=end or 0,
        witness_cosignatures=sum(len(h.cosignatures) for h in anchored),
        witnessed_heads=sum(1 for h in anchored if h.cosignatures),
        exchanges_judged=judged, policy=policy, tails=tails[:2], coverage=coverage,
        retried_exchanges=tuple(retries))


def _match_exchanges(province: str, own: SideCollector, peers: Mapping[str, AuditClient],
                     cutoff: datetime, window: timedelta, extra: list[Problem],
                     ) -> tuple[int, list[Retry]]:
    """Step (4): the exchanges judged and the retried ones; problems for one-sided (not
    retried) and mismatched ones."""
    if not peers:
        return 0, []
    logs: dict[str, list[TimedSide]] = {province: own.sides}
    for peer, client in peers.items():
        logs[peer] = SideCollector(peer).read(client.entries())
    judged = sum(1 for sides in logs.values() for t in sides
                 if province in (t.side.province, t.side.peer) and t.time <= cutoff)
    retries, lonely = retried(one_sided(logs, province, cutoff), logs, window=window)
    for side in lonely:
        mirror = "exchange_in" if side.action.value == "exchange_out" else "exchange_out"
        extra.append(Problem(ProblemCode.ONE_SIDED_EXCHANGE,
                             f"{side.action.value} of {side.province} with {side.peer} "
                             f"(request {side.request_id!r}, entry {side.index}) has no "
                             f"{mirror} in {side.peer}'s log"))
    extra.extend(Problem(ProblemCode.EXCHANGE_MISMATCH, m.describe())
                 for m in mismatched(logs, province, cutoff))
    return judged, retries
