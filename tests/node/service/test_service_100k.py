"""100,000 synthetic records over gRPC: all stored, few anchor transactions, every
record's inclusion proof verifies against its anchored batch root."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from service_helpers import NodeDir, channel, make_node_dir, synth_lines, wait_for

from crypto.merkle import hash_leaf, verify_inclusion
from ledger.devchain import DevChain
from node._proto.credit.v1 import ingest_pb2
from node.config import load_config
from node.grpc.stubs import ingest_stub
from node.runtime.node import RunningNode, start_node
from node.service.proofs import batch_proofs
from node.service.status import read_backlog
from node.store import RECORDS_LOG

COUNT = 100_000
CHUNK = 2_000


@pytest.mark.slow
def test_hundred_thousand_records(tmp_path: Path, anvil: DevChain) -> None:
    # One anchor per batch interval while records flow: at 5 s the count stays far below
    # the bound however loaded the machine is (the 1 s default gives about one per second).
    node_dir = make_node_dir(tmp_path / "js", anvil.rpc_url, batch_interval=5.0)
    running = start_node(load_config(node_dir.config), workers=4)
    try:
        _run(node_dir, running)
    finally:
        running.stop(grace=1.0)


def _run(node_dir: NodeDir, running: RunningNode) -> None:
    lines = synth_lines(COUNT, seed=100)
    started = time.monotonic()
    with channel(node_dir, running.port, "platform") as ch:
        stub = ingest_stub(ch)
        requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
            records=lines[i:i + CHUNK], first_line=i + 1)) for i in range(0, COUNT, CHUNK))
        accepted = sum(len(a.result.accepted) for a in stub.SubmitStream(requests, timeout=600))
    ingest_s = time.monotonic() - started
    assert accepted == COUNT
    store = running.app.store
    wait_for(lambda: read_backlog(store).backlog == 0, timeout=120)
    drained_s = time.monotonic() - started
    assert store.count_records("local") == store.log_size(RECORDS_LOG) == COUNT

    ledger = node_dir.ledger()
    batches = store.batches_by_status("anchored")
    assert ledger.latest_batch("JS").seq == len(batches) <= 40
    verify_started = time.monotonic()
    verified = 0
    for batch in batches:
        assert ledger.is_anchored("JS", batch.seq, batch.root)
        proofs = batch_proofs(store, batch, range(batch.start_size, batch.end_size))
        for record in store.records_by_leaf_range("JS", batch.start_size, batch.end_size):
            verify_inclusion(record.leaf_index, batch.end_size, hash_leaf(record.commitment),
                             proofs[record.leaf_index], batch.root)
            verified += 1
    assert verified == COUNT
    print(json.dumps({"records": COUNT, "ingest_s": round(ingest_s, 1),
                      "ingest_per_s": round(COUNT / ingest_s),
                      "until_all_anchored_s": round(drained_s, 1),
                      "anchor_transactions": len(batches),
                      "verify_all_proofs_s": round(time.monotonic() - verify_started, 1)}))
