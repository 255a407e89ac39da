"""``audit verify`` of a running node over gRPC + mutual TLS, against a real anvil; prints JSON.

    .venv/bin/python bench/bench_audit_verify.py [--entries 200000]

A one-member JS node is started; ``--entries`` access events are appended to its audit
log in process (chunks of 10,000), the node's checkpoint thread anchors the head, and
then the auditor's check runs as ``credit-node audit verify`` does: every entry paged
over ``ListEntries``, the anchored heads from the chain's events, the served head.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "node" / "service")]

from bench_audit import event  # noqa: E402
from service_helpers import make_node_dir, wait_for  # noqa: E402

from ledger.client import LedgerClient  # noqa: E402
from ledger.devchain import DevChain  # noqa: E402
from node.auditor import AuditClient, ChainView, audit_node  # noqa: E402
from node.config import load_config  # noqa: E402
from node.config_schema import AuditSection  # noqa: E402
from node.grpc.client import tls_channel  # noqa: E402
from node.runtime.node import start_node  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
        node_dir = make_node_dir(Path(tmp) / "js", chain.rpc_url)
        config = load_config(node_dir.config)
        config = dataclasses.replace(config, audit=AuditSection(checkpoint_interval_seconds=0.5))
        running = start_node(config, workers=4)
        try:
            log = running.app.access_log.log
            for first in range(0, args.entries, 10_000):
                log.append([event(i) for i in range(first, min(first + 10_000, args.entries))])
            ledger = LedgerClient(chain.rpc_url, node_dir.deployment.addresses, timeout=10.0)
            wait_for(lambda: ledger.latest_audit_head("JS").tree_size >= args.entries, 60)
            layout = node_dir.layout
            with tls_channel(f"localhost:{running.port}", cert=layout.identity_cert("auditor"),
                             key=layout.identity_key("auditor"), ca=layout.ca_cert) as channel:
                started = time.perf_counter()
                verdict = audit_node(AuditClient(channel, timeout=60.0),
                                     ChainView(ledger, start_block=node_dir.deployment.block))
                seconds = time.perf_counter() - started
        finally:
            running.stop(grace=1.0)
    report = verdict.report
    print(json.dumps({"entries": report.checked_entries, "ok": report.ok,
                      "anchored_heads": report.anchored_heads, "verify_s": round(seconds, 2),
                      "entries_per_s": round(report.checked_entries / seconds)}))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
