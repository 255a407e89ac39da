"""The store contract for records (idempotency, atomicity, lookups), every backend.

``store_url``/``store_engine`` (tests/conftest.py) run each test on SQLite in memory,
SQLite on disk and PostgreSQL, each on a fresh migrated database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from node.store import (
    RECORDS_LOG,
    ForeignRecord,
    NewRecord,
    SqlStore,
    StoreConflictError,
    StoreNotFoundError,
    migrate,
)
from node.store.schema import log_nodes, records

NOW = datetime(2026, 11, 28, 8, 30, 15, 123456, tzinfo=UTC)
MakeRecord = Callable[..., NewRecord]


def _store(engine: Engine) -> SqlStore:
    return SqlStore(engine, clock=lambda: NOW)


def _node_count(engine: Engine, log_name: str = RECORDS_LOG) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(log_nodes).where(log_nodes.c.log_name == log_name)
        return int(conn.execute(query).scalar_one())


class TestStoreContract:
    def test_migrate_again_is_a_no_op_and_keeps_data(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        store.add_records([make_record(1)])
        migrate(store_engine)
        migrate(store_engine)
        assert store.count_records() == 1
        assert store.log_size(RECORDS_LOG) == 1

    def test_new_records_get_consecutive_leaves_across_calls(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        first = store.add_records([make_record(i) for i in range(3)])
        second = store.add_records([make_record(i) for i in range(3, 5)])
        assert [r.leaf_index for r in first + second] == [0, 1, 2, 3, 4]
        assert all(r.created for r in first + second)
        assert [r.commitment for r in first] == [make_record(i).commitment for i in range(3)]
        assert store.log_size(RECORDS_LOG) == 5
        assert store.count_records() == 5
        assert store.add_records([]) == []
        assert store.log_size(RECORDS_LOG) == 5

    def test_resubmission_returns_existing_commitment_and_adds_no_leaf(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        [original] = store.add_records([make_record(7)])
        nodes_before = _node_count(store_engine)
        resubmitted = make_record(7, version=1)  # same key, fresh salt and commitment
        assert resubmitted.commitment != original.commitment
        [again] = store.add_records([resubmitted])
        assert again.created is False
        assert (again.commitment, again.leaf_index) == (original.commitment, original.leaf_index)
        assert store.log_size(RECORDS_LOG) == 1
        assert _node_count(store_engine) == nodes_before
        stored = store.get_record("JS", make_record(7).record_no)
        assert stored is not None and stored.commitment == original.commitment

    def test_key_repeated_within_one_call_is_stored_once(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        refs = store.add_records([make_record(1), make_record(2), make_record(1, version=1)])
        assert [(r.leaf_index, r.created) for r in refs] == [(0, True), (1, True), (0, False)]
        assert refs[2].commitment == make_record(1).commitment
        assert store.log_size(RECORDS_LOG) == 2

    def test_mixed_call_appends_only_the_new_records(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        store.add_records([make_record(0), make_record(1)])
        refs = store.add_records([make_record(5), make_record(0, version=2), make_record(6)])
        assert [(r.leaf_index, r.created) for r in refs] == [(2, True), (0, False), (3, True)]

    def test_same_record_no_in_two_provinces_are_two_records(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        a = make_record(1, province="JS")
        b = replace(make_record(1, province="SH"), record_no=a.record_no)
        refs = store.add_records([a, b])
        assert [r.created for r in refs] == [True, True]

    def test_record_round_trips_every_field(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        record = make_record(4, status="objected")
        store.add_records([make_record(3), record])
        stored = store.get_record("JS", record.record_no)
        assert stored is not None
        # ``scheme`` only shapes the log leaf; a stored row's scheme is found by opening
        # its commitment (node.service.disclosure.scheme_of), so it is not a column.
        for field in set(NewRecord.__dataclass_fields__) - {"scheme"}:
            assert getattr(stored, field) == getattr(record, field), field
        assert (stored.leaf_index, stored.origin, stored.batch_seq) == (1, "local", None)
        assert stored.created_at == NOW
        assert store.get_record("JS", "no-such-record") is None
        assert store.get_record_by_leaf("JS", 1) == stored

    def test_database_enforces_province_record_no_uniqueness(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        record = make_record(1)
        store.add_records([record])
        duplicate = {
            **{f: getattr(record, f) for f in NewRecord.__dataclass_fields__},
            "commitment": b"\x01" * 32, "leaf_index": 99, "origin": "local", "created_at": NOW,
        }
        with pytest.raises(IntegrityError), store_engine.begin() as conn:
            conn.execute(insert(records), [duplicate])
        assert store.count_records() == 1

    def test_failing_row_mid_batch_leaves_nothing_written(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        store.add_records([make_record(0)])
        root, nodes = store.log_root(RECORDS_LOG), _node_count(store_engine)
        # Row 2 reuses record 0's commitment: the unique constraint refuses it mid-insert.
        clash = make_record(2, commitment=make_record(0).commitment)
        with pytest.raises(StoreConflictError, match=r"commitment.*nothing was written"):
            store.add_records([make_record(1), clash, make_record(3)])
        assert store.count_records() == 1
        assert store.get_record("JS", make_record(1).record_no) is None
        assert store.log_size(RECORDS_LOG) == 1
        assert store.log_root(RECORDS_LOG) == root
        assert _node_count(store_engine) == nodes
        # The log goes on without a gap.
        refs = store.add_records([make_record(1), make_record(3)])
        assert [r.leaf_index for r in refs] == [1, 2]

    def test_malformed_record_is_refused_before_writing(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        short = make_record(1, salt=b"\x00" * 31)
        with pytest.raises(ValueError, match=r"record #1: salt has 31 bytes, want 32"):
            store.add_records([make_record(0), short])
        with pytest.raises(ValueError, match=r"record #0: province has 3 chars, want 2"):
            store.add_records([make_record(0, province="JSX")])
        assert store.count_records() == 0

    def test_records_by_subject_spans_local_and_foreign(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        store.add_records([make_record(i) for i in range(12)])  # tokens cycle over i % 5
        foreign = ForeignRecord(make_record(102, province="SH"), leaf_index=40, batch_seq=2)
        store.add_foreign_records([foreign])
        token = make_record(2).subject_token
        found = store.records_by_subject(token)
        assert [(r.province, r.leaf_index) for r in found] == [
            ("JS", 2), ("JS", 7), ("SH", 40)
        ]
        assert store.records_by_subject(hashlib.sha256(b"nobody").digest()) == []

    def test_foreign_records_keep_origin_position_and_append_no_leaf(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        store.add_records([make_record(0)])
        rows = [ForeignRecord(make_record(i, province="ZJ"), leaf_index=100 + i, batch_seq=3)
                for i in range(3)]
        refs = store.add_foreign_records(rows)
        assert [(r.leaf_index, r.created) for r in refs] == [(100, True), (101, True), (102, True)]
        again = store.add_foreign_records([replace(rows[1], leaf_index=555)])
        assert [(r.leaf_index, r.created) for r in again] == [(101, False)]
        assert store.log_size(RECORDS_LOG) == 1
        assert store.count_records("foreign") == 3
        assert store.count_records("local") == 1
        stored = store.get_record_by_leaf("ZJ", 102)
        assert stored is not None
        assert (stored.origin, stored.batch_seq, stored.record_no) == (
            "foreign", 3, make_record(2, province="ZJ").record_no)
        in_range = store.records_by_leaf_range("ZJ", 101, 103)
        assert [r.leaf_index for r in in_range] == [101, 102]

    def test_status_publicity_and_shredding(
        self, store_engine: Engine, make_record: MakeRecord
    ) -> None:
        store = _store(store_engine)
        record = make_record(2)  # public, publicity ends 2027-01-03
        store.add_records([record, make_record(4), make_record(1)])
        store.set_status("JS", record.record_no, "repaired", shred_payload=True)
        stored = store.get_record("JS", record.record_no)
        assert stored is not None
        assert (stored.status, stored.sealed_payload) == ("repaired", b"")
        ending = store.public_records_ending(date(2027, 1, 4), limit=10)
        assert [r.record_no for r in ending] == [record.record_no]
        store.set_publicity("JS", record.record_no, False, None)
        assert store.public_records_ending(date(2027, 1, 4), limit=10) == []
        with pytest.raises(StoreNotFoundError, match="no record numbered as given"):
            store.set_status("JS", "missing", "withdrawn")

    def test_settings(self, sql_store: SqlStore) -> None:
        store = sql_store
        assert store.get_meta("node.province") is None
        store.set_meta("node.province", "JS")
        store.set_meta("node.province", "SH")
        assert store.get_meta("node.province") == "SH"

    def test_claim_meta_stores_a_key_once(self, sql_store: SqlStore) -> None:
        store = sql_store
        assert store.claim_meta("gn:abc", "2026-12-01") is True
        assert store.claim_meta("gn:abc", "2027-01-01") is False
        assert store.get_meta("gn:abc") == "2026-12-01"
        with pytest.raises(ValueError, match=r"want 1\.\.64"):
            store.claim_meta("", "x")
