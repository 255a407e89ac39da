"""The AuditService and the audited servicers of a running node (after the shared
workload, ``conftest``): roles and error codes, status, fail-closed logging, defects and
callers that gave up logged as refusals, bounded pages, and ``credit-node audit``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from audit_node_helpers import AuditNet, refused, wait_for

from node._proto.credit.v1 import audit_pb2, node_pb2
from node.audit import Action, decode_entry
from node.cli.main import main
from node.grpc.client import tls_channel
from node.grpc.stubs import audit_stub, node_stub
from node.store.errors import StoreUnavailableError


def test_audit_service_roles_and_errors(trio: AuditNet, workload: dict[str, Any]) -> None:
    calls = [
        ("SH", "node", "ListEntries", audit_pb2.ListEntriesRequest(),
         grpc.StatusCode.PERMISSION_DENIED),
        ("JS", "agency", "GetLatestHead", audit_pb2.GetLatestHeadRequest(),
         grpc.StatusCode.PERMISSION_DENIED),
        ("JS", "auditor", "GetInclusionProof",
         audit_pb2.GetInclusionProofRequest(request_id="never-logged"),
         grpc.StatusCode.NOT_FOUND),
        ("JS", "auditor", "GetHeadAtSize", audit_pb2.GetHeadAtSizeRequest(tree_size=10**9),
         grpc.StatusCode.OUT_OF_RANGE),
        ("JS", "auditor", "GetConsistencyProof",
         audit_pb2.GetConsistencyProofRequest(first_size=0, second_size=1),
         grpc.StatusCode.OUT_OF_RANGE),
    ]
    before = trio["JS"].node.app.access_log.log.size()
    for caller, label, method, request, code in calls:
        channel = (trio.channel(caller, label, "JS") if label != "node" else
                   _node_channel(trio, caller, "JS"))
        with channel as ch, pytest.raises(grpc.RpcError) as info:
            getattr(audit_stub(ch), method)(request, timeout=10)
        assert info.value.code() is code, method
    logged = [decode_entry(data) for _, data in
              trio["JS"].node.app.access_log.log.iter_entries(start=before)]
    assert [(e.action, e.reason) for e in logged][:5] == [
        (Action.REFUSAL, "WRONG_ROLE"), (Action.REFUSAL, "WRONG_ROLE"),
        (Action.REFUSAL, "NOT_FOUND"), (Action.REFUSAL, "OUT_OF_RANGE"),
        (Action.REFUSAL, "OUT_OF_RANGE")]
    assert logged[0].role == "peer" and logged[0].peer == "SH"


def _node_channel(trio: AuditNet, caller: str, target: str) -> Any:
    who, to = trio[caller].layout, trio[target]
    return tls_channel(f"localhost:{to.port}", cert=who.node_cert, key=who.node_key,
                       ca=to.layout.ca_cert)


def test_status_counts_the_audit_log(trio: AuditNet, workload: dict[str, Any]) -> None:
    with trio.channel("JS", "admin", "JS") as ch:
        status = node_stub(ch).GetStatus(node_pb2.GetStatusRequest(), timeout=10)
    size = trio["JS"].node.app.access_log.log.size()
    # The read is logged before its answer leaves: the answer counts the log before it.
    assert status.audit_size == size - 1
    last = trio["JS"].node.app.access_log.log.entry(size - 1)
    assert decode_entry(last.entry).action is Action.ADMIN


def test_an_access_that_cannot_be_logged_is_not_answered(
        trio: AuditNet, workload: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(rows: object) -> tuple[int, object]:
        raise StoreUnavailableError("database unavailable (test)")

    # The access log writes through append_encoded (group commit of encoded entries).
    monkeypatch.setattr(trio["JS"].node.app.access_log.log, "append_encoded", broken)
    code = refused(trio, "JS", "agency", purpose="credit_report",
                    subject=workload["subject"], request_id="q-unlogged-1")
    assert code is grpc.StatusCode.UNAVAILABLE
    monkeypatch.undo()
    assert trio["JS"].node.app.access_log.log.indexes_of("q-unlogged-1") == []


def test_a_defect_is_audited_and_answered_without_details(
        trio: AuditNet, workload: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(origin: str) -> int:
        raise RuntimeError("a bug holding a secret detail")

    monkeypatch.setattr(trio["JS"].node.app.store, "count_records", broken)
    with trio.channel("JS", "admin", "JS") as ch, pytest.raises(grpc.RpcError) as info:
        node_stub(ch).GetStatus(node_pb2.GetStatusRequest(), timeout=10)
    assert info.value.code() is grpc.StatusCode.INTERNAL
    assert "secret" not in (info.value.details() or "")
    log = trio["JS"].node.app.access_log.log
    last = decode_entry(log.entry(log.size() - 1).entry)
    assert (last.action, last.reason, last.role) == (Action.REFUSAL, "INTERNAL", "admin")


def test_an_answer_the_caller_gave_up_on_is_logged_asrefused(
        trio: AuditNet, workload: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from node.grpc import servicers

    store = trio["JS"].node.app.store
    slow_count = store.count_records
    contexts: list[grpc.ServicerContext] = []
    real_audited = servicers.audited

    def capturing(app: Any, context: grpc.ServicerContext, *args: Any, **kwargs: Any) -> Any:
        contexts.append(context)
        return real_audited(app, context, *args, **kwargs)

    def slow(origin: Any) -> int:
        # The answer comes only once the server has seen the caller go, however slow the
        # machine: the signal is the call's own context turning inactive.
        wait_for(lambda: bool(contexts) and not contexts[-1].is_active(), timeout=30)
        return slow_count(origin)

    monkeypatch.setattr(servicers, "audited", capturing)
    monkeypatch.setattr(store, "count_records", slow)
    log = trio["JS"].node.app.access_log.log
    before = log.size()
    with trio.channel("JS", "admin", "JS") as ch, pytest.raises(grpc.RpcError) as info:
        node_stub(ch).GetStatus(node_pb2.GetStatusRequest(), timeout=0.2)
    assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    wait_for(lambda: log.size() > before)
    event = decode_entry(log.entry(before).entry)
    assert (event.action, event.reason) == (Action.REFUSAL, "CALLER_GONE")


def test_entry_pages_stay_small(monkeypatch: pytest.MonkeyPatch) -> None:
    from node.grpc import audit_servicer
    from node.store.sql_audit import StoredEntry

    monkeypatch.setattr(audit_servicer, "MAX_PAGE_BYTES", 250)
    page = [StoredEntry(i, f"r{i}", b"x" * 100, datetime.now(UTC)) for i in range(5)]
    assert [e.index for e in audit_servicer._within_bytes(page)] == [0, 1]
    big = [StoredEntry(0, "r0", b"x" * 1000, datetime.now(UTC))]
    assert audit_servicer._within_bytes(big) == big  # never an empty page


def _cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, Any]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_the_audit_command(trio: AuditNet, workload: dict[str, Any],
                           capsys: pytest.CaptureFixture[str]) -> None:
    layout = trio["SH"].layout
    auditor = trio.auditor
    assert auditor is not None
    contracts = ",".join(f"{k}={v}" for k, v in trio.deployment.addresses.items())
    target = ["--endpoint", f"localhost:{trio['SH'].port}",
              "--cert", str(auditor.cert), "--key", str(auditor.key),
              "--ca", str(layout.ca_cert), "--rpc-url", trio.rpc_url, "--contracts", contracts]
    code, report = _cli(capsys, ["audit", "verify", *target])
    assert code == 0, report
    assert report["ok"] and report["province"] == "SH" and report["problems"] == []
    assert report["checked_entries"] > 0 and report["anchored_heads"] >= 1
    code, head = _cli(capsys, ["audit", "head", *target])
    assert code == 0 and head["province"] == "SH" and head["tree_size"] >= 1
    code, proof = _cli(capsys, ["audit", "proof", *target, "--request-id", "q-fed-1"])
    logged = trio["SH"].node.app.access_log.log.indexes_of("q-fed-1")
    assert len(logged) >= 2  # the query, and what was fetched on request from the peers
    assert code == 0 and [i["leaf_index"] for i in proof["inclusions"]] == logged
    assert all(item["in_tree"] for item in proof["inclusions"])
    code, _ = _cli(capsys, ["audit", "verify", "--endpoint", "localhost:1"])
    assert code == 2  # the other options are missing


def test_unusable_consortium_dir_exits_2(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--consortium", str(tmp_path), "--node", "JS"]) == 2
    assert "cannot audit" in capsys.readouterr().err
