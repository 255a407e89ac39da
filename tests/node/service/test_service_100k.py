"""Records streamed over gRPC end to end: all stored, anchored in consecutive batches
that tile the log, every record's inclusion proof verifies against its anchored root.

The functional check of the 100,000-record run; that run is a measurement and lives in
bench/bench_service_100k.py, so no test depends on how fast the machine is.
"""

from __future__ import annotations

from pathlib import Path

from service_helpers import NodeDir, channel, make_node_dir, synth_lines, wait_for

from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.merkle import hash_leaf, verify_inclusion
from ledger.devchain import DevChain
from node._proto.credit.v1 import ingest_pb2
from node.config import load_config
from node.grpc.stubs import ingest_stub
from node.runtime.node import RunningNode, start_node
from node.service.proofs import batch_proofs
from node.service.status import read_backlog
from node.store import FIRST_BATCH_SEQ, RECORDS_LOG

COUNT = 2_000
CHUNK = 250


def test_streamed_records_are_stored_anchored_and_provable(tmp_path: Path,
                                                           anvil: DevChain) -> None:
    node_dir = make_node_dir(tmp_path / "js", anvil.rpc_url, batch_interval=0.2)
    running = start_node(load_config(node_dir.config), workers=4)
    try:
        _run(node_dir, running)
    finally:
        running.stop(grace=1.0)


def _run(node_dir: NodeDir, running: RunningNode) -> None:
    lines = synth_lines(COUNT, seed=100)
    with channel(node_dir, running.port, "platform") as ch:
        requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
            records=lines[i:i + CHUNK], first_line=i + 1)) for i in range(0, COUNT, CHUNK))
        acks = list(ingest_stub(ch).SubmitStream(requests, timeout=300))
    assert len(acks) == COUNT // CHUNK
    assert sum(len(a.result.accepted) for a in acks) == COUNT
    assert not any(a.result.rejected for a in acks)
    store = running.app.store
    wait_for(lambda: read_backlog(store).backlog == 0, timeout=120)
    assert store.count_records("local") == store.log_size(RECORDS_LOG) == COUNT

    ledger = node_dir.ledger()
    batches = sorted(store.batches_by_status("anchored"), key=lambda b: b.seq)
    assert [b.seq for b in batches] == list(range(FIRST_BATCH_SEQ, FIRST_BATCH_SEQ + len(batches)))
    assert ledger.latest_batch("JS").seq == batches[-1].seq
    assert [(b.start_size, b.end_size) for b in batches] == list(zip(
        [0] + [b.end_size for b in batches[:-1]], [b.end_size for b in batches], strict=True))
    assert batches[-1].end_size == COUNT
    leaves: list[int] = []
    for batch in batches:
        assert ledger.is_anchored("JS", batch.seq, batch.root)
        proofs = batch_proofs(store, batch, range(batch.start_size, batch.end_size))
        for record in store.records_by_leaf_range("JS", batch.start_size, batch.end_size):
            leaf = hash_leaf(leaf_data(SCHEME_V2, record.commitment))
            verify_inclusion(record.leaf_index, batch.end_size, leaf,
                             proofs[record.leaf_index], batch.root)
            leaves.append(record.leaf_index)
    assert leaves == list(range(COUNT))
