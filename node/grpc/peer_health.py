"""How many peers answer right now, for ``GetStatus``: measured, cached, off the call path.

Each configured peer's gRPC health is checked over mutual TLS through its
:class:`~node.grpc.peer.PeerClient` with a short deadline, all peers at once. A node
following the member registry hands in its member-gated peers
(``node.runtime.gated_peers``), whose check answers False without calling while the
ledger does not list the peer's province as an active member: a removed province's node
that still answers is not counted. The count
is kept for ``ttl`` seconds; a call that finds it older starts one background refresh
and answers the count it has, so ``GetStatus`` waits on peers only for the very first
count (at most ``deadline`` s): before it, there is no count that would be true.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final, Protocol

__all__ = ["CHECK_DEADLINE", "TTL", "HealthChecked", "ReachablePeers"]

CHECK_DEADLINE: Final = 1.0
TTL: Final = 5.0


class HealthChecked(Protocol):
    """A peer that says whether it answers (``PeerClient``, ``MemberGatedPeer``)."""

    def healthy(self, timeout: float) -> bool: ...


class ReachablePeers:
    """The number of ``peers`` whose health check answered SERVING in the last round."""

    def __init__(self, peers: Sequence[HealthChecked], *, deadline: float = CHECK_DEADLINE,
                 ttl: float = TTL) -> None:
        self._peers = tuple(peers)
        self._deadline = deadline
        self._ttl = ttl
        self._lock = threading.Lock()
        self._count = 0
        self._measured_at: float | None = None
        self._refreshing = False

    def count(self) -> int:
        """The last measured count; starts a refresh when it is older than ``ttl``."""
        if self._measured_at is None and self._peers:
            return self.measure()
        with self._lock:
            stale = (self._measured_at is None
                     or time.monotonic() - self._measured_at >= self._ttl)
            start = stale and not self._refreshing and bool(self._peers)
            if start:
                self._refreshing = True
            count = self._count
        if start:
            threading.Thread(target=self._refresh, name="peer-health", daemon=True).start()
        return count

    def measure(self) -> int:
        """Check every peer now (at most ``deadline`` s) and keep the count."""
        if not self._peers:
            return 0
        with ThreadPoolExecutor(max_workers=len(self._peers),
                                thread_name_prefix="peer-health") as pool:
            up = sum(1 for ok in pool.map(lambda peer: peer.healthy(self._deadline),
                                          self._peers) if ok)
        with self._lock:
            self._count = up
            self._measured_at = time.monotonic()
        return up

    def _refresh(self) -> None:
        try:
            self.measure()
        finally:
            with self._lock:
                self._refreshing = False
