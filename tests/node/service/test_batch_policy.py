"""The batch policy: full batches under sustained load, a trickle or a burst's tail sealed
promptly, no record held past the deadline — driven on a simulated clock."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from node.service.anchoring_loop import MAX_DELAY, TARGET_RECORDS
from node.service.batch_policy import Backlog, BatchPolicy, after_seal, observe, seal_reason

POLICY = BatchPolicy(target=10_000, max_delay=15.0, interval=1.0)


@dataclass
class Run:
    batches: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    longest_wait: float = 0.0


def simulate(arrivals: list[tuple[float, int]], until: float,
             policy: BatchPolicy = POLICY) -> Run:
    """Commits of ``count`` records at ``time`` (each notified, as ingest does) and loop
    rounds every ``policy.interval`` seconds; the batches sealed and the longest a record
    waited between its commit and its seal."""
    events = sorted([(t, "commit", n) for t, n in arrivals]
                    + [(k * policy.interval, "round", 0)
                       for k in range(int(until / policy.interval) + 1)])
    run, backlog = Run(), Backlog()
    waiting: list[float] = []  # commit time of each waiting record (grouped below)
    counts: list[int] = []
    for now, kind, count in events:
        if kind == "commit":
            waiting.append(now)
            counts.append(count)
            backlog = observe(backlog, sum(counts), now, policy)
            continue
        backlog = observe(backlog, sum(counts), now, policy)
        reason = seal_reason(policy, backlog, now)
        if reason is None:
            continue
        run.batches.append(sum(counts))
        run.reasons.append(reason)
        run.longest_wait = max(run.longest_wait, *(now - t for t in waiting))
        waiting, counts = [], []
        backlog = after_seal(backlog, 0, now)
    assert not counts, f"{sum(counts)} records still waiting at the end of the simulation"
    return run


def test_sustained_load_fills_batches_of_the_target() -> None:
    # 1,200 records/s in chunks of 2,000 every 1.67 s (the bench's gRPC stream), 100 s.
    chunks = [(round(i * 2000 / 1200, 2) + 0.3, 2000) for i in range(60)]
    run = simulate(chunks, until=130)
    assert sum(run.batches) == 120_000
    assert all(size >= 10_000 for size in run.batches[:-1]), run.batches
    assert run.reasons[:-1] == ["full"] * (len(run.batches) - 1)
    assert run.longest_wait <= POLICY.max_delay + POLICY.interval


def test_slow_chunks_still_fill_batches() -> None:
    # A loaded machine: 2,000-record chunks 2.5 s apart (800/s), longer than two rounds.
    run = simulate([(0.5 + i * 2.5, 2000) for i in range(41)], until=120)
    assert all(size >= 10_000 for size in run.batches[:-1]), run.batches
    assert run.batches[-1] == 2000 and run.longest_wait <= POLICY.max_delay + POLICY.interval


def test_a_trickle_is_sealed_in_the_round_that_sees_it() -> None:
    run = simulate([(0.5 + 7 * i, 1) for i in range(5)], until=40)
    assert run.batches == [1] * 5
    assert set(run.reasons) == {"trickle"}
    assert run.longest_wait <= POLICY.interval


def test_a_burst_that_stops_is_sealed_two_rounds_later() -> None:
    run = simulate([(0.5, 2000), (0.6, 2000), (0.7, 1000)], until=20)
    assert run.batches == [5000] and run.reasons == ["quiet"]
    assert run.longest_wait <= 2 * POLICY.interval + POLICY.interval


def test_inflow_too_slow_to_fill_a_batch_in_time_is_not_held() -> None:
    # 500 records/s: 7,500 by the deadline, short of 10,000: every round seals.
    run = simulate([(0.5 + 0.2 * i, 100) for i in range(100)], until=25)
    assert max(run.batches) <= 1000 and set(run.reasons) == {"trickle"}


def test_no_record_waits_past_the_deadline() -> None:
    waited = Backlog(pending=9_500, since=0.0, grew_at=13.5, gap=1.0)
    assert seal_reason(POLICY, waited, 14.0) is None
    assert seal_reason(POLICY, waited, 15.0) == "deadline"


def test_a_pause_longer_than_half_the_deadline_forgets_the_rhythm() -> None:
    backlog = observe(Backlog(), 2000, 0.0, POLICY)
    backlog = observe(backlog, 4000, 3.0, POLICY)
    assert backlog.gap == 3.0 and backlog.since == 0.0
    backlog = observe(after_seal(backlog, 0, 4.0), 2000, 20.0, POLICY)
    assert backlog.gap == 0.0 and backlog.since == 20.0 and backlog.grew_at == 20.0


def test_nothing_waiting_gives_no_reason() -> None:
    assert seal_reason(POLICY, Backlog(), 100.0) is None
    assert observe(Backlog(pending=5, since=1.0, grew_at=1.0), 0, 2.0, POLICY).since is None


@pytest.mark.parametrize(("target", "max_delay", "interval"),
                         [(0, 15.0, 1.0), (10, 15.0, 0.0), (10, 0.5, 1.0)])
def test_policy_refuses_bad_settings(target: int, max_delay: float, interval: float) -> None:
    with pytest.raises(ValueError, match=f"got target {target}, max_delay {max_delay}, "
                                         f"interval {interval}; want target >= 1"):
        BatchPolicy(target=target, max_delay=max_delay, interval=interval)


def test_the_default_policy_fills_batches_at_a_loaded_machines_rate() -> None:
    # The node's defaults, and 2,000-record chunks every 5 s (400/s: a 2-core machine
    # shared by other work), for 200 s.
    policy = BatchPolicy(target=TARGET_RECORDS, max_delay=MAX_DELAY, interval=1.0)
    run = simulate([(0.5 + 5 * i, 2000) for i in range(41)], until=260, policy=policy)
    # The first chunk goes alone: its stream's 5 s rhythm is not known yet, and two quiet
    # rounds look like the end of a burst.
    assert run.batches[0] == 2000 and run.reasons[0] == "quiet"
    assert all(size >= 10_000 for size in run.batches[1:-1]), run.batches
    assert run.longest_wait <= MAX_DELAY + 1.0
