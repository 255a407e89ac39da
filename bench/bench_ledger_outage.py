"""A ledger outage mid-workload (issue 16, item 2), at full length: prints one JSON object.

    .venv/bin/python bench/bench_ledger_outage.py [--outage 30] [--records 2000]

Three nodes (SH, JS, ZJ; ``tests/multinode_net.py``) on an anvil of their own with a state
file. SH's platform submits records in chunks of 50 the whole time and an agency queries
SH (with ``include_foreign``) twice a second. After 5 s anvil is stopped (state dumped)
for ``--outage`` seconds, then restarted on the same port. Reported: records acknowledged
and queries answered during the outage (and any errors), the answers' partial markers
(``records_not_anchored``, ``provinces_unavailable``), the time from the restart until
SH's backlog is anchored, and until its audit log's head is anchored past the outage.
The test of the same (``tests/node/exchange/test_partial_answers.py``) keeps the outage
to seconds; this is the 30 s version.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import grpc  # noqa: E402
from multinode_net import build_network, records_of, running, submit, wait_for  # noqa: E402

from ledger.devchain import DevChain  # noqa: E402
from node._proto.credit.v1 import common_pb2, query_pb2  # noqa: E402
from node.grpc.stubs import query_stub  # noqa: E402
from node.service.status import read_backlog  # noqa: E402


def _subject(records: list[dict[str, object]]) -> str:
    """A subject with a public dishonesty entry (answered without a grant)."""
    today = datetime.now(UTC).date().isoformat()
    for record in records:
        if (record["kind"] == "dishonesty" and record.get("SX_ZTLB") == "法人及非法人组织"
                and str(record.get("SX_YXQ", "")) > today):
            return str(record["SX_SHXYM"])
    raise SystemExit("no legal-person dishonesty entry among the synthetic records")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=30.0, help="seconds without a ledger")
    parser.add_argument("--records", type=int, default=2000, help="records SH's platform sends")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-outage-") as tmp:
        base = Path(tmp)
        state = base / "chain.json"
        chain = DevChain.start(state_path=state)
        port = chain.port
        try:
            net = build_network(base / "net", chain.rpc_url, ("SH", "JS", "ZJ"),
                                checkpoint=1.0)
            with running(net):
                result = _run(net, chain, state, port, args)
                chain = result.pop("_chain")
        finally:
            chain.stop()
    result.update(outage_s=args.outage, python=platform.python_version())
    print(json.dumps(result))
    return 0


def _run(net: Any, chain: DevChain, state: Path, port: int,
         args: argparse.Namespace) -> dict[str, Any]:
    records = records_of("SH", args.records, seed=31)
    subject = _subject(records[len(records) // 2:])  # sent during the outage
    down = threading.Event()
    stop = threading.Event()
    seen: dict[str, Any] = {"acked_during": 0, "acked": 0, "submit_errors": 0,
                            "queries_during": 0, "query_errors": 0, "max_not_anchored": 0,
                            "unavailable": set()}

    def platform_loop() -> None:
        for start in range(0, len(records), 50):
            if stop.is_set():
                return
            try:
                ack = submit(net, "SH", records[start:start + 50])
            except grpc.RpcError:
                seen["submit_errors"] += 1
                continue
            seen["acked"] += len(ack.accepted)
            if down.is_set():
                seen["acked_during"] += len(ack.accepted)
            time.sleep(0.2)

    def agency_loop() -> None:
        request = query_pb2.QueryRequest(purpose="credit_report", include_foreign=True,
                                         subject=common_pb2.SubjectRef(id=subject))
        with net.channel("SH", "agency", "SH") as ch:
            while not stop.is_set():
                try:
                    answer = query_stub(ch).Query(request, timeout=30)
                except grpc.RpcError:
                    seen["query_errors"] += 1
                    continue
                if down.is_set():
                    seen["queries_during"] += 1
                    seen["max_not_anchored"] = max(seen["max_not_anchored"],
                                                   len(answer.records_not_anchored))
                    seen["unavailable"].update(answer.provinces_unavailable)
                time.sleep(0.5)

    threads = [threading.Thread(target=platform_loop), threading.Thread(target=agency_loop)]
    for thread in threads:
        thread.start()
    time.sleep(5)
    chain.stop()
    down.set()
    time.sleep(args.outage)
    app = net["SH"].node.app
    backlog_at_restart = read_backlog(app.store).backlog
    logged = app.access_log.log.size()
    chain = DevChain.start(state_path=state, port=port)
    down.clear()
    restarted = time.monotonic()
    for thread in threads[:1]:
        thread.join()
    wait_for(lambda: read_backlog(app.store).backlog == 0, timeout=300)
    caught_up = time.monotonic() - restarted
    ledger = net.ledger()
    wait_for(lambda: ledger.latest_audit_head("SH").tree_size >= logged, timeout=300)
    audit_resumed = time.monotonic() - restarted
    stop.set()
    for thread in threads[1:]:
        thread.join()
    return {"_chain": chain, "records_acked": seen["acked"],
            "records_acked_during_outage": seen["acked_during"],
            "submit_errors": seen["submit_errors"],
            "queries_answered_during_outage": seen["queries_during"],
            "query_errors": seen["query_errors"],
            "max_records_not_anchored_in_an_answer": seen["max_not_anchored"],
            "provinces_unavailable_seen": sorted(seen["unavailable"]),
            "backlog_at_restart": backlog_at_restart,
            "catch_up_after_restart_s": round(caught_up, 3),
            "audit_head_anchored_past_outage_s": round(audit_resumed, 3)}


if __name__ == "__main__":
    sys.exit(main())
