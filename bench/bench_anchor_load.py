"""`anchoring`: records per anchor transaction under real load, gas per record beside the
naive one-transaction-per-record figure, and how fast a lone record is anchored.

A `credit-node serve` node on anvil (SQLite, rounds every 1 s) ingests synthetic records
through the platform's gRPC stream over mutual TLS (chunks of 2,000, as `ingest`), then one
more record on its own after the backlog drained. The same run repeats the load on a second
node whose batch policy seals whatever waits at every round (``target_records = 1``: the
policy before issue 15) as the baseline. Gas comes from the anchor receipts; 20 one-record
anchors on the same chain give the naive figure.

    .venv/bin/python bench/bench_anchor_load.py [--quick]
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

from ledger.devchain import DevChain, free_port
from node._proto.credit.v1 import ingest_pb2
from node.config import config_from_dict, config_to_dict, load_config, write_config
from node.grpc.stubs import ingest_stub
from node.service.status import read_backlog
from node.store import RECORDS_LOG, open_store

__all__ = ["run"]
CHUNK = 2_000
NAIVE_SAMPLE = 20
SIG = b"\x5a" * 64


def _set_batch(node: NodeDir, **batch: object) -> None:
    raw = config_to_dict(load_config(node.config), node.root)
    raw["batch"].update(batch)
    write_config(config_from_dict(raw, node.root), node.config, overwrite=True)


def _stream(node: NodeDir, port: int, lines: list[bytes], first_line: int = 1) -> float:
    started = time.monotonic()
    with channel(node, port, "platform") as ch:
        requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
            records=lines[i:i + CHUNK], first_line=first_line + i))
            for i in range(0, len(lines), CHUNK))
        accepted = sum(len(a.result.accepted)
                       for a in ingest_stub(ch).SubmitStream(requests, timeout=3600))
    if accepted != len(lines):
        raise RuntimeError(f"only {accepted} of {len(lines)} records accepted")
    return time.monotonic() - started


def _under_load(tmp: Path, chain: DevChain, lines: list[bytes], trickle: bytes,
                **batch: object) -> dict[str, Any]:
    port = free_port()
    node = lone_node(tmp, chain.rpc_url, batch_interval=1.0, port=port)
    if batch:
        _set_batch(node, **batch)
    store = open_store(f"sqlite:///{tmp}/node.db")
    with Serve(node.config, port) as serve:
        serve.wait_serving(node)
        ingest_s = _stream(node, port, lines)
        drained_s = wait_for(lambda: read_backlog(store).backlog == 0, 600, 0.1)
        load_batches = len(store.batches_by_status("anchored"))
        started = time.monotonic()
        _stream(node, port, [trickle], first_line=len(lines) + 1)
        wait_for(lambda: read_backlog(store).backlog == 0, 120, 0.05)
        trickle_s = time.monotonic() - started
        batches = store.batches_by_status("anchored")
        log_size = store.log_size(RECORDS_LOG)
    sizes = [b.end_size - b.start_size for b in batches[:load_batches]]
    return {"node": node, "batches": batches, "log_size": log_size,
            "records": len(lines), "ingest_records_per_s": round(len(lines) / ingest_s),
            "drain_after_ingest_s": round(drained_s, 1),
            "load_batches": load_batches,
            "records_per_tx": round(len(lines) / max(load_batches, 1), 1),
            "largest_batch": max(sizes, default=0), "batch_sizes": sizes,
            "trickle_anchored_s": round(trickle_s, 2)}


def _gas(found: dict[str, Any]) -> dict[str, Any]:
    from web3 import HTTPProvider, Web3

    node: NodeDir = found["node"]
    assert node.deployment.rpc_url is not None
    w3 = Web3(HTTPProvider(node.deployment.rpc_url, request_kwargs={"timeout": 10}))
    gas = sum(int(w3.eth.get_transaction_receipt(b.tx_hash)["gasUsed"])  # type: ignore[arg-type]
              for b in found["batches"] if b.tx_hash)
    ledger = node.ledger()
    latest = ledger.latest_batch("JS")
    seq, prev, size, naive = latest.seq, latest.root, latest.size, 0
    for i in range(NAIVE_SAMPLE):  # one transaction per record, as a chain-per-record design
        root = bytes([i + 1]) * 32
        seq, size = seq + 1, size + 1
        naive += ledger.anchor_batch(seq, root, size, prev, 1, SIG).gas_used
        prev = root
    per_record = gas / max(found["log_size"], 1)
    return {"gas_per_record": round(per_record, 2),
            "naive_gas_per_record": round(naive / NAIVE_SAMPLE),
            "naive_sample": NAIVE_SAMPLE,
            "ratio": round(per_record / (naive / NAIVE_SAMPLE), 6)}


def run(quick: bool) -> dict[str, object]:
    """`make bench`'s `anchoring` section: 40,000 records, and again on the baseline node
    (QUICK: 12,000, no baseline)."""
    count = 8_000 if quick else 40_000
    lines = synth_lines(count + 1, seed=150)
    trickle, lines = lines[-1], lines[:-1]
    with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
        found = _under_load(Path(tmp) / "adaptive", chain, lines, trickle)
        result: dict[str, Any] = {
            key: found[key] for key in ("records", "ingest_records_per_s", "records_per_tx",
                                        "largest_batch", "batch_sizes", "load_batches",
                                        "drain_after_ingest_s", "trickle_anchored_s")}
        result.update(_gas(found))
    if not quick:
        with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
            old = _under_load(Path(tmp) / "every-round", chain, lines, trickle,
                              target_records=1)
            result["gas_per_record_old_policy"] = _gas(old)["gas_per_record"]
        result["records_per_tx_old_policy"] = old["records_per_tx"]
        result["trickle_anchored_s_old_policy"] = old["trickle_anchored_s"]
        result["ingest_records_per_s_old_policy"] = old["ingest_records_per_s"]
    result["note"] = ("lone node over SQLite, rounds every 1 s, [batch] target_records 10,000, "
                      "max_delay_seconds 30; one gRPC stream in chunks of "
                      f"{CHUNK}; records_per_tx over the load's batches (the tail included)")
    return {"anchoring": result}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv)))
