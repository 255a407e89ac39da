"""When the anchor loop seals: full batches under sustained load, at once for a trickle.

An anchor transaction costs about the same gas whatever its batch holds (the chain keeps
one root), so under sustained ingest the loop lets records gather into batches of
``target`` records; a lone record, or the tail of a burst, must not wait for records that
are not coming. The loop feeds every sighting of the unbatched count to :func:`observe`
(after each stored ingest and at each round) and asks :func:`seal_reason` each round.
Seal now when any of (the first that holds is the reason):

1. ``full``: at least ``target`` records wait;
2. ``deadline``: the oldest waiting record was first seen ``max_delay`` seconds ago — the
   bound on how long a record waits for its batch (plus one round);
3. ``quiet``: the log has not grown for twice the inflow's recent gap between growths
   (at least two rounds): the burst is over;
4. ``trickle``: at the inflow seen so far (waiting records over their age, the age taken
   as at least one round) the target would not be reached before the deadline, so
   waiting would only delay them.

Otherwise wait. Everything here is plain data and arithmetic on ``now`` (monotonic
seconds), so the loop's thread and the tests drive it alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["Backlog", "BatchPolicy", "SealReason", "after_seal", "observe", "seal_reason"]

SealReason = Literal["full", "deadline", "quiet", "trickle"]


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """``target`` records per batch under load, no record waiting past ``max_delay``
    seconds, rounds every ``interval`` seconds.

    Preconditions (checked, ``ValueError``): ``target >= 1``, ``interval > 0`` and
    ``max_delay >= interval``.
    """

    target: int
    max_delay: float
    interval: float

    def __post_init__(self) -> None:
        if self.target < 1 or not self.interval > 0 or not self.max_delay >= self.interval:
            raise ValueError(
                f"batch policy: got target {self.target}, max_delay {self.max_delay}, "
                f"interval {self.interval}; want target >= 1, interval > 0 and "
                "max_delay >= interval"
            )


@dataclass(frozen=True, slots=True)
class Backlog:
    """What the loop has seen of the unbatched records.

    ``pending``: how many wait; ``since``: when the oldest of them was first seen (None
    when none wait); ``grew_at``: the last time the count grew; ``gap``: the inflow's
    recent gap between two growths (0 after a pause longer than half the deadline: a new
    burst, whose rhythm is not known yet).
    """

    pending: int = 0
    since: float | None = None
    grew_at: float | None = None
    gap: float = 0.0


def observe(backlog: Backlog, pending: int, now: float, policy: BatchPolicy) -> Backlog:
    """The backlog after seeing ``pending`` unbatched records at ``now``."""
    if pending <= 0:
        return replace(backlog, pending=0, since=None)
    since = now if backlog.since is None else backlog.since
    if pending <= backlog.pending:
        return replace(backlog, pending=pending, since=since)
    gap = 0.0
    if backlog.grew_at is not None and now - backlog.grew_at < policy.max_delay / 2:
        # Halving the previous gap keeps one quick pair of commits (two clients at once)
        # from hiding a stream's usual rhythm, and lets an old rhythm fade.
        gap = max(now - backlog.grew_at, backlog.gap / 2)
    return Backlog(pending=pending, since=since, grew_at=now, gap=gap)


def after_seal(backlog: Backlog, remaining: int, now: float) -> Backlog:
    """The backlog once a seal left ``remaining`` records unbatched (those that came in
    meanwhile: first seen now). The inflow's rhythm is kept: a seal does not end it."""
    if remaining <= 0:
        return replace(backlog, pending=0, since=None)
    return replace(backlog, pending=remaining, since=now)


def seal_reason(policy: BatchPolicy, backlog: Backlog, now: float) -> SealReason | None:
    """Why the waiting records should be sealed now, or None to let them gather."""
    if backlog.pending <= 0 or backlog.since is None:
        return None
    age = max(0.0, now - backlog.since)
    if backlog.pending >= policy.target:
        return "full"
    if age >= policy.max_delay:
        return "deadline"
    grew_at = backlog.since if backlog.grew_at is None else backlog.grew_at
    if now - grew_at >= max(2 * policy.interval, 2 * backlog.gap):
        return "quiet"
    rate = backlog.pending / max(age, policy.interval)
    if backlog.pending + rate * (policy.max_delay - age) < policy.target:
        return "trickle"
    return None
