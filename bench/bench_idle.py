"""`idle`: CPU seconds per minute and resident memory of an idle `credit-node serve` (a lone
node on anvil, nothing submitted), read from /proc/<pid>/stat and /proc/<pid>/status; the
baseline is the same process's figures while it starts (its first seconds)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _node import Serve, lone_node

from ledger.devchain import DevChain, free_port


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run(quick: bool) -> dict[str, object]:
    window = 10.0 if quick else 30.0
    with tempfile.TemporaryDirectory() as tmp, DevChain.start() as chain:
        port = free_port()
        node = lone_node(Path(tmp) / "js", chain.rpc_url, port=port)
        with Serve(node.config, port) as serve:
            serve.wait_serving(node)
            pid = serve.proc.pid
            startup_cpu = _cpu_s(pid)
            time.sleep(2.0)  # let the first anchoring/audit rounds pass
            before, started = _cpu_s(pid), time.monotonic()
            time.sleep(window)
            used, elapsed = _cpu_s(pid) - before, time.monotonic() - started
            rss = _rss_mib(pid)
    per_min = used * 60.0 / elapsed
    return {"idle": {"cpu_s_per_min": round(per_min, 2),
                     "core_percent": round(100 * per_min / 60.0, 2),
                     "rss_mib": rss, "window_s": window,
                     "startup_cpu_s": round(startup_cpu, 2),
                     "note": "one lone node; a four-node consortium is not measured here"}}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv)))
