"""Ingest throughput over gRPC + mutual TLS with anchoring on a local anvil; prints JSON.

    .venv/bin/python bench/bench_ingest.py [--count 100000] [--chunk 2000]
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

from service_helpers import channel, make_node_dir, synth_lines, wait_for  # noqa: E402

from ledger.devchain import DevChain  # noqa: E402
from node._proto.credit.v1 import ingest_pb2  # noqa: E402
from node.config import load_config  # noqa: E402
from node.grpc.stubs import ingest_stub  # noqa: E402
from node.runtime.node import start_node  # noqa: E402
from node.service.status import read_backlog  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2_000)
    args = parser.parse_args()
    lines = synth_lines(args.count, seed=100)
    with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
        node_dir = make_node_dir(Path(tmp) / "js", chain.rpc_url, batch_interval=1.0)
        running = start_node(load_config(node_dir.config), workers=4)
        try:
            started = time.monotonic()
            with channel(node_dir, running.port, "platform") as ch:
                requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
                    records=lines[i:i + args.chunk])) for i in range(0, args.count, args.chunk))
                accepted = sum(len(a.result.accepted)
                               for a in ingest_stub(ch).SubmitStream(requests, timeout=3600))
            ingest_s = time.monotonic() - started
            wait_for(lambda: read_backlog(running.app.store).backlog == 0, timeout=600)
            total_s = time.monotonic() - started
            batches = len(running.app.store.batches_by_status("anchored"))
        finally:
            running.stop(grace=1.0)
    print(json.dumps({"records": args.count, "accepted": accepted, "ingest_s": round(ingest_s, 2),
                      "records_per_s": round(args.count / ingest_s),
                      "until_anchored_s": round(total_s, 2), "anchor_transactions": batches}))


if __name__ == "__main__":
    main()
