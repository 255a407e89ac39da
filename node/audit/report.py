"""What the auditor's verifier reports: stable problem codes, each with a readable detail."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

__all__ = ["Problem", "ProblemCode", "Problems", "VerifyReport", "WitnessFault"]

MAX_PER_CODE: Final = 100
"""Problems of one code listed in full; the rest are counted in one summary problem."""


class ProblemCode(StrEnum):
    """Stable codes: scripts and alerts match on them, never on the detail text."""

    ENTRY_MALFORMED = "ENTRY_MALFORMED"  # entry bytes are not an audit event
    MISSING_ENTRY = "MISSING_ENTRY"  # an index gap, or fewer entries than a head's size
    ENTRY_OUT_OF_ORDER = "ENTRY_OUT_OF_ORDER"  # an index repeated or going backwards
    ENTRY_MISMATCH = "ENTRY_MISMATCH"  # this entry is not the leaf the anchored head holds
    ROOT_MISMATCH = "ROOT_MISMATCH"  # entries do not hash to a signed head's root
    HEAD_SIGNATURE_INVALID = "HEAD_SIGNATURE_INVALID"  # not signed by the node's key
    HEAD_MALFORMED = "HEAD_MALFORMED"  # a served note that does not parse or is another log's
    INCONSISTENT_HEADS = "INCONSISTENT_HEADS"  # a later anchored head does not extend an earlier
    FORK = "FORK"  # two signed heads of this log that cannot both be true
    STALE_HEAD = "STALE_HEAD"  # the node serves a head older than its latest anchor
    WITNESS_SIGNATURE_INVALID = "WITNESS_SIGNATURE_INVALID"
    WITNESS_NOT_MEMBER = "WITNESS_NOT_MEMBER"  # the node itself, or no known member key
    UNWITNESSED_HEAD = "UNWITNESSED_HEAD"  # fewer valid cosignatures than required
    MISSING_ANCHOR = "MISSING_ANCHOR"  # entries without any anchor, or too many unanchored
    ONE_SIDED_EXCHANGE = "ONE_SIDED_EXCHANGE"  # an exchange logged by one end only
    EXCHANGE_MISMATCH = "EXCHANGE_MISMATCH"  # both ends logged it, with other records


@dataclass(frozen=True, slots=True)
class Problem:
    code: ProblemCode
    detail: str


@dataclass(slots=True)
class Problems:
    """Collects problems, keeping at most ``MAX_PER_CODE`` of each code in full."""

    items: list[Problem] = field(default_factory=list)
    counts: Counter[ProblemCode] = field(default_factory=Counter)

    def add(self, code: ProblemCode, detail: str) -> None:
        self.counts[code] += 1
        if self.counts[code] <= MAX_PER_CODE:
            self.items.append(Problem(code, detail))

    def has(self, code: ProblemCode) -> bool:
        return self.counts[code] > 0

    def finish(self) -> tuple[Problem, ...]:
        extra = [Problem(code, f"{count - MAX_PER_CODE} more problems of this code not listed")
                 for code, count in sorted(self.counts.items()) if count > MAX_PER_CODE]
        return (*self.items, *extra)


@dataclass(frozen=True, slots=True)
class WitnessFault:
    """A cosignature on the chain that proves nothing, held against the ``witness`` province
    that posted it: the log it names is not at fault (its head is judged on the other
    cosignatures). Codes: ``WITNESS_SIGNATURE_INVALID``, ``WITNESS_NOT_MEMBER``."""

    witness: str
    size: int
    code: ProblemCode
    detail: str

    def to_json(self) -> dict[str, object]:
        return {"witness": self.witness, "size": self.size, "code": self.code.value,
                "detail": self.detail}


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The verdict on one node's audit log. ``ok`` is true exactly when ``problems`` is empty.

    ``witnessed`` is each anchored head's size and the member provinces whose cosignature on
    it verified; ``witness_faults`` are the cosignatures that did not (not the log's fault).
    """

    ok: bool
    checked_entries: int
    anchored_heads: int
    latest_anchored_size: int
    problems: tuple[Problem, ...]
    witnessed: tuple[tuple[int, frozenset[str]], ...] = ()
    witness_faults: tuple[WitnessFault, ...] = ()

    def codes(self) -> set[ProblemCode]:
        return {problem.code for problem in self.problems}
