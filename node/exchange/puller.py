"""One thread per peer pulling its new records, with a cursor that survives restarts.

Each round asks the peer for the page after the stored cursor (``PullRecords``), hands
the page to the :class:`~node.exchange.receive.Receiver` (verify, store or quarantine)
and only then stores the peer's next cursor in ``kv_meta`` — so a crash re-pulls at most
one page, which the receiver takes idempotently.

* While the cursor moves the next page is asked for at once; once caught up the thread
  waits ``poll`` seconds (or until :meth:`Puller.wake`), doubling while the peer has
  nothing new, up to ``idle_cap`` (default ``IDLE_CAP``, ``node.service.background``; a
  node whose peers nudge it after anchoring waits longer: ``node.exchange.nudge``).
* Backpressure: a page is at most ``page_size`` records (a peer sending more is refused)
  and a receiver store that is busy (``StoreUnavailableError``) pauses the thread for at
  least ``busy_pause`` seconds, doubling while it stays busy.
* Failures (peer down, deadline, ledger unreachable, store busy) are retried with
  exponential backoff from ``poll`` up to ``max_backoff`` seconds (by default
  ``RETRY_CAP``: the pull resumes within seconds of the peer's or the ledger's return,
  however long it was away); the cursor stays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from node.authz.request_ids import new_request_id
from node.exchange.errors import ExchangeError
from node.exchange.ports import ExchangePeer
from node.exchange.receive import Receiver
from node.exchange.transit import Proven
from node.service.background import IDLE_CAP, RETRY_CAP, BackgroundLoop, Backoff, Failed, Idle
from node.store.contract import Store
from node.store.errors import StoreUnavailableError

log = logging.getLogger(__name__)
MAX_CURSOR: Final = 128
OnReceived = Callable[[str, str, Sequence[Proven]], None]
"""``on_received(peer, request_id, items)``: called with every non-empty page before it is
taken (the node logs ``exchange_in`` under the request id the peer logged); raising
stops the page from being taken."""


def cursor_key(province: str) -> str:
    """The ``kv_meta`` key of the cursor into ``province``'s records."""
    return f"exchange.cursor.{province}"


@dataclass
class PullStats:
    pages: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failures: int = 0


class Puller:
    """Pulls the records of peer ``link`` into ``receiver`` on a daemon thread."""

    def __init__(self, link: ExchangePeer, receiver: Receiver, store: Store, *, poll: float,
                 page_size: int = 500, deadline: float = 10.0, max_backoff: float = RETRY_CAP,
                 busy_pause: float = 1.0, on_received: OnReceived | None = None,
                 idle_cap: float = IDLE_CAP) -> None:
        if poll <= 0 or page_size <= 0 or deadline <= 0:
            raise ValueError(f"puller: poll, page_size and deadline must be > 0, got "
                             f"{poll}, {page_size}, {deadline}")
        self.link = link
        self._receiver = receiver
        self._store = store
        self._poll = poll
        self._page = page_size
        self._deadline = deadline
        self._max_backoff = max_backoff
        self._busy_pause = busy_pause
        self._on_received = on_received
        self._loop = BackgroundLoop(self._round, self._failed, name=f"pull-{link.province}",
                                    logger=log, idle_cap=idle_cap)
        self.stats = PullStats()

    def start(self) -> None:
        self._loop.start()

    def signal_stop(self) -> None:
        """Ask the thread to end after its current round (without waiting)."""
        self._loop.signal_stop()

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the current round and end the thread (waiting up to ``timeout`` s)."""
        self._loop.stop(timeout)

    def wake(self) -> None:
        """Pull now instead of at the end of the current wait."""
        self._loop.wake()

    def pull_once(self) -> bool:
        """Pull, take and record one page; True when the cursor moved (maybe more)."""
        key = cursor_key(self.link.province)
        cursor = self._store.get_meta(key) or ""
        request_id = new_request_id()
        response = self.link.pull_records(cursor=cursor, limit=self._page,
                                          request_id=request_id, timeout=self._deadline)
        if len(response.records) > self._page or len(response.next_cursor) > MAX_CURSOR:
            raise ExchangeError(
                f"peer {self.link.province} answered {len(response.records)} records (asked "
                f"for {self._page}) and a {len(response.next_cursor)}-character cursor "
                f"(at most {MAX_CURSOR})")
        items = response.records
        if items and self._on_received is not None:
            self._on_received(self.link.province, request_id, items)
        received = self._receiver.accept(items, peer=self.link.province)
        self.stats.pages += 1
        self.stats.accepted += received.accepted
        self.stats.duplicates += received.duplicates
        self.stats.quarantined += len(received.refused)
        if response.next_cursor == cursor:
            return False
        self._store.set_meta(key, response.next_cursor)
        if received.accepted or received.refused:
            log.info("pulled page", extra={"peer": self.link.province,
                                           "accepted": received.accepted,
                                           "quarantined": len(received.refused)})
        return True

    def _round(self) -> float:
        # A page that moved the cursor may have a successor: ask for it at once; a peer with
        # nothing new is asked less and less often (up to the loop's idle cap).
        return 0.0 if self.pull_once() else Idle(self._poll)

    def _failed(self, exc: Exception) -> Failed:
        self.stats.failures += 1
        if isinstance(exc, StoreUnavailableError):
            return Failed("store busy: pausing the pull",
                          Backoff(max(self._poll, self._busy_pause), self._max_backoff),
                          {"peer": self.link.province})
        return Failed("pull failed; retrying", Backoff(self._poll, self._max_backoff),
                      {"peer": self.link.province, "error": str(exc)[:300]})
