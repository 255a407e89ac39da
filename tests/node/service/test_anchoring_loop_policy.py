"""AnchorLoop with its batch policy, on a real SQLite store and a simulated clock: records
under load gather into one batch of the target, a trickle is anchored in the round that
sees it, a burst's tail once the inflow stops. The ledger is a recorder (the real-chain
path is covered by the service and crash tests)."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable
from pathlib import Path

import nacl.signing

from crypto.sealing import new_master_key, seal
from node.service.anchoring_loop import AnchorLoop
from node.service.metrics import make_metrics
from node.store import RECORDS_LOG, NewRecord, Store, open_store

COUNTER = itertools.count()


def _rows(count: int) -> list[NewRecord]:
    payload = seal(b"{}", new_master_key(), b"").to_bytes()
    rows = []
    for _ in range(count):
        digest = hashlib.sha256(b"%d" % next(COUNTER)).digest()
        rows.append(NewRecord(province="JS", record_no=f"JS-{digest.hex()[:16]}",
                              kind="penalty", local_category="X", shared_category=None,
                              catalog_version=None, severity="general", rule_version="2023",
                              commitment=digest, salt=digest, subject_token=digest,
                              sealed_payload=payload, is_public=True, publicity_end=None))
    return rows


class RecordingLedger:
    def __init__(self) -> None:
        self.sizes: list[int] = []

    def is_anchored(self, province: str, seq: int, root: bytes) -> bool:
        return False

    def anchor_tx(self, province: str, seq: int) -> tuple[bytes, int] | None:
        return None

    def anchor_batch(self, seq: int, root: bytes, size: int, prev_root: bytes,
                     catalog_version: int, header_sig: bytes) -> object:
        self.sizes.append(size)
        return type("Receipt", (), {"tx_hash": "0x" + "ab" * 32, "block_number": seq})()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _loop(store: Store, ledger: RecordingLedger, clock: Clock) -> AnchorLoop:
    return AnchorLoop(store, ledger, province="JS",
                      signing_key=nacl.signing.SigningKey(b"\x01" * 32), interval=1.0,
                      max_records=50_000, metrics=make_metrics(), catalog_version=lambda: 1,
                      target_records=1_000, max_delay=10.0, clock=clock)


def _ingest(store: Store, loop: AnchorLoop, count: int) -> None:
    store.add_records(_rows(count))
    start, end = store.unbatched_range(RECORDS_LOG)
    loop.notify(end - start)  # as Submitter does after each stored request


def test_load_gathers_into_one_batch_of_the_target() -> None:
    store, ledger, clock = open_store("sqlite://"), RecordingLedger(), Clock()
    loop = _loop(store, ledger, clock)
    for _ in range(3):  # 250 records a second: 1,000 within the 10 s deadline
        _ingest(store, loop, 250)
        assert loop.run_once() == 0, "sealed before the batch was full"
        clock.now += 1.0
    _ingest(store, loop, 250)
    assert loop.run_once() == 1
    assert ledger.sizes == [1000]


def test_a_trickle_is_anchored_in_the_round_that_sees_it() -> None:
    store, ledger, clock = open_store("sqlite://"), RecordingLedger(), Clock()
    loop = _loop(store, ledger, clock)
    _ingest(store, loop, 2)
    assert loop.run_once() == 1 and ledger.sizes == [2]
    clock.now += 30.0
    _ingest(store, loop, 1)
    assert loop.run_once() == 1 and ledger.sizes == [2, 3]


def test_the_tail_of_a_burst_is_anchored_once_the_inflow_stops() -> None:
    store, ledger, clock = open_store("sqlite://"), RecordingLedger(), Clock()
    loop = _loop(store, ledger, clock)
    _ingest(store, loop, 600)
    assert loop.run_once() == 0
    clock.now += 1.0
    assert loop.run_once() == 0
    clock.now += 1.0
    assert loop.run_once() == 1 and ledger.sizes == [600]


def test_flush_seals_whatever_waits() -> None:
    store, ledger, clock = open_store("sqlite://"), RecordingLedger(), Clock()
    loop = _loop(store, ledger, clock)
    _ingest(store, loop, 600)
    assert loop.run_once(flush=True) == 1 and ledger.sizes == [600]


def test_a_lone_record_wakes_the_loop_instead_of_waiting_for_the_next_round(
        tmp_path: Path) -> None:
    # A file database: the loop's thread and this one write at once (the in-memory one is
    # a single shared connection, not for threads; it failed once under load).
    store, ledger = open_store(f"sqlite:///{tmp_path / 'node.db'}"), RecordingLedger()
    loop = AnchorLoop(store, ledger, province="JS",
                      signing_key=nacl.signing.SigningKey(b"\x01" * 32), interval=60.0,
                      max_records=50_000, metrics=make_metrics(), catalog_version=lambda: 1,
                      target_records=1_000, max_delay=60.0)
    _ingest(store, loop, 1)
    loop.start()
    try:
        _wait(lambda: ledger.sizes == [1])  # a round that did work: next one in 60 s
        _ingest(store, loop, 1)
        _wait(lambda: len(ledger.sizes) == 2)
        assert ledger.sizes == [1, 2], "the lone record waited for the next round"
    finally:
        loop.stop()


def _wait(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
