"""`credit-node serve` as a process: SIGKILL mid-ingest loses nothing acknowledged and
anchors nothing twice; SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
from service_helpers import NodeDir, channel, synth_lines, wait_for

from ledger.child_process import die_with_parent
from node._proto.credit.v1 import ingest_pb2
from node.grpc.stubs import ingest_stub
from node.runtime.serve_file import SERVE_FILE, read_serve_file
from node.store import RECORDS_LOG, open_store

REPO = Path(__file__).resolve().parents[3]


def _serve(node_dir: NodeDir) -> tuple[subprocess.Popen[bytes], int]:
    (node_dir.root / SERVE_FILE).unlink(missing_ok=True)
    log = (node_dir.root / "serve.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "node.cli.main", "serve", "--config", str(node_dir.config)],
        cwd=REPO, stdout=log, stderr=log, preexec_fn=die_with_parent())
    def ready() -> bool:
        assert process.poll() is None, (node_dir.root / "serve.log").read_text()[-2000:]
        try:
            return bool(read_serve_file(node_dir.root)["pid"] == process.pid)
        except (OSError, ValueError):
            return False
    wait_for(ready, timeout=60)
    return process, int(read_serve_file(node_dir.root)["grpc"])


def _submit_until_killed(node_dir: NodeDir, port: int, lines: list[bytes],
                         acked: dict[str, bytes]) -> None:
    with channel(node_dir, port, "platform") as ch:
        stub = ingest_stub(ch)
        for start in range(0, len(lines), 100):
            try:
                answer = stub.SubmitRecords(ingest_pb2.SubmitRecordsRequest(
                    records=lines[start:start + 100]), timeout=10)
            except grpc.RpcError:
                return
            for a in answer.accepted:
                acked[a.record_no] = a.commitment


def test_sigkill_mid_ingest_then_restart(node_dir: NodeDir) -> None:
    lines = synth_lines(20_000, seed=3)
    process, port = _serve(node_dir)
    acked: dict[str, bytes] = {}
    submitter = threading.Thread(target=_submit_until_killed,
                                 args=(node_dir, port, lines, acked))
    submitter.start()
    wait_for(lambda: len(acked) >= 1500, timeout=60)
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    submitter.join(30)
    assert 1500 <= len(acked) < len(lines)

    process, port = _serve(node_dir)
    with channel(node_dir, port, "platform") as ch:
        stub = ingest_stub(ch)
        def drained() -> bool:
            b = stub.GetBacklog(ingest_pb2.GetBacklogRequest(), timeout=10)
            return bool(b.backlog == 0 and b.log_size >= len(acked))
        wait_for(drained, timeout=60)
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0

    store = open_store(f"sqlite:///{node_dir.root / 'node.db'}")
    for record_no, commitment in acked.items():
        stored = store.get_record("JS", record_no)
        assert stored is not None and stored.commitment == commitment
    ledger = node_dir.ledger()
    on_chain = ledger.latest_batch("JS")
    batches = store.batches_by_status("anchored")
    assert [b.seq for b in batches] == list(range(1, on_chain.seq + 1))
    assert store.batches_by_status("signed") == store.batches_by_status("submitted") == []
    previous_end = 0
    for batch in batches:
        root, size, _block = ledger.batch("JS", batch.seq)
        assert (root, size) == (batch.root, batch.end_size)
        assert batch.start_size == previous_end
        assert store.log_root(RECORDS_LOG, batch.end_size) == root
        previous_end = batch.end_size
    assert previous_end == store.log_size(RECORDS_LOG) == store.count_records("local")
