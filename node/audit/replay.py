"""Step (3) of verification: rebuild the tree from the entries and compare at signed sizes.

The entries stream once through a ``CompactRange`` (SHA-256 from hashlib, no node kept),
so a million entries need only the peaks in memory. At each *target* size — an anchored
head, or a head the node served — the recomputed root is compared with the signed one. A
difference is a ``ROOT_MISMATCH``; when the caller can fetch inclusion proofs from the
node, the entries since the previous target are checked one by one against the signed
root, and each that is not the signed leaf is an ``ENTRY_MISMATCH`` (an edited or swapped
entry). A proof verified against a signed root is sound whatever the node sends, so this
localisation trusts nothing the node says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha256

from crypto.merkle import EMPTY_ROOT, CompactRange, verify_inclusion
from node.audit.errors import AuditEventError
from node.audit.events import decode_entry
from node.audit.exchanges import ExchangeSide, exchange_side
from node.audit.report import ProblemCode, Problems

__all__ = ["Prover", "Replay", "Target", "replay_entries"]

Prover = Callable[[int, int], Sequence[bytes]]
"""``prove(index, size)``: the node's inclusion proof of leaf ``index`` at ``size``."""


@dataclass(frozen=True, slots=True)
class Target:
    """A signed root to meet at ``size``; ``what`` names it in problem details."""

    size: int
    root: bytes
    what: str


@dataclass(slots=True)
class Replay:
    """What the replay saw: entries consumed, exchange entries, the first bad size."""

    count: int = 0
    exchanges: list[ExchangeSide] = field(default_factory=list)
    first_mismatch: int | None = None


@dataclass(slots=True)
class _Localizer:
    prove: Prover | None
    budget: int
    kept: list[tuple[int, bytes]] = field(default_factory=list)
    overflow: bool = False

    def keep(self, index: int, leaf: bytes) -> None:
        if self.prove is None or self.overflow:
            return
        if len(self.kept) >= self.budget:
            self.overflow, self.kept = True, []
            return
        self.kept.append((index, leaf))

    def reset(self) -> None:
        self.kept, self.overflow = [], False

    def localize(self, target: Target, problems: Problems) -> str:
        """Check the kept entries against the target's root; say what was found."""
        if self.prove is None:
            return "no inclusion proofs were available to locate the entries"
        if self.overflow or len(self.kept) > self.budget:
            return "too many entries since the previous signed size to locate them"
        bad = 0
        for index, leaf in self.kept:
            if index >= target.size:
                continue
            self.budget -= 1
            try:
                verify_inclusion(index, target.size, leaf, self.prove(index, target.size),
                                 target.root)
            except Exception as exc:  # the prover is the audited node: any failure counts
                bad += 1
                problems.add(ProblemCode.ENTRY_MISMATCH,
                             f"entry {index} is not the leaf {target.what} holds at that "
                             f"index ({type(exc).__name__})")
        return f"{bad} of the {len(self.kept)} entries since the previous signed size differ"


def replay_entries(
    entries: Iterable[tuple[int, bytes]],
    targets: Mapping[int, Target],
    province: str,
    problems: Problems,
    *,
    prove: Prover | None = None,
    localize_budget: int = 4096,
    strict: bool = False,
) -> Replay:
    """Hash ``entries`` (``(index, bytes)`` in index order) and check every target.

    Records ``MISSING_ENTRY`` / ``ENTRY_OUT_OF_ORDER`` for index gaps and repeats,
    ``ENTRY_MALFORMED`` for bytes that are no audit event (``strict``: not canonical v1
    either), ``ROOT_MISMATCH`` / ``ENTRY_MISMATCH`` at targets, and ``MISSING_ENTRY`` for
    targets beyond the last entry. At most ``localize_budget`` proofs are fetched.
    """
    result = Replay()
    compact = CompactRange()
    append = compact.append
    localizer = _Localizer(prove, localize_budget)
    pending = sorted(targets)
    if pending and pending[0] == 0:
        _meet(targets[0], EMPTY_ROOT, localizer, result, problems)
        pending.pop(0)
    pending.reverse()
    next_size = pending.pop() if pending else -1
    expected = 0
    for index, data in entries:
        if index != expected:
            _gap(index, expected, problems)
            expected = max(expected, index)
        expected += 1
        leaf = sha256(b"\x00" + data).digest()
        size = append(leaf) + 1
        localizer.keep(index, leaf)
        _inspect(province, index, data, result, problems, strict)
        if size == next_size:
            _meet(targets[size], compact.root(), localizer, result, problems)
            next_size = pending.pop() if pending else -1
    result.count = compact.size
    for size in ([next_size] if next_size >= 0 else []) + pending[::-1]:
        problems.add(ProblemCode.MISSING_ENTRY,
                     f"{targets[size].what} has size {size} but the log served only "
                     f"{result.count} entries")
    return result


def _gap(index: int, expected: int, problems: Problems) -> None:
    if index > expected:
        count = index - expected
        problems.add(ProblemCode.MISSING_ENTRY,
                     f"entries {expected}..{index - 1} are missing ({count} "
                     f"entr{'y' if count == 1 else 'ies'}): deleted or withheld")
    else:
        problems.add(ProblemCode.ENTRY_OUT_OF_ORDER,
                     f"entry {index} arrived after entry {expected - 1}: repeated or reordered")


def _inspect(province: str, index: int, data: bytes, result: Replay, problems: Problems,
             strict: bool) -> None:
    try:
        if strict:
            decode_entry(data)
        side = exchange_side(province, index, data)
    except AuditEventError as exc:
        problems.add(ProblemCode.ENTRY_MALFORMED, f"entry {index}: {exc}")
        return
    if side is not None:
        result.exchanges.append(side)


def _meet(target: Target, root: bytes, localizer: _Localizer, result: Replay,
          problems: Problems) -> None:
    if root != target.root:
        found = localizer.localize(target, problems)
        after = ("" if result.first_mismatch is None
                 else f"; entries already differed at size {result.first_mismatch}")
        problems.add(ProblemCode.ROOT_MISMATCH,
                     f"entries hash to root {root.hex()} at size {target.size}, but "
                     f"{target.what} has root {target.root.hex()}: {found}{after}")
        if result.first_mismatch is None:
            result.first_mismatch = target.size
    localizer.reset()
