"""`query`: authorized agency queries (grant + consent evidence, as the tests send them) over
mutual TLS from N client threads against a `credit-node serve` holding many records, beside
the same server's bare gRPC health check from the same threads and TLS (`echo_qps`).

The records (1M; 20k with --quick) are stored before the node serves, through the store's
own batch path (``bulk_load``), then anchored by the node itself. ``*_cpu_ms_per_call`` is
the serving process's CPU time (user + system) over the window divided by the calls: on
a loaded machine it moves far less than qps does.

    .venv/bin/python bench/bench_query.py [--quick] [--records N]
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _node import NodeDir, Serve, channel, lone_node, wait_for
from bulk_load import bulk_load
from consent_helpers import EVIDENCE
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ledger.devchain import DevChain, free_port
from node._proto.credit.v1 import common_pb2, query_pb2
from node.authz.grants import make_grant
from node.config import load_config
from node.grpc.stubs import query_stub
from node.identity.files import load_tls_private_key
from node.service.status import read_backlog
from node.store import open_store

THREADS = 16
SUBJECTS = 200


def _requests(node: NodeDir, subjects: list[str], count: int) -> list[query_pb2.QueryRequest]:
    """``count`` ready requests over SUBJECTS subjects, each with its own grant: a grant's
    nonce is single-use, so a real agency signs one per query (signing is left out of the
    measured window, as it happens at the agency)."""
    key = load_tls_private_key(node.layout.identity_key("agency"))
    chosen = random.Random(3).sample(subjects, min(SUBJECTS, len(subjects)))
    out = []
    for n in range(count):
        subject = chosen[n % len(chosen)]
        grant = make_grant(subject=subject, agency="example-agency", purpose="lending_review",
                           scope=("penalty", "dishonesty", "commitment"),
                           consent_evidence=EVIDENCE, private_key=key, now=datetime.now(UTC),
                           valid_for=timedelta(days=1))
        request = query_pb2.QueryRequest(purpose="lending_review", subject=common_pb2.SubjectRef(
            id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject), consent_evidence=EVIDENCE)
        request.grant.canonical_grant = grant.to_json().encode()
        request.request_id = f"bench-{n}"
        out.append(request)
    return out


def _load(node: NodeDir, port: int, seconds: float, call: Any,
          limit: int | None = None) -> dict[str, Any]:
    """THREADS threads, one channel each, calling ``call(channel, i)`` for ``seconds`` (or
    until ``limit`` calls in all)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(n: int) -> None:
        mine: list[float] = []
        with channel(node, port, "agency") as ch:
            i = n
            while time.monotonic() < stop_at and (limit is None or i < limit):
                t0 = time.perf_counter()
                try:
                    call(ch, i)
                except Exception as exc:
                    errors.append(type(exc).__name__)
                mine.append(time.perf_counter() - t0)
                i += THREADS
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    n = len(latencies)
    return {"qps": round(n / elapsed, 1), "p50_ms": round(1000 * latencies[n // 2], 1),
            "p99_ms": round(1000 * latencies[max(int(n * 0.99) - 1, 0)], 1),
            "calls": n, "errors": len(errors)}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured(serve: Serve, load: Any) -> dict[str, Any]:
    before = _cpu_seconds(serve.proc.pid)
    found: dict[str, Any] = load()
    used = _cpu_seconds(serve.proc.pid) - before
    found["server_cpu_ms_per_call"] = round(1000 * used / max(found["calls"], 1), 3)
    return found


def run(quick: bool, records: int | None = None) -> dict[str, object]:
    count, seconds = (20_000, 5.0) if quick else (1_000_000, 20.0)
    count = records or count
    pool = 3_000 if quick else 12_000
    with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
        port = free_port()
        node = lone_node(Path(tmp) / "js", chain.rpc_url, port=port)
        loaded = bulk_load(load_config(node.config), count)
        requests = _requests(node, loaded.subjects, pool)
        with Serve(node.config, port) as serve:
            serve.wait_serving(node)
            store = open_store(f"sqlite:///{tmp}/js/node.db")
            anchored_s = wait_for(lambda: read_backlog(store).backlog == 0, 1800, 0.2)

            def query(ch: Any, i: int) -> None:
                query_stub(ch).Query(requests[i], timeout=30)

            def echo(ch: Any, i: int) -> None:
                health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=30)

            queries = _measured(serve, lambda: _load(node, port, seconds, query,
                                                     limit=len(requests)))
            bare = _measured(serve, lambda: _load(node, port, seconds, echo))
    return {"query": {**queries, "echo_qps": bare["qps"], "echo_p50_ms": bare["p50_ms"],
                      "echo_p99_ms": bare["p99_ms"],
                      "echo_server_cpu_ms_per_call": bare["server_cpu_ms_per_call"],
                      "ratio": round(queries["qps"] / bare["qps"], 4),
                      "records_stored": count, "threads": THREADS, "window_s": seconds,
                      "subjects_asked": min(SUBJECTS, len(loaded.subjects)),
                      "bulk_load_s": round(loaded.seconds, 1),
                      "until_anchored_s": round(anchored_s, 1),
                      "note": f"{count} records stored through the store's batch path "
                              "(bench/bulk_load.py), anchored by the serving node"}}


if __name__ == "__main__":
    given = sys.argv.index("--records") + 1 if "--records" in sys.argv else 0
    print(json.dumps(run("--quick" in sys.argv, int(sys.argv[given]) if given else None)))
