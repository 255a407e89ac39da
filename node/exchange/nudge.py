"""Nudges: tell the peers "pull now" after anchoring, so idle pullers may wait long.

A puller learns of a peer's new records only by asking. Asking every two seconds keeps
the exchange under its 3 s promise but keeps four idle nodes busy; instead the origin,
once it anchored a batch of records (or revocation notices), sends each peer a
``Nudge`` (a data-free ``ExchangeService`` call with a short deadline) and the peer's
puller of that province pulls at once. Pullers then back off to :data:`PULL_IDLE_CAP`
while nothing happens: a nudge lost (peer restarting, network blip) only delays a pull
to that wait, never loses a record.

Sending never blocks the caller: each nudge runs on a small thread pool, and a failed
one is logged at debug level by error type only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final, Protocol

from node.exchange.ports import PeerCallFailed

__all__ = ["NUDGE_DEADLINE", "PULL_IDLE_CAP", "NudgePeer", "Nudger", "OnNudge"]

log = logging.getLogger(__name__)

PULL_IDLE_CAP: Final = 30.0
"""Seconds: the longest wait of an idle puller of a node that sends and takes nudges."""

NUDGE_DEADLINE: Final = 2.0
"""Seconds: a nudge that does not answer by then is dropped (the peer's idle wait ends
its pullers' waits anyway)."""

OnNudge = Callable[[str, bool, bool], None]
"""``on_nudge(province, records, revocations)``: a peer asks this node to pull now."""


class NudgePeer(Protocol):
    """A peer that takes nudges (``node.grpc.peer.PeerClient``)."""

    @property
    def province(self) -> str: ...

    def nudge(self, *, records: bool, revocations: bool, timeout: float) -> None: ...


class Nudger:
    """Sends nudges to ``peers`` in the background (module doc)."""

    def __init__(self, peers: Sequence[NudgePeer], *, deadline: float = NUDGE_DEADLINE) -> None:
        self._peers = tuple(peers)
        self._deadline = deadline
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(self._peers)),
                                        thread_name_prefix="nudge")
        self._lock = threading.Lock()
        self.sent = 0
        """Nudges that reached a peer (for tests and logs)."""

    def records(self) -> None:
        """New records were anchored: every peer should pull them."""
        self._send(records=True, revocations=False)

    def revocations(self) -> None:
        """New revocation notices were anchored: every peer should pull them."""
        self._send(records=False, revocations=True)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _send(self, *, records: bool, revocations: bool) -> None:
        for peer in self._peers:
            try:
                self._pool.submit(self._one, peer, records, revocations)
            except RuntimeError:  # shut down: the node is stopping
                return

    def _one(self, peer: NudgePeer, records: bool, revocations: bool) -> None:
        try:
            peer.nudge(records=records, revocations=revocations, timeout=self._deadline)
        except PeerCallFailed as exc:
            log.debug("nudge not delivered", extra={"peer": peer.province,
                                                    "error_type": type(exc).__name__})
            return
        with self._lock:
            self.sent += 1
