"""Was the head a node served this auditor one that its peers witnessed?

A node can sign any head it likes for one auditor; only the chain shows which heads the
other members saw, since their cosignatures name a size and a root. So the served head
(size N, root R) must, within the policy's tail age from the moment it was served, be
covered by an anchored head (size M >= N, root R') with a quorum of valid cosignatures,
and the node must prove that R' extends R (at M == N, that R' is R). Otherwise the head
was shown to this auditor alone: ``UNWITNESSED_HEAD`` when no witnessed head covers it in
time (the node stopped anchoring, or its witnesses refused), ``FORK`` when the witnessed
log is another one (the node showed a second head for one size). The chain is read again
every ``poll`` seconds until then. Usage::

    coverage = await_witnessed(chain, identity, keys, served, policy, served_at=t0,
                               prove=node.consistency)
    if coverage.problem: ...
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crypto.checkpoint import Checkpoint
from crypto.merkle import verify_consistency
from crypto.signing import NodePublicKey
from node.audit import LogIdentity, Problem, ProblemCode
from node.audit.verify import ConsistencyProver, valid_cosigners
from node.auditor.ledger_view import ChainView
from node.auditor.policy import Policy

__all__ = ["Coverage", "await_witnessed"]


@dataclass(frozen=True)
class Coverage:
    """The witnessed head that covers the served one (if any) and what was found."""

    served_size: int
    witnessed_size: int | None
    witnesses: tuple[str, ...]
    waited: float
    problem: Problem | None

    def to_json(self) -> dict[str, Any]:
        return {"served_size": self.served_size, "witnessed_size": self.witnessed_size,
                "witnesses": list(self.witnesses), "waited_seconds": round(self.waited, 3),
                "ok": self.problem is None}


def _extends(served: Checkpoint, size: int, root: bytes, prove: ConsistencyProver) -> str | None:
    """``None`` when the node proves (size, root) extends the served head, else why not."""
    if size == served.size or served.size == 0:
        return None if size > served.size or root == served.root else "another root"
    try:
        verify_consistency(served.size, size, prove(served.size, size), served.root, root)
    except Exception as exc:  # the prover is the audited node: any failure counts
        return f"{type(exc).__name__}: {exc}"
    return None


def await_witnessed(chain: ChainView, log: LogIdentity, keys: Mapping[str, NodePublicKey],
                    served: Checkpoint, policy: Policy, *, served_at: float,
                    prove: ConsistencyProver, poll: float = 0.25,
                    clock: Callable[[], float] = time.monotonic,
                    sleep: Callable[[float], None] = time.sleep) -> Coverage:
    """Wait (until ``served_at + policy.max_tail_age`` on ``clock``, reading the chain at
    least once) for a witnessed head covering ``served``; judge it as the module says.
    Raises ``LedgerError`` when the chain cannot be read."""
    deadline = served_at + policy.max_tail_age
    while True:
        for head in sorted(chain.anchored(log.province), key=lambda h: h.size):
            if head.size < served.size:
                continue
            valid, _ = valid_cosigners(head, log, keys)
            if len(valid) < policy.min_witnesses:
                continue
            waited = max(0.0, clock() - served_at)
            why = _extends(served, head.size, head.root, prove)
            problem = None if why is None else Problem(ProblemCode.FORK, (
                f"served head at size {served.size} is not the log its witnesses saw: the "
                f"head at size {head.size} cosigned by {', '.join(sorted(valid))} does not "
                f"extend it ({why})"))
            return Coverage(served.size, head.size, tuple(sorted(valid)), waited, problem)
        if clock() >= deadline:
            break
        sleep(poll)
        chain.refresh()
    latest = max(chain.anchored(log.province), key=lambda h: h.size, default=None)
    seen = "nothing anchored" if latest is None else (
        f"latest anchored size {latest.size} with "
        f"{len(valid_cosigners(latest, log, keys)[0])} valid cosignatures")
    return Coverage(served.size, None, (), max(0.0, clock() - served_at), Problem(
        ProblemCode.UNWITNESSED_HEAD,
        f"served head at size {served.size} was not witnessed: no anchored head of that "
        f"size or larger had {policy.min_witnesses} valid cosignatures within "
        f"{policy.max_tail_age:g} s of being served ({seen})"))
