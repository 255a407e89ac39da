"""Nudger: every peer is nudged in the background; a peer that does not answer is
skipped without raising, and nothing is sent once closed."""

from __future__ import annotations

import threading

from exchange_helpers import wait_for

from node.exchange.nudge import Nudger
from node.exchange.ports import PeerCallFailed


class Peer:
    def __init__(self, province: str, *, down: bool = False) -> None:
        self.province = province
        self.down = down
        self.calls: list[tuple[bool, bool, float]] = []
        self.called = threading.Event()

    def nudge(self, *, records: bool, revocations: bool, timeout: float) -> None:
        self.calls.append((records, revocations, timeout))
        self.called.set()
        if self.down:
            raise PeerCallFailed(f"{self.province} down (test)", code="UNAVAILABLE")


def test_every_peer_is_nudged_and_a_down_one_is_skipped() -> None:
    peers = [Peer("SH"), Peer("ZJ", down=True), Peer("AH")]
    nudger = Nudger(peers, deadline=1.5)
    try:
        nudger.records()
        wait_for(lambda: nudger.sent == 2 and all(p.called.is_set() for p in peers), 10)
        nudger.revocations()
        wait_for(lambda: nudger.sent == 4, 10)
    finally:
        nudger.close()
    assert [p.calls for p in peers] == [[(True, False, 1.5), (False, True, 1.5)]] * 3


def test_a_closed_nudger_sends_nothing() -> None:
    peer = Peer("SH")
    nudger = Nudger([peer])
    nudger.close()
    nudger.records()  # the node is stopping: no error, no call
    assert peer.calls == [] and nudger.sent == 0
