"""GroupCommit: items queued while a write runs go together in the next one; each caller
gets its own result, or the error of the write that held its item."""

from __future__ import annotations

import threading
import time

import pytest

from node.store.group_commit import GroupCommit

WAIT_S = 10.0  # bounds the test's waits; never a measured time


def _queued(group: GroupCommit[int, int], count: int) -> None:
    """Wait (bounded) until ``count`` items wait behind the running write."""
    deadline = time.monotonic() + WAIT_S
    while len(group._queue) < count:  # the test watches the queue fill
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} items never queued")
        time.sleep(0.005)


def test_a_lone_caller_writes_at_once() -> None:
    batches: list[list[int]] = []
    group: GroupCommit[int, int] = GroupCommit(lambda items: batches.append(items) or
                                               [i * 10 for i in items])
    assert group.submit(1) == 10
    assert group.submit(2) == 20
    assert batches == [[1], [2]]


def test_items_queued_during_a_write_share_the_next_one() -> None:
    release = threading.Event()
    batches: list[list[int]] = []

    def flush(items: list[int]) -> list[int]:
        batches.append(list(items))
        if len(batches) == 1:
            assert release.wait(WAIT_S)
        return [i * 10 for i in items]

    group: GroupCommit[int, int] = GroupCommit(flush)
    results: dict[int, int] = {}

    def call(i: int) -> None:
        results[i] = group.submit(i)

    first = threading.Thread(target=call, args=(0,))
    first.start()
    deadline = time.monotonic() + WAIT_S
    while not batches:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    others = [threading.Thread(target=call, args=(i,)) for i in range(1, 6)]
    for t in others:
        t.start()
    _queued(group, 5)
    release.set()
    for t in [first, *others]:
        t.join(WAIT_S)
    assert results == {i: i * 10 for i in range(6)}
    assert batches[0] == [0]
    assert sorted(batches[1]) == [1, 2, 3, 4, 5] and len(batches) == 2
    assert group.batches == 2


def test_a_failed_write_fails_each_of_its_callers_and_the_next_write_runs() -> None:
    fail = [True]

    def flush(items: list[int]) -> list[int]:
        if fail[0]:
            raise OSError("disk gone")
        return items

    group: GroupCommit[int, int] = GroupCommit(flush)
    with pytest.raises(OSError, match="disk gone"):
        group.submit(1)
    fail[0] = False
    assert group.submit(2) == 2


def test_a_flush_returning_the_wrong_count_is_an_error_to_its_callers() -> None:
    group: GroupCommit[int, int] = GroupCommit(lambda items: [])
    with pytest.raises(ValueError, match="0 results for 1 items"):
        group.submit(1)


def test_max_batch_bounds_a_write_and_always_holds_the_leader() -> None:
    with pytest.raises(ValueError):
        GroupCommit(lambda items: items, max_batch=0)
    seen: list[int] = []
    group: GroupCommit[int, int] = GroupCommit(lambda items: seen.extend(items) or items,
                                               max_batch=1)
    threads = [threading.Thread(target=group.submit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT_S)
    assert sorted(seen) == list(range(8)) and group.batches == 8
