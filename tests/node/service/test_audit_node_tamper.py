"""Tampering with a running node's real database is caught by ``audit verify``.

JS (its database a SQLite file, then a PostgreSQL schema) and SH (its witness) run on a
real anvil. After a small workload JS's audit log is anchored and co-signed; then rows of
JS's ``audit_entries`` are edited, deleted and swapped with plain SQL — what an operator
with database access could do — and the auditor, over gRPC and the chain only, finds
each with its problem code (each test puts the rows back and the log verifies again).
The last test forks the log: the history is rewritten under the node's own key, so the
node serves a signed head of an anchored size with another root; the auditor reports a
FORK, the witness SH keeps the evidence, and JS's anchoring refuses to go on over it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from anvil_chains import AnvilLauncher
from audit_node_helpers import (
    AuditNet,
    anchored,
    audit_caught_up,
    build_net,
    postgres_schema,
    records_of,
    running,
    submit,
    wait_for,
)
from sqlalchemy import Engine, text

from node._proto.credit.v1 import common_pb2, node_pb2, query_pb2
from node.audit import Action, AuditEvent, Decision, ProblemCode
from node.grpc.stubs import node_stub, query_stub
from node.service.audit_witness import fork_key
from node.store import make_engine

WHERE = "log_name = 'audit' AND idx = :i"


@pytest.fixture(scope="module", params=["sqlite-file", pytest.param(
    "postgresql", marks=pytest.mark.postgres)])
def net(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        anvil_launcher: AnvilLauncher) -> Iterator[AuditNet]:
    with anvil_launcher.start() as chain:
        base = tmp_path_factory.mktemp(f"tamper-{request.param}")
        if request.param == "postgresql":
            with postgres_schema() as url:
                built = build_net(base, chain.rpc_url, ("JS", "SH"), databases={"JS": url})
                with running(built):
                    yield _workload(built)
        else:
            built = build_net(base, chain.rpc_url, ("JS", "SH"))
            with running(built):
                yield _workload(built)


def _workload(net: AuditNet) -> AuditNet:
    """Ingest, a pull by SH, queries and status reads at JS; JS's log anchored and
    co-signed by SH."""
    assert len(submit(net, "JS", records_of("JS", 12, seed=9)).accepted) == 12
    anchored(net, "JS", 12)
    wait_for(lambda: net["SH"].node.app.store.get_meta("exchange.cursor.JS") == "leaf:12")
    for number, purpose in enumerate(["credit_report", "supervision", "credit_report"]):
        request = query_pb2.QueryRequest(purpose=purpose, request_id=f"t-{number}",
                                         subject=common_pb2.SubjectRef(id="91320000MA1X00000X"))
        with net.channel("JS", "agency", "JS") as ch:
            try:
                query_stub(ch).Query(request, timeout=10)
            except Exception:  # the refusals are part of the workload
                pass
        with net.channel("JS", "auditor", "JS") as ch:
            node_stub(ch).GetStatus(node_pb2.GetStatusRequest(), timeout=10)
    size = audit_caught_up(net, "JS")
    assert size >= 8
    wait_for(lambda: net.ledger().witness_count("JS", size) == 1)
    return net


@pytest.fixture
def engine(net: AuditNet) -> Iterator[Engine]:
    """A second connection to JS's own database, as an operator would open it."""
    found = make_engine(net["JS"].database_url)
    try:
        yield found
    finally:
        found.dispose()


def _row(engine: Engine, index: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(text(f"SELECT * FROM audit_entries WHERE {WHERE}"),
                                 {"i": index}).mappings().one())


