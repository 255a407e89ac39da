"""The batching/anchoring thread: seal the log's growth, anchor it, retry on failure.

Every ``interval`` seconds — or at once when ``target_records`` leaves wait — the loop asks
the batch policy (``batch_policy``) whether to seal: under sustained load it lets records
gather into batches of ``target_records`` (an anchor costs the same gas for 10 or 50,000
records), a trickle or the tail of a burst is sealed at once, and no record waits past
``max_delay`` seconds. When it seals, the loop seals the unbatched growth into batches of
at most ``max_records`` leaves; each round it anchors every pending batch
(``batch_anchoring.anchor_pending``: crash-safe, never twice). A ledger failure
does not stop ingest: the loop logs it, waits with exponential backoff (capped at
``RETRY_CAP`` seconds, so the backlog is anchored within seconds of the ledger's return)
and tries again; a conflicting root on the ledger is looked at again every
``CONFLICT_RECHECK`` seconds. Without an adopted catalog version nothing is
sealed (a batch header must name one) and a warning says why. Each batch names the
version its records were committed under (``version_sealing``), so a batch sealed just after
an upgrade does not relabel records recognized under the previous version.

With several processes of one node over one PostgreSQL database (DESIGN.md §10) only the
one holding ``leader`` (``node.store.leader``: an advisory lock) seals and anchors; the
others skip their rounds until the leader's database session ends (stop, crash, SIGKILL),
then one of them takes over at its next round. Without a leader (SQLite) it always runs.

A round that anchored calls ``on_anchored`` (the node nudges its peers to pull now:
``node.exchange.nudge``). An idle loop's wait grows up to ``idle_cap``; ingest in this
process wakes it (:meth:`AnchorLoop.notify`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Final

import nacl.signing

from node.service.background import IDLE_CAP, RETRY_CAP, BackgroundLoop, Backoff, Failed, Idle
from node.service.batch_anchoring import AnchorConflict, AnchorLedger, anchor_pending
from node.service.batch_policy import Backlog, BatchPolicy, after_seal, observe, seal_reason
from node.service.metrics import NodeMetrics
from node.service.status import read_backlog
from node.service.version_sealing import seal_by_version
from node.store.contract import Store
from node.store.leader import Leader
from node.store.rows import RECORDS_LOG

log = logging.getLogger(__name__)
CONFLICT_RECHECK: Final = 30.0
TARGET_RECORDS: Final = 10_000
"""Records per batch the loop waits for under sustained load (``[batch] target_records``)."""
MAX_DELAY: Final = 30.0
"""Seconds a record may wait for its batch at most (``[batch] max_delay_seconds``). With 30 s
an inflow of 334 records/s or more fills batches of 10,000 (15 s needed 667/s: more than a
loaded 2-core machine ingests); under such load peers see a record up to 30 s later, while
a lone record is anchored in the round that sees it."""


class AnchorLoop:
    """A daemon thread anchoring ``store``'s record log through ``ledger``."""

    def __init__(self, store: Store, ledger: AnchorLedger, *, province: str,
                 signing_key: nacl.signing.SigningKey, interval: float, max_records: int,
                 metrics: NodeMetrics, catalog_version: Callable[[], int],
                 leader: Leader | None = None, on_anchored: Callable[[], object] | None = None,
                 idle_cap: float = IDLE_CAP, target_records: int = TARGET_RECORDS,
                 max_delay: float = MAX_DELAY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._ledger = ledger
        self._province = province
        self._key = signing_key
        self._interval = interval
        self._max = max_records
        self.policy = BatchPolicy(target=min(target_records, max_records),
                                  max_delay=max(max_delay, interval), interval=interval)
        self._clock = clock
        self._backlog = Backlog()
        self._backlog_lock = threading.Lock()  # notify runs on ingest threads
        self._metrics = metrics
        self._catalog_version = catalog_version
        self._leader = leader
        self._on_anchored = on_anchored
        self._loop = BackgroundLoop(self._round, self._failed, name="anchor-loop", logger=log,
                                    idle_cap=idle_cap)

    @property
    def failures(self) -> int:
        """Consecutive failed rounds (0 after one that anchored or had nothing to do)."""
        return self._loop.failures

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to finish its current round and wait for it, then give the lead
        up so another process of this node takes over at once."""
        self._loop.stop(timeout)
        if self._leader is not None:
            self._leader.release()

    def notify(self, waiting: int) -> None:
        """Called after ingest with the number of unbatched leaves: note the inflow for
        the batch policy and wake the loop when the policy would seal now (a full batch,
        a lone record: anchored at once rather than at the next round), or when the loop
        has been idling (its wait grown past ``interval``)."""
        with self._backlog_lock:
            now = self._clock()
            self._backlog = observe(self._backlog, waiting, now, self.policy)
            due = seal_reason(self.policy, self._backlog, now) is not None
        if due or (waiting > 0 and self._loop.idle_rounds > 0):
            self._loop.wake()

    def _observe(self, waiting: int) -> None:
        with self._backlog_lock:
            self._backlog = observe(self._backlog, waiting, self._clock(), self.policy)

    def run_once(self, *, flush: bool = False) -> int:
        """One round: seal what waits when the batch policy says so (always with
        ``flush``), anchor what is pending; returns batches anchored (0 when another
        process of this node leads)."""
        if self._leader is not None and not self._leader.held():
            return 0
        version = self._catalog_version()
        if version == 0:
            log.warning("no catalog version adopted on the ledger: not sealing batches")
            return 0
        if flush or self._should_seal():
            seal_by_version(self._store, province=self._province, signing_key=self._key,
                            in_force=version, max_records=self._max)
            start, end = self._store.unbatched_range(RECORDS_LOG)
            with self._backlog_lock:
                self._backlog = after_seal(self._backlog, end - start, self._clock())
        started = time.monotonic()
        result = anchor_pending(self._store, self._ledger, province=self._province)
        if result.anchored:
            self._metrics.anchor_seconds.observe((time.monotonic() - started) / result.anchored)
            self._metrics.anchored_batches.inc(result.anchored)
        return result.anchored + result.already_on_chain

    def _should_seal(self) -> bool:
        start, end = self._store.unbatched_range(RECORDS_LOG)
        self._observe(end - start)
        with self._backlog_lock:
            backlog = self._backlog
        reason = seal_reason(self.policy, backlog, self._clock())
        if reason is not None:
            log.debug("sealing", extra={"reason": reason, "records": backlog.pending})
        return reason is not None

    def _round(self) -> float:
        done = self.run_once()
        backlog = read_backlog(self._store)
        self._metrics.backlog.set(backlog.backlog)
        if done and self._on_anchored is not None:
            self._on_anchored()  # the peers pull now (``node.exchange.nudge``)
        if done:
            log.info("anchor round", extra={"batches": done, "backlog": backlog.backlog,
                                            "anchored_size": backlog.anchored_size})
        # Nothing anchored and nothing waiting: idle (the wait grows until ingest wakes it).
        return Idle(self._interval) if not done and not backlog.backlog else self._interval

    def _failed(self, exc: Exception) -> Failed:
        if isinstance(exc, AnchorConflict):
            # Not a passing outage: retrying fast would not help, an operator must look.
            return Failed("the ledger holds another root for one of our batches",
                          Backoff(CONFLICT_RECHECK, CONFLICT_RECHECK), level=logging.ERROR,
                          counted=False, traceback=True)
        return Failed("anchoring failed; retrying", Backoff(self._interval, RETRY_CAP))
