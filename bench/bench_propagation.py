"""`propagation`: seconds from a submit at JS to the record stored at SH, which pulls, verifies
(signature, inclusion proof, on-chain anchor, catalog) and only then stores it — a two-node
network built like tests/multinode_net.py (imported from there), nodes in this process. The
record is a public serious-dishonesty entry, the kind the sharing policy replicates."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _node import wait_for
from multinode_net import build_network, records_of, running, submit

from ledger.devchain import DevChain

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "node" / "exchange"))
from exchange_helpers import public_dishonesty


def run(quick: bool) -> dict[str, object]:
    samples = 5 if quick else 20
    seconds: list[float] = []
    # Only public serious-dishonesty entries replicate (catalog sharing policy).
    entry = dict(public_dishonesty(records_of("JS", 60, seed=5), datetime.now(UTC).date()))
    with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
        net = build_network(Path(tmp), chain.rpc_url, ("JS", "SH"), batch_interval=0.2)
        with running(net):
            peer = net["SH"].node.app.store
            for i in range(samples):
                before = peer.count_records("foreign")
                started = time.monotonic()
                ack = submit(net, "JS", [{**entry, "record_no": f"JS-BENCH-{i:06d}"}])
                if len(ack.accepted) != 1:
                    raise RuntimeError("the record was not accepted")
                wait_for(lambda b=before: peer.count_records("foreign") > b, 60, 0.01)
                seconds.append(time.monotonic() - started)
    seconds.sort()
    return {"propagation": {"samples": samples, "p50_s": round(seconds[len(seconds) // 2], 3),
                            "p95_s": round(seconds[max(int(len(seconds) * 0.95) - 1, 0)], 3),
                            "max_s": round(seconds[-1], 3), "nodes": 2,
                            "batch_interval_s": 0.2}}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv)))
