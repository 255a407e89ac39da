"""The one skeleton of the node's background threads: step, wait, back off, stop.

The anchor loop, the audit checkpoint and witness loops and the exchange pullers each
repeat one unit of work on a daemon thread. They differ only in that unit of work and in
how a failure is reported, so the thread, the stop and wake events, the back-off and the
failure log live here once and cannot drift apart.

A step returns how long to wait before the next one (0: at once). A step that found
nothing to do returns :class:`Idle` instead of a plain number: after each consecutive idle
round the loop doubles that wait, up to the loop's ``idle_cap`` (an idle node should
idle, not poll every second); a round that did work, or :meth:`BackgroundLoop.wake`,
starts again from the step's own wait. A step that raises
never ends the thread: the loop asks its ``failed`` callback how to report and wait out
that exception (:class:`Failed`), logs it by exception *type* only — a message may quote
a record — and waits with exponential back-off.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["IDLE_CAP", "RETRY_CAP", "BackgroundLoop", "Backoff", "Failed", "Idle"]

MAX_DOUBLINGS: Final = 16
"""Beyond this many doublings every back-off has long reached its cap; bounding the
exponent keeps ``2.0 ** n`` from overflowing on a thread that fails for days."""


IDLE_CAP: Final = 2.0
"""Seconds: the longest wait idle rounds grow to by default (a loop whose own wait is
longer keeps its own). Two seconds keep a record submitted at one province reaching its
peers' pullers within the 3 s the exchange promises, while cutting idle rounds in half
or more. Loops woken by an event whenever work arrives (nudged pullers, the anchor
loop that ingest wakes) pass a longer ``idle_cap`` (``node.exchange.nudge``)."""


RETRY_CAP: Final = 5.0
"""Seconds: the longest a loop waits before trying again a ledger or a peer it could not
reach. The back-off grows to it within a few failures, so a dependency that stays down
costs one attempt per loop every 5 s, and one that comes back after an outage of any
length is used again within 5 s (gRPC's reconnect back-off to a peer is capped at 5 s
too, ``node.grpc.client``). A 30 s cap left exchange and anchoring idle for up to 30 s
after a 30 s outage had ended."""


class Idle(float):
    """A step's wait that says the round found nothing to do (see the module's doc)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Backoff:
    """``base * 2**failures`` seconds, at most ``cap``."""

    base: float
    cap: float

    def delay(self, failures: int) -> float:
        return float(min(self.cap, self.base * 2.0 ** min(failures, MAX_DOUBLINGS)))


@dataclass(frozen=True, slots=True)
class Failed:
    """How one failed step is logged and waited out.

    ``counted=False`` marks a known condition that should neither grow nor reset the
    back-off (the failure count is left as it was); ``traceback`` asks for the stack in
    the log, for conditions an operator must investigate.
    """

    event: str
    backoff: Backoff
    fields: Mapping[str, object] = field(default_factory=dict)
    level: int = logging.WARNING
    counted: bool = True
    traceback: bool = False


class BackgroundLoop:
    """Calls ``step`` on a daemon thread named ``name`` until :meth:`stop`.

    ``first_wait`` delays the first step (a loop that must not act at start-up);
    ``logger`` is the owning module's, so each loop's events keep their logger name;
    ``idle_cap`` bounds the wait consecutive :class:`Idle` rounds grow to.
    """

    def __init__(self, step: Callable[[], float], failed: Callable[[Exception], Failed], *,
                 name: str, logger: logging.Logger, first_wait: float = 0.0,
                 idle_cap: float = IDLE_CAP) -> None:
        self._step = step
        self._failed = failed
        self._log = logger
        self._first_wait = first_wait
        self._idle_cap = idle_cap
        self.idle_rounds = 0
        """Consecutive rounds that found nothing to do (0 after work or a wake)."""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.failures = 0
        """Consecutive failed steps (0 after a step that succeeds)."""

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Run the next step now instead of at the end of the current wait, and drop the
        idle back-off (whoever wakes a loop expects work)."""
        self.idle_rounds = 0
        self._wake.set()

    def signal_stop(self) -> None:
        """Ask the thread to end after its current step, without waiting for it."""
        self._stop.set()
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the current step and end the thread (waiting up to ``timeout`` s)."""
        self.signal_stop()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _pause(self, delay: float) -> None:
        if delay > 0:
            self._wake.wait(delay)
            self._wake.clear()

    def _run(self) -> None:
        self._pause(self._first_wait)
        while not self._stop.is_set():
            try:
                delay = self._idle(self._step())
                self.failures = 0
            except Exception as exc:  # the thread must outlive any one failure
                delay = self._report(exc)
            self._pause(delay)

    def _idle(self, delay: float) -> float:
        """The wait after a step that asked for ``delay``: doubled per consecutive idle
        round (``Idle``), never beyond ``max(delay, idle_cap)``."""
        if not isinstance(delay, Idle):
            self.idle_rounds = 0
            return delay
        grown = delay * 2.0 ** min(self.idle_rounds, MAX_DOUBLINGS)
        self.idle_rounds += 1
        return float(min(max(delay, self._idle_cap), grown))

    def _report(self, exc: Exception) -> float:
        failed = self._failed(exc)
        if failed.counted:
            self.failures += 1
        delay = failed.backoff.delay(self.failures)
        self._log.log(failed.level, failed.event, exc_info=exc if failed.traceback else None,
                      extra={**failed.fields, "error_type": type(exc).__name__,
                             "retry_in_s": delay, "failures": self.failures})
        return delay
