"""AnchoredProofs: anchored batches and proofs read once, batches not anchored read again."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from crypto.merkle import EMPTY_ROOT
from node.service.proofs import AnchoredProofs, batch_proof, record_proof
from node.store import (
    FIRST_BATCH_SEQ,
    RECORDS_LOG,
    Batch,
    NewBatch,
    NewRecord,
    NodeRef,
    SqlStore,
    make_engine,
    migrate,
)

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _record(i: int) -> NewRecord:
    def digest(*parts: object) -> bytes:
        return hashlib.sha256(repr(parts).encode()).digest()

    return NewRecord(
        province="JS", record_no=f"JS-XZCF-2026-{i:06d}", kind="penalty",
        local_category="L1", shared_category=None, catalog_version=None,
        severity="general", rule_version="2023", commitment=digest("c", i),
        salt=digest("s", i), subject_token=digest("t", i % 3),
        sealed_payload=b"\x01" * 80, is_public=False, publicity_end=None)


class CountingStore(SqlStore):
    """A real SQLite store that counts the reads the memo should save."""

    batch_reads = 0
    node_reads = 0

    def batch_for_leaf(self, leaf_index: int, log_name: str = RECORDS_LOG) -> Batch | None:
        self.batch_reads += 1
        return super().batch_for_leaf(leaf_index, log_name)

    def get_nodes(self, log_name: str, ids: Sequence[NodeRef]) -> list[bytes]:
        self.node_reads += 1
        return super().get_nodes(log_name, ids)


def _batch(store: SqlStore, seq: int, start: int, end: int, prev: bytes) -> NewBatch:
    return NewBatch(log_name=RECORDS_LOG, seq=seq, start_size=start, end_size=end,
                    root=store.log_root(RECORDS_LOG, end), prev_root=prev,
                    header_json=f'{{"seq":{seq}}}', signature=bytes([seq]) * 64)


def test_anchored_batches_and_proofs_are_read_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}")
    migrate(engine)
    store = CountingStore(engine, clock=lambda: NOW)
    records = [_record(i) for i in range(12)]
    store.add_records(records)
    first = store.create_batch(_batch(store, FIRST_BATCH_SEQ, 0, 8, EMPTY_ROOT))
    store.create_batch(_batch(store, FIRST_BATCH_SEQ + 1, 8, 12, first.root))
    store.mark_batch_anchored(RECORDS_LOG, first.seq, b"\x11" * 32, 5, NOW)
    memo = AnchoredProofs()
    stored = store.records_by_leaf_range("JS", 0, 12)

    def proofs() -> list[object]:
        return [record_proof(store, r, chain_id=1, contract="0x", memo=memo) for r in stored]

    got = proofs()
    assert got == [record_proof(store, r, chain_id=1, contract="0x") for r in stored]
    assert [p is None for p in got] == [False] * 8 + [True] * 4  # batch 2 not anchored
    batch_reads, node_reads = store.batch_reads, store.node_reads
    assert proofs() == got
    assert store.node_reads == node_reads  # every proof remembered
    assert store.batch_reads == batch_reads + 4  # only the unanchored batch asked again
    assert got[3] is not None
    assert got[3].inclusion_proof == batch_proof(store, 3, first)
    store.mark_batch_anchored(RECORDS_LOG, first.seq + 1, b"\x22" * 32, 6, NOW)
    assert all(p is not None for p in proofs())  # anchored since: answered now
    engine.dispose()
