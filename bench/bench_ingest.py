"""`ingest`: records/s through the real path (the platform's gRPC client over mutual TLS → a
`credit-node serve` node → validate → commit → seal → store, anchoring on anvil running) on
SQLite and, when the server answers, PostgreSQL; beside it the same run's plain
`executemany` of the same lines into the same kind of database. (Records per anchor
transaction and gas per record: `anchoring`, bench_anchor_load.py.)

`with_peers_records_per_s`: a submission to the JS node of a four-node consortium
(`credit-node consortium up`: four `serve` processes and anvil on this machine, SQLite),
timed while its three peers pull from it (a first half submitted untimed, the peers waited
for until they pull), anchoring and audit witnessing running; beside it, what each peer
pulled in the timed window and once the pulling settled (bounded wait).
`server_cpu_us_per_record`: the serving process's CPU time over the submission per record,
which a loaded machine distorts less than a rate.

    .venv/bin/python bench/bench_ingest.py [--quick]
"""

from __future__ import annotations

import json
import os
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


def _stream(ch: Any, lines: list[bytes]) -> None:
    """Submit ``lines`` on channel ``ch`` as one client stream in chunks of ``CHUNK``."""
    requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
        records=lines[i:i + CHUNK], first_line=i + 1)) for i in range(0, len(lines), CHUNK))
    accepted = sum(len(a.result.accepted)
                   for a in ingest_stub(ch).SubmitStream(requests, timeout=3600))
    if accepted != len(lines):
        raise RuntimeError(f"only {accepted} of {len(lines)} records accepted")


def _submit(node: NodeDir, port: int, lines: list[bytes]) -> float:
    started = time.monotonic()
    with channel(node, port, "platform") as ch:
        _stream(ch, lines)
    return time.monotonic() - started


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _one_database(tmp: Path, chain: DevChain, lines: list[bytes], url: str) -> dict[str, Any]:
    port = free_port()
    node = lone_node(tmp / "js", chain.rpc_url, port=port, database_url=url)
    db_url = url or f"sqlite:///{tmp}/js/node.db"
    with Serve(node.config, port) as serve:
        serve.wait_serving(node)
        cpu_before = _cpu_s(serve.proc.pid)
        ingest_s = _submit(node, port, lines)
        server_cpu_s = _cpu_s(serve.proc.pid) - cpu_before
        store = open_store(db_url, f"sqlite:///{tmp}/js/keys.db" if url else None)
        anchored_s = ingest_s + wait_for(lambda: read_backlog(store).backlog == 0, 1800, 0.2)
    raw = raw_insert_per_s(lines, url, tmp / "raw.db")
    rate = len(lines) / ingest_s
    result: dict[str, Any] = {"records": len(lines), "records_per_s": round(rate),
                              "until_anchored_s": round(anchored_s, 1),
                              "raw_insert_per_s": round(raw), "ratio": round(rate / raw, 4),
                              "server_cpu_us_per_record": round(server_cpu_s / len(lines) * 1e6)}
    return result


def _foreign_counts(root: Path, peers: list[str]) -> dict[str, int]:
    counts = {}
    for province in peers:
        store = open_store(f"sqlite:///{root / province / 'node.db'}")
        counts[province] = store.count_records("foreign")
        store.engine.dispose()
    return counts


def _submit_to_js(doc: Any, lines: list[bytes]) -> float:
    """Seconds to submit ``lines`` to the consortium's JS node as its platform."""
    from node.grpc.client import tls_channel

    who = doc.identity("platform.JS")
    started = time.monotonic()
    with tls_channel(doc.provinces["JS"].grpc, cert=Path(who.cert), key=Path(who.key),
                     ca=Path(who.ca)) as ch:
        _stream(ch, lines)
    return time.monotonic() - started


def _with_peers(lines: list[bytes], settle_s: float) -> dict[str, Any]:
    """Records/s at the JS node of a live four-node consortium while its peers pull.

    The first half of ``lines`` is submitted untimed and the peers are waited for (bounded)
    until they pull from it; the second half is timed while they pull (the counts say how
    much they pulled in that window)."""
    from node.devnet.lifecycle import consortium_down, consortium_up

    warm, timed = lines[:len(lines) // 2], lines[len(lines) // 2:]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "consortium"
        try:
            doc = consortium_up(root, timeout=180.0).doc
            peers = [p for p in doc.provinces if p != "JS"]
            _submit_to_js(doc, warm)
            wait_for(lambda: min(_foreign_counts(root, peers).values()) > 0, 300, 0.5)
            js_pid = doc.provinces["JS"].pid
            assert js_pid is not None
            at_start, cpu_before = _foreign_counts(root, peers), _cpu_s(js_pid)
            ingest_s = _submit_to_js(doc, timed)
            js_cpu_s = _cpu_s(js_pid) - cpu_before
            at_end = _foreign_counts(root, peers)
            settled, last, deadline = at_end, None, time.monotonic() + settle_s
            while settled != last and time.monotonic() < deadline:  # bounded: peers catch up
                last = settled
                time.sleep(5.0)
                settled = _foreign_counts(root, peers)
        finally:
            if (root / "consortium.json").exists():
                consortium_down(root, timeout=20.0)
    return {"records": len(timed), "records_per_s": round(len(timed) / ingest_s),
            "js_cpu_us_per_record": round(js_cpu_s / len(timed) * 1e6),
            "warm_up_records": len(warm),
            "pulled_while_timed": {p: at_end[p] - at_start[p] for p in peers},
            "peers_pulled_settled": settled}


def run(quick: bool) -> dict[str, object]:
    count = 5_000 if quick else 60_000
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
    peers = _with_peers(lines[:40_000], 5.0 if quick else 240.0)
    return {"ingest": {"sqlite": sqlite, "postgres": postgres,
                       "with_peers_records_per_s": peers.pop("records_per_s"),
                       "with_peers": peers,
                       "note": "lone node, batch interval 1 s, client streaming in chunks of "
                               f"{CHUNK}; with_peers: the JS node of a four-node consortium "
                               "(consortium up, SQLite), its three peers pulling"}}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv)))
