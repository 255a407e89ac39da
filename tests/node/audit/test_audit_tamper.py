"""Tampering with a real database is caught by the verifier, each with its problem code.

The log is written through ``AuditLog``, heads are "anchored" as the chain would hold
them, then rows of ``audit_entries`` are edited, deleted or swapped with plain SQL — what
an operator with database access could do — and the auditor's checks run over what the
node then serves (entries from the database, proofs from its stored tree).
"""

from __future__ import annotations

import pytest
from audit_helpers import IDENTITY, KEY, ORIGIN, make_event
from sqlalchemy import Engine, text

from node.audit import (
    AnchoredHead,
    AuditLog,
    ProblemCode,
    VerifyReport,
    detect_fork,
    encode_entry,
    verify_log,
)
from node.store import SqlStore, make_engine, migrate
from node.store.sql_audit import AuditStore

SIZES = (10, 25, 40)


@pytest.fixture
def audit_log(sql_store: SqlStore) -> AuditLog:
    log = AuditLog(sql_store, AuditStore(sql_store.engine), KEY, ORIGIN)
    for start, end in zip((0, *SIZES), SIZES, strict=False):
        log.append([make_event(i) for i in range(start, end)])
    return log


def anchors(log: AuditLog) -> list[AnchoredHead]:
    heads = [log.checkpoint(size) for size in SIZES]
    return [AnchoredHead(h.checkpoint.size, h.checkpoint.root, h.signature, block)
            for block, h in enumerate(heads, 100)]


def audit(log: AuditLog, heads: list[AnchoredHead], served: list[str] | None = None
          ) -> VerifyReport:
    return verify_log(log.iter_entries(), heads, IDENTITY,
                      served_heads=served if served is not None else [log.latest_checkpoint().note],
                      consistency_proof=log.consistency_proof,
                      inclusion_proof=log.inclusion_proof)


def run_sql(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        result = conn.execute(text(sql), params)
        assert result.rowcount >= 1


def entry_at(engine: Engine, index: int) -> bytes:
    with engine.connect() as conn:
        return bytes(conn.execute(text("SELECT entry FROM audit_entries WHERE idx = :i"),
                                  {"i": index}).scalar_one())


def test_untouched_log_verifies(audit_log: AuditLog) -> None:
    report = audit(audit_log, anchors(audit_log))
    assert report.problems == ()
    assert report.ok
    assert (report.checked_entries, report.anchored_heads, report.latest_anchored_size) == (
        40, 3, 40)


def test_edited_entry_is_found(audit_log: AuditLog, store_engine: Engine) -> None:
    heads = anchors(audit_log)
    forged = encode_entry(make_event(13, purpose="supervision"))
    run_sql(store_engine, "UPDATE audit_entries SET entry = :e WHERE idx = 13", e=forged)
    report = audit(audit_log, heads)
    assert not report.ok
    mismatches = [p for p in report.problems if p.code is ProblemCode.ENTRY_MISMATCH]
    assert [p.detail.split(" is ")[0] for p in mismatches] == ["entry 13"]
    roots = [p for p in report.problems if p.code is ProblemCode.ROOT_MISMATCH]
    assert "at size 25" in roots[0].detail and "1 of the 15 entries" in roots[0].detail
    # Later heads fail too, and say the damage came earlier.
    assert "entries already differed at size 25" in roots[-1].detail


def test_deleted_entry_is_found(audit_log: AuditLog, store_engine: Engine) -> None:
    heads = anchors(audit_log)
    run_sql(store_engine, "DELETE FROM audit_entries WHERE idx = 31")
    report = audit(audit_log, heads)
    codes = report.codes()
    assert ProblemCode.MISSING_ENTRY in codes
    assert any(p.detail.startswith("entries 31..31 are missing (1 entry)")
               for p in report.problems)
    assert ProblemCode.ROOT_MISMATCH not in {p.code for p in report.problems
                                             if "size 25" in p.detail}
    assert report.checked_entries == 39


def test_swapped_entries_are_found(audit_log: AuditLog, store_engine: Engine) -> None:
    heads = anchors(audit_log)
    first, second = entry_at(store_engine, 3), entry_at(store_engine, 4)
    run_sql(store_engine, "UPDATE audit_entries SET entry = :e WHERE idx = 3", e=second)
    run_sql(store_engine, "UPDATE audit_entries SET entry = :e WHERE idx = 4", e=first)
    report = audit(audit_log, heads)
    mismatches = sorted(p.detail.split(" is ")[0] for p in report.problems
                        if p.code is ProblemCode.ENTRY_MISMATCH)
    assert mismatches == ["entry 3", "entry 4"]
    assert ProblemCode.ROOT_MISMATCH in report.codes()


def test_forked_log_is_found(audit_log: AuditLog, store_url: str) -> None:
    heads = anchors(audit_log)
    # A second log under the same key and origin, same size, other entries: a fork.
    engine = make_engine("sqlite://")
    try:
        migrate(engine)
        fork = AuditLog(SqlStore(engine), AuditStore(engine), KEY, ORIGIN)
        fork.append([make_event(i, purpose="supervision") for i in range(40)])
        fork_note = fork.latest_checkpoint().note
    finally:
        engine.dispose()
    report = audit(audit_log, heads, served=[fork_note])
    forks = [p for p in report.problems if p.code is ProblemCode.FORK]
    assert len(forks) == 1
    assert "served head at size 40" in forks[0].detail
    assert "anchored head at size 40 (block 102)" in forks[0].detail
    evidence = detect_fork(audit_log.latest_checkpoint().note, fork_note, audit_log.verifier)
    assert evidence is not None and evidence.size == 40 and evidence.root_a != evidence.root_b
