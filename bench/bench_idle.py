"""`idle`: CPU seconds per minute and resident memory of idle `credit-node serve` processes,
read from /proc/<pid>/stat and /proc/<pid>/status: a lone node on anvil, and each node of
an idle four-province consortium (`credit-node consortium up`, nothing submitted; its
figures are taken once the idle back-off had time to grow). The baseline is the same
processes' figures while they start (their first seconds). 1% of a core is 0.6 CPU-s/min.

    python bench/bench_idle.py [--quick] [--four-only]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _node import CREDIT_NODE, Serve, lone_node

from ledger.devchain import DevChain, free_port


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _consortium(directory: Path, action: str, timeout: float) -> None:
    subprocess.run([CREDIT_NODE, "consortium", action, "--dir", str(directory)],
                   check=True, timeout=timeout, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def four_nodes(quick: bool) -> dict[str, object]:
    """Each node of an idle four-province consortium of processes, after ``settle`` s; the
    headline figures are the worst node's."""
    settle, window = (5.0, 10.0) if quick else (35.0, 60.0)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "consortium"
        try:
            _consortium(directory, "up", 240)
            doc = json.loads((directory / "consortium.json").read_text())
            pids = {p: int(e["pid"]) for p, e in sorted(doc["provinces"].items())}
            anvil = int(doc["ledger"]["pid"])
            startup = {p: _cpu_s(pid) for p, pid in pids.items()}
            time.sleep(settle)  # the idle back-off grows to its cap
            before = {p: _cpu_s(pid) for p, pid in pids.items()}
            anvil_before, started = _cpu_s(anvil), time.monotonic()
            time.sleep(window)
            elapsed = time.monotonic() - started
            per_min = {p: round((_cpu_s(pid) - before[p]) * 60.0 / elapsed, 2)
                       for p, pid in pids.items()}
            anvil_per_min = round((_cpu_s(anvil) - anvil_before) * 60.0 / elapsed, 2)
            rss = {p: _rss_mib(pid) for p, pid in pids.items()}
        finally:
            if (directory / "consortium.json").exists():
                _consortium(directory, "down", 120)
    return {"cpu_s_per_min": max(per_min.values()),
            "core_percent": round(100 * max(per_min.values()) / 60.0, 2),
            "rss_mib": max(rss.values()), "nodes": len(pids),
            "per_node_cpu_s_per_min": per_min, "per_node_rss_mib": rss,
            "anvil_cpu_s_per_min": anvil_per_min,
            "startup_cpu_s": {p: round(v, 2) for p, v in startup.items()},
            "settle_s": settle, "window_s": window}


def run(quick: bool) -> dict[str, object]:
    """``idle``: the worst node of a four-node consortium (per node figures beside it),
    and a lone node under ``lone``."""
    return {"idle": {**four_nodes(quick), "lone": lone(quick)}}


def lone(quick: bool) -> dict[str, object]:
    """One lone node (no peers)."""
    window = 5.0 if quick else 30.0
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
    return {"cpu_s_per_min": round(per_min, 2), "core_percent": round(100 * per_min / 60.0, 2),
            "rss_mib": rss, "window_s": window, "startup_cpu_s": round(startup_cpu, 2)}


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    print(json.dumps({"idle": four_nodes(quick)} if "--four-only" in sys.argv else run(quick)))
