"""The store contract for the Merkle logs (nodes, roots, proofs, restart), every backend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from crypto.merkle import (
    CompactRange,
    MemoryTree,
    NodeID,
    fetch_proof,
    fold_peaks,
    hash_children,
    hash_leaf,
    inclusion,
    peak_ids,
    verify_inclusion,
)
from node.store import (
    AUDIT_LOG,
    RECORDS_LOG,
    NewRecord,
    SqlStore,
    StoreNotFoundError,
    make_engine,
    migrate,
)
from node.store.schema import log_nodes

NOW = datetime(2026, 11, 28, 8, 30, 15, 123456, tzinfo=UTC)
MakeRecord = Callable[..., NewRecord]


def _store(engine: Engine) -> SqlStore:
    return SqlStore(engine, clock=lambda: NOW)


def _node_count(engine: Engine, log_name: str = RECORDS_LOG) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(log_nodes).where(log_nodes.c.log_name == log_name)
        return int(conn.execute(query).scalar_one())


def _tree(commitments: Sequence[bytes]) -> MemoryTree:
    tree = MemoryTree()
    tree.extend(hash_leaf(c) for c in commitments)
    return tree


class TestLogContract:
    def test_log_nodes_are_persisted_and_give_the_compact_range_root(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        commitments: list[bytes] = []
        for start, count in ((0, 5), (5, 1), (6, 7)):
            batch = [make_record(i) for i in range(start, start + count)]
            store.add_records(batch)
            commitments += [r.commitment for r in batch]
        size = len(commitments)
        # Level 0 holds the leaf hashes; every interior node hashes its two stored children.
        leaves = store.get_nodes(RECORDS_LOG, [(0, i) for i in range(size)])
        assert leaves == [hash_leaf(c) for c in commitments]
        for level in range(1, size.bit_length()):
            for index in range(size >> level):
                parent, left, right = store.get_nodes(
                    RECORDS_LOG,
                    [NodeID(level, index), (level - 1, 2 * index), (level - 1, 2 * index + 1)],
                )
                assert parent == hash_children(left, right), (level, index)
        assert _node_count(store_engine) == sum(size >> level for level in range(5))
        from_nodes = fold_peaks(store.get_nodes(RECORDS_LOG, peak_ids(size)))
        compact = CompactRange()
        compact.extend(hash_leaf(c) for c in commitments)
        assert from_nodes == compact.root() == store.log_root(RECORDS_LOG)
        assert store.log_head(RECORDS_LOG).peaks == compact.peaks
        tree = _tree(commitments)
        assert [store.log_root(RECORDS_LOG, k) for k in range(size + 1)] == [
            tree.root(k) for k in range(size + 1)
        ]

    def test_inclusion_proofs_from_stored_nodes_verify(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        batch = [make_record(i) for i in range(11)]
        store.add_records(batch)
        for size in (1, 6, 11):
            root = store.log_root(RECORDS_LOG, size)
            for index in range(size):
                proof = fetch_proof(
                    inclusion(index, size), lambda ids: store.get_nodes(RECORDS_LOG, ids)
                )
                verify_inclusion(index, size, hash_leaf(batch[index].commitment), proof, root)

    def test_get_nodes_keeps_order_and_names_a_missing_node(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        store.add_records([make_record(i) for i in range(4)])
        a, b = store.get_nodes(RECORDS_LOG, [(2, 0), (0, 3)])
        assert store.get_nodes(RECORDS_LOG, [(0, 3), (2, 0), (0, 3)]) == [b, a, b]
        assert store.get_nodes(RECORDS_LOG, []) == []
        missing = r"'records' holds no node at level 0, index 4"
        with pytest.raises(StoreNotFoundError, match=missing):
            store.get_nodes(RECORDS_LOG, [(0, 1), (0, 4)])
        with pytest.raises(StoreNotFoundError, match=r"no tree of size 5, want 0 <= size <= 4"):
            store.log_root(RECORDS_LOG, 5)

    def test_restart_continues_from_stored_peaks_without_rebuild(
        self, store_url: str, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        first = [make_record(i) for i in range(10)]
        _store(store_engine).add_records(first[:4])
        _store(store_engine).add_records(first[4:])
        head = _store(store_engine).log_head(RECORDS_LOG)
        # A new store (a new engine, except for the one-connection in-memory database).
        engine = store_engine if store_url == "sqlite://" else make_engine(store_url)
        restored: list[tuple[int, tuple[bytes, ...]]] = []

        def spy(size: int, peaks: Sequence[bytes]) -> CompactRange:
            restored.append((size, tuple(peaks)))
            return CompactRange(size, peaks)

        try:
            migrate(engine)
            reopened = SqlStore(engine, range_factory=spy)
            more = [make_record(i) for i in range(10, 17)]
            refs = reopened.add_records(more)
            assert len(head.peaks) == 2  # size 10 = 8 + 2
            assert restored == [(10, head.peaks)]  # resumed from the stored peaks alone
            assert [r.leaf_index for r in refs] == list(range(10, 17))
            all_at_once = _tree([r.commitment for r in first + more])
            assert reopened.log_root(RECORDS_LOG) == all_at_once.root()
        finally:
            if engine is not store_engine:
                engine.dispose()

    def test_audit_log_is_separate_from_the_record_log(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        store.add_records([make_record(0)])
        leaves = [hash_leaf(b"audit entry %d" % i) for i in range(6)]
        head = store.append_leaves(AUDIT_LOG, leaves[:2])
        head = store.append_leaves(AUDIT_LOG, leaves[2:])
        assert (head.size, store.log_size(AUDIT_LOG), store.log_size(RECORDS_LOG)) == (6, 6, 1)
        tree = MemoryTree()
        tree.extend(leaves)
        assert store.log_root(AUDIT_LOG) == tree.root()
        assert store.log_head("never-used").size == 0
