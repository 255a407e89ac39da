"""100,000 synthetic records through a JS node over gRPC + mutual TLS, anchored on a local
anvil, then every record's inclusion proof checked against its anchored batch root; prints
JSON. A measurement, so it lives here: its functional twin in the suite,
tests/node/service/test_service_100k.py, runs the same checks on 2,000 records.

    .venv/bin/python bench/bench_service_100k.py [--count 100000] [--chunk 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "node" / "service")]

from service_helpers import NodeDir, channel, make_node_dir, synth_lines, wait_for  # noqa: E402

from crypto.disclosure import SCHEME_V2, leaf_data  # noqa: E402
from crypto.merkle import hash_leaf, verify_inclusion  # noqa: E402
from ledger.devchain import DevChain  # noqa: E402
from node._proto.credit.v1 import ingest_pb2  # noqa: E402
from node.config import load_config  # noqa: E402
from node.grpc.stubs import ingest_stub  # noqa: E402
from node.runtime.node import RunningNode, start_node  # noqa: E402
from node.service.proofs import batch_proofs  # noqa: E402
from node.service.status import read_backlog  # noqa: E402
from node.store import RECORDS_LOG  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
        # One anchor per batch interval while records flow: at 5 s the anchor count stays
        # low however loaded the machine is (the 1 s default gives about one per second).
        node_dir = make_node_dir(Path(tmp) / "js", chain.rpc_url, batch_interval=5.0)
        running = start_node(load_config(node_dir.config), workers=4)
        try:
            result = _run(node_dir, running, args.count, args.chunk)
        finally:
            running.stop(grace=1.0)
    print(json.dumps(result))


def _run(node_dir: NodeDir, running: RunningNode, count: int, chunk: int) -> dict[str, object]:
    lines = synth_lines(count, seed=100)
    started = time.monotonic()
    with channel(node_dir, running.port, "platform") as ch:
        requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
            records=lines[i:i + chunk], first_line=i + 1)) for i in range(0, count, chunk))
        accepted = sum(len(a.result.accepted)
                       for a in ingest_stub(ch).SubmitStream(requests, timeout=3600))
    ingest_s = time.monotonic() - started
    store = running.app.store
    wait_for(lambda: read_backlog(store).backlog == 0, timeout=1800)
    drained_s = time.monotonic() - started
    ledger = node_dir.ledger()
    batches = store.batches_by_status("anchored")
    verify_started = time.monotonic()
    verified = 0
    for batch in batches:
        if not ledger.is_anchored("JS", batch.seq, batch.root):
            raise SystemExit(f"batch {batch.seq} is not anchored on the ledger")
        proofs = batch_proofs(store, batch, range(batch.start_size, batch.end_size))
        for record in store.records_by_leaf_range("JS", batch.start_size, batch.end_size):
            leaf = hash_leaf(leaf_data(SCHEME_V2, record.commitment))
            verify_inclusion(record.leaf_index, batch.end_size, leaf,
                             proofs[record.leaf_index], batch.root)
            verified += 1
    return {"records": count, "accepted": accepted,
            "stored": store.count_records("local"), "log_size": store.log_size(RECORDS_LOG),
            "ingest_s": round(ingest_s, 1), "ingest_per_s": round(count / ingest_s),
            "until_all_anchored_s": round(drained_s, 1), "anchor_transactions": len(batches),
            "proofs_verified": verified,
            "verify_all_proofs_s": round(time.monotonic() - verify_started, 1)}


if __name__ == "__main__":
    main()
