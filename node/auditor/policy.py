"""The auditor's freshness policy: how many witnesses a head needs, how old a tail may be.

Without it a node could stop anchoring, or keep its newest entries out of every witnessed
head, and still verify: everything past the last witnessed head is then only its own
word, and it can show each auditor another version of it. Defaults:

* **quorum**: ``⌈2n/3⌉−1`` distinct other members co-sign a head (n = active members on
  the chain): with the log's own signature, two thirds of the consortium vouch for it;
* **tail age**: entries past the latest anchored head, and past the latest head with a
  quorum, were logged at most ``3 × checkpoint interval`` ago (each entry's logged time).

The entries' times are the node's word; what the chain proves is checked by
``node.auditor.witnessed`` (the served head must itself be witnessed within that age).
Usage::

    policy = Policy.of(len(chain.member_keys()), min_witnesses=None, checkpoint_interval=60)
    times = EntryTimes({anchored_size, witnessed_size})
    verify_log(times.watch(entries), ...)
    tails = tail_problems(policy, report, witnessed_size, times, now)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from node.audit import Problem, ProblemCode

__all__ = ["TAIL_INTERVALS", "EntryTimes", "Policy", "Tail", "quorum", "tail_problems"]

TAIL_INTERVALS: Final = 3
"""Checkpoint intervals an unwitnessed tail may last: one to anchor, one to witness, one
spare for a slow round."""


def quorum(members: int) -> int:
    """``⌈2n/3⌉−1`` witnesses for ``members`` active members (never below 0)."""
    return max(0, -(-2 * members // 3) - 1)


@dataclass(frozen=True)
class Policy:
    """What the auditor demands of the latest heads."""

    members: int
    min_witnesses: int
    max_tail_age: float
    """Seconds."""

    @classmethod
    def of(cls, members: int, *, min_witnesses: int | None, checkpoint_interval: float,
           max_tail_age: float | None = None) -> Policy:
        """The policy for ``members`` active members; ``None`` / unset take the defaults.
        Raises ``ValueError`` naming the option for a negative or zero value."""
        if min_witnesses is not None and min_witnesses < 0:
            raise ValueError(f"min_witnesses: must be >= 0, got {min_witnesses}")
        if checkpoint_interval <= 0:
            raise ValueError(f"checkpoint_interval: must be > 0 s, got {checkpoint_interval}")
        if max_tail_age is not None and max_tail_age <= 0:
            raise ValueError(f"max_tail_age: must be > 0 s, got {max_tail_age}")
        return cls(members, quorum(members) if min_witnesses is None else min_witnesses,
                   TAIL_INTERVALS * checkpoint_interval if max_tail_age is None
                   else max_tail_age)


@dataclass
class EntryTimes:
    """Keeps the logged time of the entries at ``wanted`` indices from a passing stream."""

    wanted: set[int]
    times: dict[int, datetime] = field(default_factory=dict)

    def watch(self, entries: Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
        """Yield ``entries`` unchanged; a malformed time is the verifier's to report."""
        for index, data in entries:
            if index in self.wanted:
                try:
                    text = json.loads(data)["time"]
                    self.times[index] = datetime.strptime(
                        text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
                except (ValueError, TypeError, KeyError):
                    pass
            yield index, data


@dataclass(frozen=True)
class Tail:
    """The entries past a head: from ``start`` to ``end``, the first logged ``age`` s ago."""

    start: int
    end: int
    age: float | None

    def to_json(self) -> dict[str, Any]:
        return {"after_size": self.start, "entries": max(0, self.end - self.start),
                "oldest_age_seconds": None if self.age is None else round(self.age, 3)}


def _tail(start: int, end: int, times: EntryTimes, now: datetime) -> Tail:
    when = times.times.get(start) if end > start else None
    return Tail(start, end, None if when is None else (now - when).total_seconds())


def tail_problems(policy: Policy, anchored: int, witnessed: int, end: int, times: EntryTimes,
                  now: datetime) -> tuple[Tail, Tail, list[Problem]]:
    """The unanchored and unwitnessed tails of a log of ``end`` entries, and a problem for
    each that is older than the policy allows."""
    unanchored = _tail(anchored, end, times, now)
    unwitnessed = _tail(witnessed, end, times, now)
    problems = []
    limit = policy.max_tail_age
    if unanchored.age is not None and unanchored.age > limit:
        problems.append(Problem(ProblemCode.MISSING_ANCHOR, (
            f"{end - anchored} entries past the latest anchored size {anchored}; the first "
            f"was logged {unanchored.age:.1f} s ago, want at most {limit:g} s")))
    elif unwitnessed.age is not None and unwitnessed.age > limit:
        problems.append(Problem(ProblemCode.UNWITNESSED_HEAD, (
            f"{end - witnessed} entries past size {witnessed}, the latest head with "
            f"{policy.min_witnesses} valid cosignatures; the first was logged "
            f"{unwitnessed.age:.1f} s ago, want at most {limit:g} s")))
    return unanchored, unwitnessed, problems
