"""The demo's audit step: ``audit verify`` of every node, as the consortium auditor.

1. read each node's current audit head size (``GetLatestHead``: not itself logged);
2. wait until the ledger anchors a head at least that large for every node and a peer
   co-signed it (anchoring and witnessing run every few seconds);
3. verify each node's whole log against the chain — entries, signed and anchored heads,
   witness cosignatures, and its exchanges against the other nodes' logs
   (``node.auditor.audit_node``, what ``credit-node audit verify`` runs).

Every figure printed is read back from the nodes and the ledger.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

from ledger.client import LedgerClient
from ledger.errors import LedgerError
from node.auditor import AuditClient, AuditOptions, ChainView, NodeAudit, audit_node
from node.devnet.configs import AUDIT_CHECKPOINT_SECONDS
from node.devnet.demo import DemoFailed, DemoRun
from node.devnet.nodes import identity_target
from node.grpc.calls import CallFailed, call_failures, channel

__all__ = ["EXCHANGE_SLACK", "audit_step"]

EXCHANGE_SLACK = 5.0
"""Seconds: exchanges logged this recently are not matched (a receiver logs its side as
soon as a page arrives, so by then both ends have logged any exchange)."""


def _wait_anchored(ledger: LedgerClient, sizes: dict[str, int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        heads = {p: ledger.latest_audit_head(p) for p in sizes}
        lagging = [p for p, head in heads.items() if head.tree_size < sizes[p]
                   or ledger.witness_count(p, head.tree_size) == 0]
        if not lagging:
            return
        if time.monotonic() >= deadline:
            raise DemoFailed(f"audit heads of {', '.join(lagging)} not anchored and co-signed "
                             f"after {timeout:g} s")
        time.sleep(0.5)


def _line(verdict: NodeAudit) -> str:
    report = verdict.report
    state = "ok" if report.ok else f"{len(report.problems)} PROBLEMS"
    return (f"{verdict.province}: {state} — {report.checked_entries:,} entries checked "
            f"(the node serves a signed head of {verdict.served_size:,}); "
            f"{report.anchored_heads} heads anchored on-chain, latest at "
            f"{report.latest_anchored_size:,}; {verdict.witness_cosignatures} witness "
            f"cosignatures on {verdict.witnessed_heads} heads; "
            f"{verdict.exchanges_judged:,} exchange entries matched with the peers' logs"
            + _witnessed(verdict))


def _witnessed(verdict: NodeAudit) -> str:
    coverage, policy = verdict.coverage, verdict.policy
    if coverage is None or policy is None or coverage.witnessed_size is None:
        return ""
    return (f"; served head witnessed at size {coverage.witnessed_size:,} by "
            f"{', '.join(coverage.witnesses)} (quorum {policy.min_witnesses} of "
            f"{policy.members - 1} peers, {coverage.waited:.1f} s after it was served)")


def audit_step(run: DemoRun) -> list[str]:
    """Steps (1)-(3) of the module doc; DemoFailed when a node's log does not verify."""
    doc = run.consortium()
    auditor = doc.identity("auditor")
    try:
        ledger = LedgerClient(doc.ledger.rpc_url, doc.ledger.contracts, timeout=10.0)
        with call_failures(), ExitStack() as stack:
            targets = {p: identity_target(auditor, e.grpc) for p, e in doc.provinces.items()}
            clients = {p: AuditClient(stack.enter_context(channel(t)), timeout=60.0)
                       for p, t in targets.items()}
            # (1)
            sizes = {p: int(c.latest_head().tree_size) for p, c in clients.items()}
            # (2)
            started = time.monotonic()
            _wait_anchored(ledger, sizes, run.options.timeout)
            waited = time.monotonic() - started
            # (3)
            chain = ChainView(ledger, start_block=doc.ledger.deployment_block)
            options = AuditOptions(slack=EXCHANGE_SLACK,
                                   checkpoint_interval=AUDIT_CHECKPOINT_SECONDS)
            verdicts = [audit_node(client, chain, province=province, options=options,
                                   peers={p: c for p, c in clients.items() if p != province})
                        for province, client in clients.items()]
    except (CallFailed, LedgerError) as exc:
        raise DemoFailed(f"auditing the nodes failed: {exc}") from exc
    run.facts["audit"] = {v.province: v.to_json() for v in verdicts}
    lines = [f"each node's log anchored and co-signed on-chain ({waited:.1f} s wait); "
             f"`credit-node audit verify` of every node as {auditor.name!r}:"]
    lines += [_line(v) for v in verdicts]
    failed = [v for v in verdicts if not v.report.ok]
    if failed:
        raise DemoFailed("audit verify found problems: " + "; ".join(
            f"{v.province}: {v.report.problems[0].code.value} ({v.report.problems[0].detail}) "
            f"and {len(v.report.problems) - 1} more" for v in failed))
    total = sum(v.report.checked_entries for v in verdicts)
    lines.append(f"{total:,} access entries verified: every entry, every anchored head's "
                 "signature and root, every witness cosignature, every exchange at both ends")
    return lines
