"""Ingest over real gRPC + mutual TLS: accepted, rejected with lines, idempotent."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest
from service_helpers import NodeDir, channel, synth_lines, wait_for

from node._proto.credit.v1 import ingest_pb2, node_pb2
from node.grpc.stubs import ingest_stub, node_stub
from node.runtime.node import RunningNode
from node.runtime.serve_file import read_serve_file


def _submit(node_dir: NodeDir, port: int, records: list[bytes], first_line: int = 1,
            label: str = "platform") -> Any:
    with channel(node_dir, port, label) as ch:
        stub = ingest_stub(ch)
        return stub.SubmitRecords(ingest_pb2.SubmitRecordsRequest(
            records=records, source="t.jsonl", first_line=first_line), timeout=30)


def test_serve_file_names_the_bound_port(node_dir: NodeDir, running: RunningNode) -> None:
    doc = read_serve_file(node_dir.root)
    assert doc["grpc"] == running.port > 0


def test_accepts_good_rejects_bad_with_line_numbers(node_dir: NodeDir,
                                                    running: RunningNode) -> None:
    good = synth_lines(3)
    bad = json.loads(good[1])
    bad["CF_XDR_MC" if bad["kind"] == "penalty" else "record_no"] = ""
    other_province = json.loads(good[2])
    other_province["province"] = "SH"
    records = [good[0], json.dumps(bad).encode(), b"not json", json.dumps(other_province).encode()]
    response = _submit(node_dir, running.port, records, first_line=10)
    assert [(a.position, a.leaf_index, a.duplicate) for a in response.accepted] == [(0, 0, False)]
    assert len(response.accepted[0].commitment) == 32
    rejected = {r.position: r for r in response.rejected}
    assert sorted(rejected) == [1, 2, 3]
    assert rejected[2].line == 12 and rejected[2].errors[0].code == "NOT_JSON"
    assert any(e.code == "PROVINCE_NOT_YOURS" for e in rejected[3].errors)
    assert response.request_id


def test_resubmission_is_idempotent(node_dir: NodeDir, running: RunningNode) -> None:
    records = synth_lines(5)
    first = _submit(node_dir, running.port, records)
    again = _submit(node_dir, running.port, records)
    assert [a.duplicate for a in first.accepted] == [False] * 5
    assert [a.duplicate for a in again.accepted] == [True] * 5
    assert [(a.commitment, a.leaf_index) for a in again.accepted] == [
        (a.commitment, a.leaf_index) for a in first.accepted]
    assert running.app.store.count_records("local") == 5


def test_stream_answers_each_chunk_and_backlog_drains(node_dir: NodeDir,
                                                     running: RunningNode) -> None:
    lines = synth_lines(30)
    chunks = [lines[i:i + 10] for i in range(0, 30, 10)]
    with channel(node_dir, running.port, "platform") as ch:
        stub = ingest_stub(ch)
        requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
            records=c, first_line=1 + 10 * i)) for i, c in enumerate(chunks))
        answers = list(stub.SubmitStream(requests, timeout=30))
        assert [len(a.result.accepted) for a in answers] == [10, 10, 10]

        def drained() -> bool:
            b = stub.GetBacklog(ingest_pb2.GetBacklogRequest(), timeout=10)
            return bool(b.log_size == 30 and b.backlog == 0 and b.last_anchored_seq >= 1)
        wait_for(drained)
    with channel(node_dir, running.port, "admin") as ch:
        status = node_stub(ch).GetStatus(node_pb2.GetStatusRequest(),
                                                            timeout=10)
    assert (status.province, status.records, status.log_size, status.anchored_size) == (
        "JS", 30, 30, 30)


@pytest.mark.parametrize(("label", "code"), [
    ("agency", grpc.StatusCode.PERMISSION_DENIED),
    ("node", grpc.StatusCode.UNAUTHENTICATED),
])
def test_only_the_platform_may_submit(node_dir: NodeDir, running: RunningNode, label: str,
                                      code: grpc.StatusCode) -> None:
    with pytest.raises(grpc.RpcError) as info:
        _submit(node_dir, running.port, synth_lines(1), label=label)
    assert info.value.code() is code
    assert running.app.store.count_records("local") == 0
