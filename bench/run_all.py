"""`make bench` (and `make bench QUICK=1`): every topic module's `run(quick)` in its own
subprocess (a crash or hang in one costs only its section), merged with the machine and the
versions into bench/results/latest.json, then printed as a table.

    .venv/bin/python bench/run_all.py [--quick] [--only ingest,query]

The older single-purpose scripts (bench_anchor, bench_commit, bench_merkle, bench_store, …)
still run on their own and print JSON; they are not part of this run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from machine import machine, versions  # noqa: E402
from table import render  # noqa: E402

# module → sections it writes; order: cheap first, so a QUICK run fails fast.
MODULES = {"bench_cli": ("cli",), "bench_idle": ("idle",),
           "bench_ingest": ("ingest",), "bench_anchor": ("anchoring",),
           "bench_query": ("query",),
           "bench_private_match": ("private_match",), "bench_audit": ("audit",),
           "bench_propagation": ("propagation",)}
TIMEOUT_S = {True: 600, False: 1800}


def _one(module: str, quick: bool) -> dict[str, object]:
    code = (f"import json, sys; sys.path[:0] = {[str(HERE), str(HERE.parent)]!r}; "
            f"import {module}; print('\\n' + json.dumps({module}.run({quick!r})))")
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=TIMEOUT_S[quick], check=False, cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        return {s: {"error": f"timed out after {TIMEOUT_S[quick]} s"} for s in MODULES[module]}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {s: {"error": f"exit {done.returncode}: {tail[0][:300]}"}
                for s in MODULES[module]}
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    for value in found.values():
        if isinstance(value, dict):
            value["bench_s"] = round(time.monotonic() - started, 1)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated modules, e.g. bench_cli")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    chosen = [m for m in MODULES if not args.only or m in args.only.split(",")]
    started = time.monotonic()
    result: dict[str, object] = {"quick": args.quick,
                                 "started": datetime.now(UTC).isoformat(timespec="seconds"),
                                 "machine": machine(), "versions": versions()}
    for module in chosen:
        print(f"bench: {module} …", file=sys.stderr, flush=True)
        result.update(_one(module, args.quick))
    result["wall_s"] = round(time.monotonic() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(render(result), end="")
    print(f"\nwritten: {args.out}")
    failed = [k for k, v in result.items() if isinstance(v, dict) and "error" in v]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
