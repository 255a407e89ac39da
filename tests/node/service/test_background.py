"""BackgroundLoop: the one thread skeleton behind the anchor, audit and pull loops."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest

from node.service.background import BackgroundLoop, Backoff, Failed, Idle

log = logging.getLogger("test.background")


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def warn(exc: Exception) -> Failed:
    return Failed("step failed", Backoff(0.01, 0.05))


def test_runs_steps_until_stopped() -> None:
    calls: list[float] = []

    def step() -> float:
        calls.append(time.monotonic())
        return 0.0

    loop = BackgroundLoop(step, warn, name="t-steps", logger=log)
    loop.start()
    wait_for(lambda: len(calls) >= 3)
    loop.stop(timeout=30.0)
    assert not loop._thread.is_alive()  # joined: no step can run after this


def test_wake_runs_the_next_step_before_the_wait_ends() -> None:
    calls = threading.Semaphore(0)
    # An hour's wait: only the wake can bring the second step within the test's patience.
    loop = BackgroundLoop(lambda: calls.release() or 3600.0, warn, name="t-wake", logger=log)
    loop.start()
    assert calls.acquire(timeout=30.0)
    loop.wake()
    assert calls.acquire(timeout=30.0)
    loop.stop(timeout=30.0)


def test_stop_interrupts_a_long_wait() -> None:
    ran = threading.Event()
    loop = BackgroundLoop(lambda: ran.set() or 3600.0, warn, name="t-stop", logger=log)
    loop.start()
    assert ran.wait(30.0)
    loop.stop(timeout=30.0)
    assert not loop._thread.is_alive()  # the hour's wait was cut short


def test_first_wait_delays_the_first_step() -> None:
    ran = threading.Event()
    loop = BackgroundLoop(lambda: ran.set() or 60.0, warn, name="t-first", logger=log,
                          first_wait=60.0)
    loop.start()
    assert not ran.wait(0.1)
    loop.stop(timeout=2.0)
    assert not ran.is_set()


def test_stop_before_start_is_harmless() -> None:
    BackgroundLoop(lambda: 1.0, warn, name="t-unstarted", logger=log).stop(timeout=0.1)


def test_a_failing_step_is_logged_by_type_and_the_thread_survives(
        caplog: pytest.LogCaptureFixture) -> None:
    outcomes = iter([ValueError("citizen 110101199001011234 owes"), None])
    done = threading.Event()

    def step() -> float:
        exc = next(outcomes, None)
        if exc is not None:
            raise exc
        done.set()
        return 60.0

    loop = BackgroundLoop(step, lambda exc: Failed("step failed", Backoff(0.01, 0.05),
                                                   {"peer": "sh"}),
                          name="t-fail", logger=log)
    with caplog.at_level(logging.WARNING, logger=log.name):
        loop.start()
        assert done.wait(2.0)
        loop.stop(timeout=2.0)
    [failure] = [r for r in caplog.records if r.message == "step failed"]
    assert failure.levelno == logging.WARNING and failure.name == log.name
    assert (failure.__dict__["error_type"], failure.__dict__["peer"],
            failure.__dict__["failures"]) == ("ValueError", "sh", 1)
    assert failure.exc_info is None
    assert "110101199001011234" not in caplog.text
    assert loop.failures == 0  # reset by the step that succeeded


def test_failures_back_off_exponentially_up_to_the_cap() -> None:
    delays: list[float] = []
    stop = threading.Event()

    def step() -> float:
        raise RuntimeError("down")

    loop = BackgroundLoop(step, warn, name="t-backoff", logger=log)

    def record(delay: float) -> None:  # the waits asked for, without waiting them out
        delays.append(delay)
        if len(delays) >= 5:
            stop.set()
            loop.signal_stop()

    loop._pause = record  # type: ignore[method-assign]
    loop.start()
    assert stop.wait(2.0)
    loop.stop(timeout=2.0)
    assert delays[:5] == [0.0, 0.02, 0.04, 0.05, 0.05]  # first_wait, then 0.01 * 2**n
    assert loop.failures >= 4


def test_an_uncounted_failure_keeps_the_count() -> None:
    failures: list[int] = []
    script: list[Exception] = [RuntimeError("a"), KeyError("conflict"), RuntimeError("b")]

    def step() -> float:
        if script:
            raise script.pop(0)
        return 60.0

    def failed(exc: Exception) -> Failed:
        failures.append(loop.failures)
        return Failed("f", Backoff(0.001, 0.001), counted=not isinstance(exc, KeyError),
                      traceback=isinstance(exc, KeyError), level=logging.ERROR)

    loop = BackgroundLoop(step, failed, name="t-uncounted", logger=log)
    loop.start()
    wait_for(lambda: not script and len(failures) == 3)
    loop.stop(timeout=2.0)
    assert failures == [0, 1, 1]  # the count before each failure: the KeyError did not add


def test_backoff_bounds_the_exponent() -> None:
    assert Backoff(1.0, 30.0).delay(10_000) == 30.0
    assert Backoff(2.0, 30.0).delay(1) == 4.0


def test_idle_rounds_double_the_wait_up_to_the_cap_and_work_resets_it() -> None:
    # The policy itself, step by step (no thread): waits are read, never timed.
    loop = BackgroundLoop(lambda: 0.0, warn, name="t-idle", logger=log, idle_cap=2.0)
    waits = [loop._idle(Idle(0.25)) for _ in range(6)]
    assert waits == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert loop.idle_rounds == 6
    assert loop._idle(0.25) == 0.25 and loop.idle_rounds == 0  # a round that did work
    assert loop._idle(Idle(0.25)) == 0.25


def test_a_wait_longer_than_the_cap_is_kept_and_a_wake_drops_the_back_off() -> None:
    loop = BackgroundLoop(lambda: 0.0, warn, name="t-idle-cap", logger=log, idle_cap=2.0)
    assert [loop._idle(Idle(60.0)) for _ in range(3)] == [60.0, 60.0, 60.0]
    for _ in range(4):
        loop._idle(Idle(1.0))
    loop.wake()
    assert loop.idle_rounds == 0 and loop._idle(Idle(1.0)) == 1.0


def test_an_idling_thread_still_answers_a_wake_at_once() -> None:
    calls = threading.Semaphore(0)
    # Idle rounds grow towards an hour: only the wake brings the next step in time.
    loop = BackgroundLoop(lambda: calls.release() or Idle(3600.0), warn, name="t-idle-wake",
                          logger=log, idle_cap=7200.0)
    loop.start()
    assert calls.acquire(timeout=30.0)
    loop.wake()
    assert calls.acquire(timeout=30.0)
    loop.stop(timeout=30.0)
