"""`ingest`: records/s through the real path (the platform's gRPC client over mutual TLS → a
`credit-node serve` node → validate → commit → seal → store, anchoring on anvil running) on
SQLite and, when the server answers, PostgreSQL; beside it the same run's plain
`executemany` of the same lines into the same kind of database. (Records per anchor
transaction and gas per record: `anchoring`, bench_anchor_load.py.)

    .venv/bin/python bench/bench_ingest.py [--quick]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _node import NodeDir, Serve, channel, lone_node, synth_lines, wait_for
from raw_insert import postgres_database, raw_insert_per_s

from ledger.devchain import DevChain, free_port
from node._proto.credit.v1 import ingest_pb2
from node.grpc.stubs import ingest_stub
from node.service.status import read_backlog
from node.store import open_store

CHUNK = 2_000


def _submit(node: NodeDir, port: int, lines: list[bytes]) -> float:
    started = time.monotonic()
    with channel(node, port, "platform") as ch:
        requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
            records=lines[i:i + CHUNK], first_line=i + 1)) for i in range(0, len(lines), CHUNK))
        accepted = sum(len(a.result.accepted)
                       for a in ingest_stub(ch).SubmitStream(requests, timeout=3600))
    if accepted != len(lines):
        raise RuntimeError(f"only {accepted} of {len(lines)} records accepted")
    return time.monotonic() - started


def _one_database(tmp: Path, chain: DevChain, lines: list[bytes], url: str) -> dict[str, Any]:
    port = free_port()
    node = lone_node(tmp / "js", chain.rpc_url, port=port, database_url=url)
    db_url = url or f"sqlite:///{tmp}/js/node.db"
    with Serve(node.config, port) as serve:
        serve.wait_serving(node)
        ingest_s = _submit(node, port, lines)
        store = open_store(db_url, f"sqlite:///{tmp}/js/keys.db" if url else None)
        anchored_s = ingest_s + wait_for(lambda: read_backlog(store).backlog == 0, 1800, 0.2)
    raw = raw_insert_per_s(lines, url, tmp / "raw.db")
    rate = len(lines) / ingest_s
    result: dict[str, Any] = {"records": len(lines), "records_per_s": round(rate),
                              "until_anchored_s": round(anchored_s, 1),
                              "raw_insert_per_s": round(raw), "ratio": round(rate / raw, 4)}
    return result


def run(quick: bool) -> dict[str, object]:
    count = 5_000 if quick else 100_000
    lines = synth_lines(count, seed=100)
    with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
        sqlite = _one_database(Path(tmp) / "sqlite", chain, lines, "")
    postgres: dict[str, Any] | None
    with postgres_database() as pg_url:
        if pg_url is None:
            postgres = None
        else:
            with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
                postgres = _one_database(Path(tmp) / "pg", chain, lines, pg_url)
    return {"ingest": {"sqlite": sqlite, "postgres": postgres,
                       "with_peers_records_per_s": None,
                       "note": "lone node, batch interval 1 s, client streaming in chunks of "
                               f"{CHUNK}; with_peers not measured in this harness yet"}}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv)))