def _sql(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        assert conn.execute(text(sql), params).rowcount == 1


def _set_entry(engine: Engine, index: int, entry: bytes) -> None:
    _sql(engine, f"UPDATE audit_entries SET entry = :e WHERE {WHERE}", e=entry, i=index)


def _codes(net: AuditNet) -> set[ProblemCode]:
    return net.verify("JS", peers=False).report.codes()


def test_the_untouched_log_verifies(net: AuditNet) -> None:
    verdict = net.verify("JS")
    assert verdict.report.problems == ()
    assert verdict.report.checked_entries == verdict.served_size >= 8
    assert verdict.witness_cosignatures >= 1


def test_an_edited_entry_is_found(net: AuditNet, engine: Engine) -> None:
    original = _row(engine, 2)["entry"]
    forged = bytes(original).replace(b'"request_id":"', b'"request_id":"X')
    assert forged != bytes(original)
    _set_entry(engine, 2, forged)
    try:
        report = net.verify("JS", peers=False).report
        assert not report.ok
        mismatches = [p.detail for p in report.problems if p.code is ProblemCode.ENTRY_MISMATCH]
        assert [d.split(" is ")[0] for d in mismatches] == ["entry 2"]
        assert ProblemCode.ROOT_MISMATCH in report.codes()
    finally:
        _set_entry(engine, 2, bytes(original))
    assert _codes(net) == set()


def test_a_deleted_entry_is_found(net: AuditNet, engine: Engine) -> None:
    row = _row(engine, 3)
    _sql(engine, f"DELETE FROM audit_entries WHERE {WHERE}", i=3)
    try:
        report = net.verify("JS", peers=False).report
        assert ProblemCode.MISSING_ENTRY in report.codes()
        assert any(p.detail.startswith("entries 3..3 are missing (1 entry)")
                   for p in report.problems)
    finally:
        _sql(engine, "INSERT INTO audit_entries (log_name, idx, request_id, entry, created_at) "
             "VALUES (:log_name, :idx, :request_id, :entry, :created_at)", **row)
    assert _codes(net) == set()


def test_swapped_entries_are_found(net: AuditNet, engine: Engine) -> None:
    first, second = bytes(_row(engine, 4)["entry"]), bytes(_row(engine, 5)["entry"])
    assert first != second
    _set_entry(engine, 4, second)
    _set_entry(engine, 5, first)
    try:
        report = net.verify("JS", peers=False).report
        mismatches = sorted(p.detail.split(" is ")[0] for p in report.problems
                            if p.code is ProblemCode.ENTRY_MISMATCH)
        assert mismatches == ["entry 4", "entry 5"]
        assert ProblemCode.ROOT_MISMATCH in report.codes()
    finally:
        _set_entry(engine, 4, first)
        _set_entry(engine, 5, second)
    assert _codes(net) == set()


def test_a_forked_log_is_found(net: AuditNet, engine: Engine) -> None:
    """Runs last: it rewrites JS's history for good."""
    ledger = net.ledger()
    size = audit_caught_up(net, "JS")
    wait_for(lambda: ledger.witness_count("JS", size) == 1)
    log = net["JS"].node.app.access_log.log
    with engine.begin() as conn:
        for table in ("audit_entries", "log_nodes", "log_state"):
            conn.execute(text(f"DELETE FROM {table} WHERE log_name = 'audit'"))
    fingerprint = "ab" * 32
    log.append([AuditEvent(time=datetime.now(UTC), actor=fingerprint, role="auditor",
                           action=Action.AUDIT_READ, decision=Decision.ALLOW,
                           request_id=f"rewritten-{i}") for i in range(size)])
    assert log.size() == size and log.checkpoint(size).checkpoint.root != (
        ledger.latest_audit_head("JS").root)
    report = net.verify("JS", peers=False).report
    forks = [p.detail for p in report.problems if p.code is ProblemCode.FORK]
    # The node may log another access before the auditor reads its head: the served head
    # is the rewritten log at its size or later, never a continuation of the anchored one.
    assert len(forks) == 1
    served = re.search(r"served head at size (\d+)", forks[0])
    assert served is not None and int(served.group(1)) >= size, forks[0]
    assert ProblemCode.ROOT_MISMATCH in report.codes()
    # The witness sees the node sign another root at the anchored size, and keeps both.
    sh = net["SH"].node.app.store
    wait_for(lambda: sh.get_meta(fork_key("JS")) is not None)
    evidence = json.loads(sh.get_meta(fork_key("JS")) or "{}")
    assert evidence["kind"] == "fork" and evidence["size"] == size
    assert evidence["root_a"] == ledger.latest_audit_head("JS").root.hex()
    assert evidence["root_b"] == log.checkpoint(size).checkpoint.root.hex()
    # JS's own anchoring will not anchor the rewritten log over the anchored one.
    registry = net["JS"].node.app.metrics.registry
    wait_for(lambda: (registry.get_sample_value("credit_audit_forks_total",
                                                {"log": "own"}) or 0) >= 1)
    assert ledger.latest_audit_head("JS").tree_size == size
