"""The store contract for batches: chain checks and the anchoring lifecycle, every backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from crypto.merkle import EMPTY_ROOT
from node.store import (
    FIRST_BATCH_SEQ,
    RECORDS_LOG,
    NewBatch,
    NewRecord,
    SqlStore,
    StoreConflictError,
    StoreNotFoundError,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
ANCHORED_AT = datetime(2026, 11, 28, 9, 0, 12, tzinfo=UTC)
TX1, TX2 = b"\x11" * 32, b"\x22" * 32
MakeRecord = Callable[..., NewRecord]


def _filled_store(engine: Engine, make_record: MakeRecord, size: int) -> SqlStore:
    store = SqlStore(engine, clock=lambda: NOW)
    store.add_records([make_record(i) for i in range(size)])
    return store


def _next_batch(store: SqlStore, end: int) -> NewBatch:
    latest = store.latest_batch()
    seq = FIRST_BATCH_SEQ if latest is None else latest.seq + 1
    start = 0 if latest is None else latest.end_size
    return NewBatch(
        log_name=RECORDS_LOG, seq=seq, start_size=start, end_size=end,
        root=store.log_root(RECORDS_LOG, end),
        prev_root=EMPTY_ROOT if latest is None else latest.root,
        header_json=f'{{"seq":{seq},"size":{end}}}', signature=bytes([seq]) * 64,
    )


class TestBatchContract:
    def test_lifecycle_signed_submitted_anchored(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _filled_store(store_engine, make_record, 8)
        assert store.unbatched_range() == (0, 8)
        assert store.latest_batch() is None
        batch = store.create_batch(_next_batch(store, 5))
        assert (batch.seq, batch.status, batch.created_at) == (FIRST_BATCH_SEQ, "signed", NOW)
        assert store.unbatched_range() == (5, 8)
        assert store.batches_by_status("signed") == [batch]
        store.mark_batch_submitted(RECORDS_LOG, batch.seq, TX1)
        store.mark_batch_submitted(RECORDS_LOG, batch.seq, TX2)  # replaced transaction
        submitted = store.get_batch(RECORDS_LOG, batch.seq)
        assert submitted is not None
        assert (submitted.status, submitted.tx_hash) == ("submitted", TX2)
        store.mark_batch_anchored(RECORDS_LOG, batch.seq, TX2, 1234, ANCHORED_AT)
        store.mark_batch_anchored(RECORDS_LOG, batch.seq, TX2, 1234, ANCHORED_AT)  # no-op
        anchored = store.get_batch(RECORDS_LOG, batch.seq)
        assert anchored == replace(batch, status="anchored", tx_hash=TX2, block_number=1234,
                                   anchored_at=ANCHORED_AT)
        assert store.batches_by_status("signed") == []
        assert store.batches_by_status("anchored") == [anchored]
        second = store.create_batch(_next_batch(store, 8))
        assert (second.seq, second.start_size, second.prev_root) == (2, 5, batch.root)
        assert store.latest_batch() == second
        assert store.unbatched_range() == (8, 8)
        assert store.batch_for_leaf(0) == anchored
        assert store.batch_for_leaf(4) == anchored
        assert store.batch_for_leaf(5) == second
        store.add_records([make_record(8)])
        assert store.batch_for_leaf(8) is None

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"seq": 2}, r"batch 2 of log 'records': got seq 2, want 1"),
            ({"start_size": 1}, r"got start_size 1, want 0"),
            ({"prev_root": b"\x07" * 32}, r"prev_root 0707.* is not the previous root e3b0c442"),
            ({"end_size": 9}, r"got end_size 9, want at most the log size 8"),
            ({"root": b"\x09" * 32}, r"root 0909.* differs from the log's root .* at size 5"),
        ],
        ids=["seq", "start_size", "prev_root", "end_size", "root"],
    )
    def test_batch_that_does_not_continue_the_chain_is_refused(
        self, store_engine: Engine, make_record: MakeRecord, change: dict[str, object],
        message: str,
    ) -> None:
        store = _filled_store(store_engine, make_record, 8)
        good = _next_batch(store, 5)
        with pytest.raises(StoreConflictError, match=message):
            store.create_batch(replace(good, **change))  # type: ignore[arg-type]
        assert store.latest_batch() is None
        store.create_batch(good)
        assert store.unbatched_range() == (5, 8)

    def test_second_batch_must_chain_to_the_first(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _filled_store(store_engine, make_record, 8)
        first = store.create_batch(_next_batch(store, 4))
        good = _next_batch(store, 8)
        for bad, message in (
            (replace(good, seq=3), r"got seq 3, want 2"),
            (replace(good, start_size=3), r"got start_size 3, want 4"),
            (replace(good, prev_root=EMPTY_ROOT), r"is not the previous root " + first.root.hex()),
        ):
            with pytest.raises(StoreConflictError, match=message):
                store.create_batch(bad)
        assert store.latest_batch() == first

    def test_malformed_batch_is_a_value_error(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _filled_store(store_engine, make_record, 4)
        good = _next_batch(store, 4)
        with pytest.raises(ValueError, match=r"signature has 63 bytes, want 64"):
            store.create_batch(replace(good, signature=b"\x00" * 63))
        with pytest.raises(ValueError, match=r"sizes \[4, 4\) are not a non-empty range"):
            store.create_batch(replace(good, start_size=4))
        with pytest.raises(ValueError, match=r"tx_hash has 20 bytes, want 32"):
            store.mark_batch_submitted(RECORDS_LOG, 1, b"\x00" * 20)

    def test_state_transitions_only_move_forward(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _filled_store(store_engine, make_record, 4)
        store.create_batch(_next_batch(store, 4))
        store.mark_batch_anchored(RECORDS_LOG, 1, TX1, 77, ANCHORED_AT)  # found on chain
        with pytest.raises(StoreConflictError, match=r"batch 1 of log 'records' is 'anchored': "
                           r"cannot become 'submitted'"):
            store.mark_batch_submitted(RECORDS_LOG, 1, TX2)
        with pytest.raises(StoreConflictError, match=r"cannot become 'anchored'"):
            store.mark_batch_anchored(RECORDS_LOG, 1, TX2, 78, ANCHORED_AT)
        with pytest.raises(StoreNotFoundError, match=r"log 'records' has no batch 9"):
            store.mark_batch_submitted(RECORDS_LOG, 9, TX1)
        batch = store.get_batch(RECORDS_LOG, 1)
        assert batch is not None
        assert (batch.status, batch.tx_hash, batch.block_number) == ("anchored", TX1, 77)
