"""One thread per peer pulling its proven revocation notices, cursor kept in ``kv_meta``.

A round asks the peer for the notices after the stored cursor (``PullRevocations``),
verifies and applies them (``RevocationReceiver``), logs the page as ``exchange_in`` under
the request id the peer logged as ``exchange_out``, and only then stores the next cursor.

Order with records: a notice may arrive before the record it names (this node's record
cursor behind the peer's log). The cursor then stays where it is, and the page is taken
again next round — once the record is stored the notice is applied to it. A notice for
a record this node will never hold (a category that is not replicated: its leaf lies
behind the record cursor) does not hold the cursor back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from node.authz.request_ids import new_request_id
from node.exchange.puller import cursor_key
from node.exchange.revocations import ProvenNotice, RevocationReceiver
from node.exchange.serve import parse_cursor
from node.service.background import IDLE_CAP, RETRY_CAP, BackgroundLoop, Backoff, Failed, Idle
from node.service.errors import BadRequest
from node.service.revocation_log import Notice, parse_notice
from node.store.contract import Store

log = logging.getLogger(__name__)

OnNotices = Callable[[str, str, Sequence[ProvenNotice]], None]
"""``on_notices(peer, request_id, items)``: called with every non-empty page first."""
OnApplied = Callable[[str, Notice], None]
"""``on_applied(peer, notice)``: a notice newly applied here (logged under its request id,
the one the origin logged when the repair was filed)."""


@dataclass(frozen=True)
class RevocationPage:
    revocations: list[ProvenNotice]
    next_cursor: str


class RevocationPeer(Protocol):
    """A peer node that serves its revocation notices (``node.grpc.peer.PeerClient``)."""

    @property
    def province(self) -> str: ...

    def pull_revocations(self, *, cursor: str, request_id: str,
                         timeout: float) -> RevocationPage: ...


def revocation_cursor_key(province: str) -> str:
    return f"exchange.revcursor.{province}"


class RevocationPuller:
    """Pulls ``link``'s notices into ``receiver`` every ``poll`` seconds (module doc)."""

    def __init__(self, link: RevocationPeer, receiver: RevocationReceiver, store: Store, *,
                 poll: float, deadline: float = 10.0, max_backoff: float = RETRY_CAP,
                 on_notices: OnNotices | None = None,
                 on_applied: OnApplied | None = None, idle_cap: float = IDLE_CAP) -> None:
        self.link = link
        self._receiver = receiver
        self._store = store
        self._poll = poll
        self._deadline = deadline
        self._max_backoff = max_backoff
        self._on_notices = on_notices
        self._on_applied = on_applied
        self._loop = BackgroundLoop(self._round, self._failed, name=f"revoke-{link.province}",
                                    logger=log, idle_cap=idle_cap)
        self._nothing_new = False

    def start(self) -> None:
        self._loop.start()

    def wake(self) -> None:
        self._loop.wake()

    def stop(self, timeout: float = 15.0) -> None:
        self._loop.stop(timeout)

    def signal_stop(self) -> None:
        self._loop.signal_stop()

    def pull_once(self) -> bool:
        """Pull and apply one page; True when the cursor moved."""
        peer = self.link.province
        key = revocation_cursor_key(peer)
        cursor = self._store.get_meta(key) or ""
        request_id = new_request_id()
        page = self.link.pull_revocations(cursor=cursor, request_id=request_id,
                                          timeout=self._deadline)
        self._nothing_new = not page.revocations
        if not page.revocations:
            return False
        if self._on_notices is not None:
            self._on_notices(peer, request_id, page.revocations)
        result = self._receiver.accept(page.revocations, peer=peer)
        if self._on_applied is not None:
            for notice in result.applied:
                self._on_applied(peer, notice)
        if self._waiting_for_records(page.revocations):
            return False
        if page.next_cursor == cursor:
            return False
        self._store.set_meta(key, page.next_cursor)
        if result.applied or result.refused:
            log.info("revocations pulled", extra={"peer": peer, "applied": len(result.applied),
                                                  "refused": len(result.refused)})
        return True

    def _waiting_for_records(self, items: Sequence[ProvenNotice]) -> bool:
        """Whether a notice names a record not held yet that the record puller will bring."""
        peer = self.link.province
        try:
            record_cursor = parse_cursor(self._store.get_meta(cursor_key(peer)) or "")
        except BadRequest:
            return False
        for item in items:
            try:
                notice = parse_notice(item.notice)
            except ValueError:
                continue
            if notice.leaf_index >= record_cursor and \
                    self._store.get_record(peer, notice.record_no) is None:
                return True
        return False

    def _round(self) -> float:
        if self.pull_once():
            return 0.0
        # An empty page: idle, asked less and less often; notices waiting for their
        # records: the plain poll, the record puller brings them soon.
        return Idle(self._poll) if self._nothing_new else self._poll

    def _failed(self, exc: Exception) -> Failed:
        return Failed("revocation pull failed; retrying", Backoff(self._poll, self._max_backoff),
                      {"peer": self.link.province, "error": str(exc)[:300]})
