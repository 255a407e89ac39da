"""`cli`: wall time of `credit-node --help` and `credit-node query --help` (best of 5), the
start-up a user pays before any work; the baseline is a bare `python -c pass`.
(BENCH_CLI_TRIES overrides the count: the smoke test uses 1.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

CREDIT_NODE = str(Path(sys.executable).parent / "credit-node")


def _best(argv: list[str], tries: int) -> float:
    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, timeout=120, check=True)
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def run(quick: bool) -> dict[str, object]:
    tries = int(os.environ.get("BENCH_CLI_TRIES", "3" if quick else "5"))
    return {"cli": {
        "help_s": _best([CREDIT_NODE, "--help"], tries),
        "query_help_s": _best([CREDIT_NODE, "query", "--help"], tries),
        "python_startup_s": _best([sys.executable, "-c", "pass"], tries),
        "best_of": tries}}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv)))
