"""Nudges between running nodes: a peer's Nudge wakes the pullers of the caller's own
province (as its certificate says, whatever it asks), and an anchoring node nudges all
three peers, which then hold its records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from exchange_helpers import Consortium, public_dishonesty, records_of, submit, wait_for

from node._proto.credit.v1 import exchange_pb2
from node.grpc.stubs import exchange_stub


def test_a_nudge_wakes_the_pullers_of_the_callers_province(
        consortium: Consortium, monkeypatch: pytest.MonkeyPatch) -> None:
    js = consortium["JS"].node
    assert js.exchange is not None
    woken: list[tuple[str, str]] = []
    wake_peer, wake_puller = js.exchange.wake_peer, js.lifecycle.wake_puller
    monkeypatch.setattr(js.exchange, "wake_peer",
                        lambda p: (woken.append(("records", p)), wake_peer(p)))
    monkeypatch.setattr(js.lifecycle, "wake_puller",
                        lambda p: (woken.append(("revocations", p)), wake_puller(p)))
    with consortium.channel("AH", "node", "JS") as ch:
        stub = exchange_stub(ch)
        stub.Nudge(exchange_pb2.NudgeRequest(records=True), timeout=10)
        stub.Nudge(exchange_pb2.NudgeRequest(revocations=True), timeout=10)
    # Other members' own nudges (their anchor rounds) may land meanwhile: AH's two wake
    # AH's pullers, once each, and nothing else of AH's.
    assert [w for w in woken if w[1] == "AH"] == [("records", "AH"), ("revocations", "AH")]


def test_anchoring_nudges_every_peer_and_they_pull(consortium: Consortium) -> None:
    zj = consortium["ZJ"].node
    nudger = zj.nudger
    assert nudger is not None
    sent = nudger.sent
    peers = [consortium[p].node.app.store for p in ("JS", "SH", "AH")]
    held = [store.count_records("foreign") for store in peers]
    # A public serious-dishonesty entry: the kind every peer replicates.
    entry = dict(public_dishonesty(records_of("ZJ", 20, seed=5), datetime.now(UTC).date()))
    ack = submit(consortium, "ZJ", [{**entry, "record_no": "ZJ-NUDGE-0001"}])
    assert len(ack.accepted) == 1
    wait_for(lambda: nudger.sent >= sent + 3, 60)  # anchored, then all three nudged
    wait_for(lambda: all(store.count_records("foreign") > before
                         for store, before in zip(peers, held, strict=True)), 60)
