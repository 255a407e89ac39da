"""The auditor's freshness policy (node/auditor/policy.py) and the wait for the served head
to be witnessed (node/auditor/witnessed.py), over in-memory logs and a scripted chain."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "audit"))
from audit_helpers import IDENTITY, NOW, WITNESS_KEYS, MemoryAudit, memory_log

from node.audit import AnchoredHead, ProblemCode
from node.auditor.policy import EntryTimes, Policy, quorum, tail_problems
from node.auditor.witnessed import await_witnessed


@pytest.mark.parametrize(("members", "want"), [(1, 0), (2, 1), (3, 1), (4, 2), (5, 3),
                                                (6, 3), (7, 4), (10, 6)])
def test_the_default_quorum_is_two_thirds_of_the_members_less_the_log_itself(
        members: int, want: int) -> None:
    assert quorum(members) == want
    assert Policy.of(members, min_witnesses=None, checkpoint_interval=60).min_witnesses == want


def test_the_tail_age_is_three_checkpoint_intervals_unless_given() -> None:
    assert Policy.of(4, min_witnesses=1, checkpoint_interval=3).max_tail_age == 9
    assert Policy.of(4, min_witnesses=1, checkpoint_interval=3, max_tail_age=5).max_tail_age == 5
    for bad in ({"min_witnesses": -1, "checkpoint_interval": 3},
                {"min_witnesses": None, "checkpoint_interval": 0},
                {"min_witnesses": None, "checkpoint_interval": 3, "max_tail_age": -2}):
        with pytest.raises(ValueError, match=next(k for k, v in bad.items()
                                                  if v is not None and v <= 0)):
            Policy.of(4, **bad)  # type: ignore[arg-type]


def _times(log: MemoryAudit, *wanted: int) -> EntryTimes:
    times = EntryTimes(set(wanted))
    assert list(times.watch(log.stream())) == log.stream()
    return times


def test_an_old_unanchored_tail_is_a_missing_anchor() -> None:
    log, policy = memory_log(20), Policy(4, 2, 9.0)
    times = _times(log, 10, 5)
    # entry i was logged at NOW + i s; judged at NOW + 18 s: entry 10 is 8 s old.
    anchored, witnessed, problems = tail_problems(policy, 10, 5, 20, times,
                                                  NOW + timedelta(seconds=18))
    assert (anchored.to_json(), witnessed.to_json()) == (
        {"after_size": 10, "entries": 10, "oldest_age_seconds": 8.0},
        {"after_size": 5, "entries": 15, "oldest_age_seconds": 13.0})
    assert [(p.code, p.detail) for p in problems] == [(
        ProblemCode.UNWITNESSED_HEAD, "15 entries past size 5, the latest head with 2 valid "
        "cosignatures; the first was logged 13.0 s ago, want at most 9 s")]
    *_, problems = tail_problems(policy, 10, 5, 20, times, NOW + timedelta(seconds=20))
    assert [(p.code, p.detail) for p in problems] == [(
        ProblemCode.MISSING_ANCHOR, "10 entries past the latest anchored size 10; the first "
        "was logged 10.0 s ago, want at most 9 s")]


def test_a_fully_witnessed_log_has_no_tail() -> None:
    log = memory_log(20)
    anchored, witnessed, problems = tail_problems(Policy(4, 2, 9.0), 20, 20, 20,
                                                  _times(log, 20), NOW + timedelta(days=9))
    assert problems == [] and anchored.age is None and witnessed.to_json()["entries"] == 0


@dataclass
class ScriptedChain:
    """Anchored heads that appear on later reads, as a chain would show them."""

    reads: list[list[AnchoredHead]]
    refreshed: int = 0
    now: list[float] = field(default_factory=lambda: [0.0])

    def anchored(self, province: str) -> list[AnchoredHead]:
        return self.reads[min(self.refreshed, len(self.reads) - 1)]

    def refresh(self) -> None:
        self.refreshed += 1

    def sleep(self, seconds: float) -> None:
        self.now[0] += seconds


def _await(chain: ScriptedChain, log: MemoryAudit, served: int, policy: Policy):  # type: ignore[no-untyped-def]
    return await_witnessed(chain, IDENTITY, WITNESS_KEYS, log.checkpoint(served),  # type: ignore[arg-type]
                           policy, served_at=0.0, prove=log.consistency, poll=1.0,
                           clock=lambda: chain.now[0], sleep=chain.sleep)


def test_the_served_head_witnessed_later_passes() -> None:
    log = memory_log(30)
    chain = ScriptedChain([[log.anchored(10, 1, ["SH", "ZJ"])],
                           [log.anchored(10, 1, ["SH", "ZJ"]), log.anchored(30, 2, ["SH"])],
                           [log.anchored(10, 1, ["SH", "ZJ"]), log.anchored(30, 2, ["SH", "AH"])]])
    coverage = _await(chain, log, 25, Policy(4, 2, 9.0))
    assert coverage.problem is None
    assert (coverage.witnessed_size, coverage.witnesses, coverage.waited) == (
        30, ("AH", "SH"), 2.0)


def test_a_served_head_never_witnessed_fails_after_the_tail_age() -> None:
    log = memory_log(30)
    chain = ScriptedChain([[log.anchored(10, 1, ["SH", "ZJ"]), log.anchored(30, 2, ["SH"])]])
    coverage = _await(chain, log, 25, Policy(4, 2, 9.0))
    assert coverage.problem is not None and coverage.problem.code is ProblemCode.UNWITNESSED_HEAD
    assert coverage.problem.detail == (
        "served head at size 25 was not witnessed: no anchored head of that size or larger "
        "had 2 valid cosignatures within 9 s of being served (latest anchored size 30 with 1 "
        "valid cosignatures)")
    assert coverage.waited == 9.0


def test_a_second_head_for_one_size_is_caught_by_the_witnessed_one() -> None:
    """The node served this auditor (25, R1), but its peers witnessed a log in which size
    25 has another root: the node cannot prove the witnessed head extends R1."""
    shown, witnessed = memory_log(30), memory_log(30, start=100)
    chain = ScriptedChain([[witnessed.anchored(30, 2, ["SH", "ZJ"])]])
    coverage = await_witnessed(chain, IDENTITY, WITNESS_KEYS, shown.checkpoint(25),  # type: ignore[arg-type]
                               Policy(4, 2, 9.0), served_at=0.0,
                               prove=witnessed.consistency, clock=lambda: 0.0)
    assert coverage.problem is not None and coverage.problem.code is ProblemCode.FORK
    assert coverage.problem.detail.startswith(
        "served head at size 25 is not the log its witnesses saw: the head at size 30 "
        "cosigned by SH, ZJ does not extend it (")
    same_size = await_witnessed(ScriptedChain([[witnessed.anchored(25, 2, ["SH", "ZJ"])]]),  # type: ignore[arg-type]
                                IDENTITY, WITNESS_KEYS, shown.checkpoint(25), Policy(4, 2, 9.0),
                                served_at=0.0, prove=witnessed.consistency, clock=lambda: 0.0)
    assert same_size.problem is not None and "(another root)" in same_size.problem.detail
