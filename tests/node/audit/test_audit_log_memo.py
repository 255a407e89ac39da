"""What an AuditLog remembers: the nodes it wrote or read, the head it signed last — and
that answers from memory equal answers read from the database."""

from __future__ import annotations

from audit_helpers import KEY, ORIGIN, make_event

from crypto.checkpoint import verify_head_signature
from crypto.merkle import fold_peaks, hash_leaf, verify_inclusion
from crypto.signing import public_key_of
from node.audit import AuditLog, encode_entry
from node.store import SqlStore
from node.store.sql_audit import AuditStore


def _log(store: SqlStore) -> AuditLog:
    return AuditLog(store, AuditStore(store.engine), KEY, ORIGIN)  # type: ignore[arg-type]


def test_proofs_from_memory_equal_proofs_read_back(sql_store: SqlStore) -> None:
    writer = _log(sql_store)
    heads = []
    for start in range(0, 37, 5):
        rows = [(f"req-{i}", encode_entry(make_event(i))) for i in range(start, start + 5)]
        first, head = writer.append_encoded(rows)
        assert first == start and head.size == start + 5
        heads.append(head)
    fresh = _log(sql_store)  # remembers nothing: reads every node from the database
    size = heads[-1].size
    root = fold_peaks(heads[-1].peaks)
    for index in range(size):
        proof = writer.inclusion_proof(index, size)
        assert proof == fresh.inclusion_proof(index, size)
        leaf = hash_leaf(encode_entry(make_event(index)))
        verify_inclusion(index, size, leaf, proof, root)
    assert writer.consistency_proof(7, size) == fresh.consistency_proof(7, size)


def test_signed_head_is_the_heads_checkpoint_signed_once(sql_store: SqlStore) -> None:
    log = _log(sql_store)
    _, head = log.append_encoded([("req-0", encode_entry(make_event(0))),
                                  ("req-1", encode_entry(make_event(1)))])
    signed = log.signed_head(head)
    assert log.signed_head(head) is signed  # the same head is not signed again
    assert signed.checkpoint == log.checkpoint(2).checkpoint
    verify_head_signature(signed.checkpoint, signed.signature, public_key_of(KEY))
    _, later = log.append_encoded([("req-2", encode_entry(make_event(2)))])
    assert log.signed_head(later).checkpoint.size == 3
