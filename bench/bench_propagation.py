"""`propagation`: seconds from a submit at JS to the record stored at each of SH, ZJ and AH,
which pull, verify (signature, inclusion proof, on-chain anchor, catalog) and only then
store it — a four-node network built like tests/multinode_net.py (imported from there),
nodes in this process. A sample is the time until the LAST of the three holds the record.
The record is a public serious-dishonesty entry, the kind the sharing policy replicates.
Submits are spaced by a pause so that the peers' pullers are idling (waiting for a nudge
or their idle cap), as in real use, rather than still pulling from the previous one.
Measured with instant mining and, as ``block_time_2s``, with anvil mining every 2 s (a
QBFT-like pace).

    python bench/bench_propagation.py [--quick]
"""

from __future__ import annotations

import json
import math
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

PROVINCES = ("JS", "SH", "ZJ", "AH")


def _percentile(sorted_seconds: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(math.ceil(fraction * len(sorted_seconds)), 1)
    return round(sorted_seconds[rank - 1], 3)


def measure(samples: int, *, block_time: float | None, pause: float) -> dict[str, object]:
    """``samples`` submits at JS, each timed until SH, ZJ and AH all hold the record."""
    seconds: list[float] = []
    # Only public serious-dishonesty entries replicate (catalog sharing policy).
    entry = dict(public_dishonesty(records_of("JS", 60, seed=5), datetime.now(UTC).date()))
    with tempfile.TemporaryDirectory() as tmp, DevChain.start(block_time=block_time) as chain:
        net = build_network(Path(tmp), chain.rpc_url, PROVINCES, batch_interval=0.2)
        with running(net):
            peers = [net[p].node.app.store for p in PROVINCES[1:]]
            for i in range(samples):
                time.sleep(pause)
                before = [peer.count_records("foreign") for peer in peers]
                started = time.monotonic()
                ack = submit(net, "JS", [{**entry, "record_no": f"JS-BENCH-{i:06d}"}])
                if len(ack.accepted) != 1:
                    raise RuntimeError("the record was not accepted")
                wait_for(lambda b=before: all(peer.count_records("foreign") > n
                                              for peer, n in zip(peers, b, strict=True)),
                         60, 0.01)
                seconds.append(time.monotonic() - started)
    seconds.sort()
    return {"samples": samples, "p50_s": _percentile(seconds, 0.5),
            "p95_s": _percentile(seconds, 0.95), "max_s": round(seconds[-1], 3),
            "pause_s": pause}


def run(quick: bool) -> dict[str, object]:
    # Full: 30 samples with instant mining, 15 with 2 s blocks (about 3 minutes); QUICK: 5
    # and 3, with shorter pauses (the pullers still idle between them: nudges wake them).
    samples, pause = (5, 1.0) if quick else (30, 3.0)
    instant = measure(samples, block_time=None, pause=pause)
    paced = measure(max(samples // 2, 3), block_time=2.0, pause=pause)
    return {"propagation": {**instant, "nodes": len(PROVINCES), "batch_interval_s": 0.2,
                            "block_time_2s": paced}}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv)))
