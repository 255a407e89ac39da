"""``AuditLog`` over a real database (SQLite memory and file, PostgreSQL): entries and
leaves in one transaction, proofs, signed heads, receipts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

import pytest
from audit_helpers import KEY, ORIGIN, make_event
from sqlalchemy import Engine

from crypto.checkpoint import verify_checkpoint, verify_head_signature
from crypto.merkle import (
    CompactRange,
    MemoryTree,
    MerkleError,
    NodeID,
    hash_leaf,
    verify_consistency,
    verify_inclusion,
)
from crypto.signing import public_key_of
from node.audit import (
    Action,
    AuditLog,
    AuditNotFound,
    AuditRangeError,
    Decision,
    InvalidReceipt,
    decode_entry,
    encode_entry,
    log_receipt,
    verify_receipt,
)
from node.audit.receipts import decode_receipt, encode_receipt, make_receipt
from node.store import AUDIT_LOG, SqlStore, StoreCorruptionError, StoreNotFoundError
from node.store.sql_audit import AuditStore


def open_log(store: SqlStore, **kwargs: object) -> AuditLog:
    return AuditLog(store, AuditStore(store.engine, **kwargs), KEY, ORIGIN)  # type: ignore[arg-type]


@pytest.fixture
def audit_log(sql_store: SqlStore) -> AuditLog:
    return open_log(sql_store)


def test_append_stores_entries_and_leaves_together(audit_log: AuditLog,
                                                    sql_store: SqlStore) -> None:
    events = [make_event(i) for i in range(10)]
    assert audit_log.append(events[:4]) == [0, 1, 2, 3]
    assert audit_log.append(events[4:]) == [4, 5, 6, 7, 8, 9]
    assert audit_log.append([]) == []
    assert audit_log.size() == 10
    stored = audit_log.entries(0, 100)
    assert [e.index for e in stored] == list(range(10))
    assert [decode_entry(e.entry) for e in stored] == events
    assert [e.request_id for e in stored] == [e.request_id for e in events]
    # The log's leaves are exactly the hashes of the stored bytes.
    leaves = sql_store.get_nodes(AUDIT_LOG, [(0, i) for i in range(10)])
    assert leaves == [hash_leaf(e.entry) for e in stored]
    assert audit_log.entry(3).entry == encode_entry(events[3])
    assert list(audit_log.iter_entries()) == [(e.index, e.entry) for e in stored]


def test_paging_and_streaming(sql_store: SqlStore) -> None:
    log = open_log(sql_store)
    log.append([make_event(i) for i in range(25)])
    assert [e.index for e in log.entries(20, 10)] == [20, 21, 22, 23, 24]
    store = AuditStore(sql_store.engine)
    assert [i for i, _ in store.iter_entries(page=4)] == list(range(25))
    assert [i for i, _ in store.iter_entries(5, 13, page=3)] == list(range(5, 13))
    with pytest.raises(ValueError, match="want start >= 0, limit > 0"):
        log.entries(0, 0)


def test_lookup_by_request_id(audit_log: AuditLog) -> None:
    audit_log.append([make_event(1), make_event(2), make_event(3, request_id="req-000001")])
    assert audit_log.indexes_of("req-000001") == [0, 2]
    assert audit_log.index_of("req-000002") == 1
    assert audit_log.indexes_of("nope") == []
    with pytest.raises(AuditNotFound, match="no entry for request id 'nope'"):
        audit_log.index_of("nope")
    with pytest.raises(AuditNotFound, match="has no entry at index 3"):
        audit_log.entry(3)


def test_refusal_is_stored_as_a_refusal(audit_log: AuditLog) -> None:
    [index] = audit_log.append([make_event(6)])
    event = decode_entry(audit_log.entry(index).entry)
    assert (event.action, event.decision, event.reason) == (
        Action.REFUSAL, Decision.DENY, "NO_GRANT")
    assert event.subject_token is None and event.records_returned == 0


def test_proofs_and_heads_match_an_independent_tree(audit_log: AuditLog) -> None:
    events = [make_event(i) for i in range(37)]
    reference = MemoryTree()
    heads = []
    for chunk in (events[:1], events[1:8], events[8:20], events[20:]):
        audit_log.append(chunk)
        reference.extend(hash_leaf(encode_entry(e)) for e in chunk)
        heads.append(audit_log.latest_checkpoint())
    verifier = audit_log.verifier
    assert verifier.public_key == public_key_of(KEY)
    for head in heads:
        checkpoint = verify_checkpoint(head.note, ORIGIN, [verifier])
        assert checkpoint == head.checkpoint
        assert checkpoint.root == reference.root(checkpoint.size)
        verify_head_signature(checkpoint, head.signature, verifier.public_key)
    for size in (1, 8, 20, 37):
        for index in {0, size // 2, size - 1}:
            proof = audit_log.inclusion_proof(index, size)
            assert proof == reference.inclusion_proof(index, size)
            leaf = hash_leaf(encode_entry(events[index]))
            verify_inclusion(index, size, leaf, proof, reference.root(size))
    for a, b in pairwise(heads):
        s1, s2 = a.checkpoint.size, b.checkpoint.size
        proof = audit_log.consistency_proof(s1, s2)
        verify_consistency(s1, s2, proof, a.checkpoint.root, b.checkpoint.root)
    # A head re-signed at an older size is the same head.
    assert audit_log.checkpoint(8).checkpoint == heads[1].checkpoint
    assert audit_log.inclusion_proof(36) == reference.inclusion_proof(36, 37)


def test_range_errors(audit_log: AuditLog) -> None:
    audit_log.append([make_event(i) for i in range(3)])
    with pytest.raises(AuditRangeError, match="got index 3, want 0 <= index < 3"):
        audit_log.inclusion_proof(3)
    with pytest.raises(AuditRangeError, match="got tree size 4, want 0 <= size <= 3"):
        audit_log.inclusion_proof(0, 4)
    with pytest.raises(AuditRangeError, match="got sizes 0, 3; want 0 < size1 <= size2"):
        audit_log.consistency_proof(0)
    with pytest.raises(AuditRangeError, match="checkpoint: got tree size 9"):
        audit_log.checkpoint(9)


def test_failed_append_writes_nothing(sql_store: SqlStore, store_engine: Engine) -> None:
    def broken(size: int, peaks: Sequence[bytes]) -> CompactRange:
        # Called after the entry rows were inserted: the whole transaction must roll back.
        raise MerkleError(f"cannot restore size {size} from {len(peaks)} peaks")

    good = open_log(sql_store)
    good.append([make_event(0)])
    bad = open_log(sql_store, range_factory=broken)
    with pytest.raises(StoreCorruptionError, match="stored peaks do not restore a tree"):
        bad.append([make_event(1), make_event(2)])
    assert good.size() == 1
    assert [e.index for e in good.entries(0, 10)] == [0]
    assert good.append([make_event(3)]) == [1]


def test_receipt_round_trip(audit_log: AuditLog) -> None:
    audit_log.append([make_event(i) for i in range(5)])
    receipt = log_receipt(audit_log, 3, KEY)
    size = verify_checkpoint(receipt.checkpoint, ORIGIN, [audit_log.verifier]).size
    proof = audit_log.inclusion_proof(3, size)
    entry = audit_log.entry(3).entry
    verify_receipt(receipt, proof, audit_log.verifier, entry=entry)
    with pytest.raises(InvalidReceipt, match="the entry does not hash to the receipt's leaf"):
        verify_receipt(receipt, proof, audit_log.verifier, entry=audit_log.entry(2).entry)
    moved = make_receipt(receipt.request_id, 2, receipt.leaf_hash, receipt.checkpoint, KEY)
    with pytest.raises(InvalidReceipt, match="leaf 2 not proven in the tree"):
        verify_receipt(moved, audit_log.inclusion_proof(2, size), audit_log.verifier)
    forged = replace(receipt, leaf_index=4)
    with pytest.raises(InvalidReceipt, match="does not verify for domain"):
        verify_receipt(forged, audit_log.inclusion_proof(4, size), audit_log.verifier)
    assert decode_receipt(encode_receipt(receipt)) == receipt


def test_node_lookup_names_a_missing_node(sql_store: SqlStore) -> None:
    store = AuditStore(sql_store.engine)
    open_log(sql_store).append([make_event(i) for i in range(3)])
    assert store.get_nodes([NodeID(1, 0), NodeID(0, 2), NodeID(1, 0)]) == sql_store.get_nodes(
        AUDIT_LOG, [(1, 0), (0, 2), (1, 0)])
    with pytest.raises(StoreNotFoundError, match="log 'audit' holds no node at level 1, index 1"):
        store.get_nodes([NodeID(0, 0), NodeID(1, 1)])


def test_malformed_receipt_refused() -> None:
    with pytest.raises(InvalidReceipt, match="malformed receipt: want keys"):
        decode_receipt(b'{"request_id":"r"}')
    with pytest.raises(InvalidReceipt, match="malformed receipt: leaf_index is not an integer"):
        decode_receipt(b'{"checkpoint":"c","leaf_hash":"00","leaf_index":"1",'
                       b'"request_id":"r","signature":"00"}')
