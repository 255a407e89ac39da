"""Speed of the synthetic-record generator, alone and piped into the validator.

    .venv/bin/python bench/bench_synth.py [--count 100000] [--province JS] [--no-pipeline]

Measures, for ``--count`` records:
- in process: generate and encode to compact JSON Lines (written to an in-memory sink);
- ``credit-node synth`` to /dev/null (includes interpreter start-up and CLI imports);
- ``credit-node synth … | credit-node validate --summary -`` end to end, and the
  validator's summary line (every line must be valid).
Prints one JSON object. The machine's load average is included: the figures are wall
times and the host is shared.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from node.cli.synth_cmd import write_jsonl  # noqa: E402
from node.devnet.synth import generate_records  # noqa: E402

CLI = str(REPO / ".venv" / "bin" / "credit-node")
TODAY = "2026-11-28"  # after every generated date


def in_process(province: str, count: int) -> dict[str, float]:
    sink = io.BytesIO()
    wall, cpu = time.perf_counter(), time.process_time()
    written = write_jsonl(generate_records(province, count, 1), sink)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert written == count
    return {"seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "records_per_second": round(count / wall), "mb": round(len(sink.getvalue()) / 1e6, 1)}


def cli_alone(province: str, count: int) -> float:
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        subprocess.run([CLI, "synth", "--province", province, "--count", str(count)],
                       stdout=devnull, check=True, timeout=600)
    return round(time.perf_counter() - start, 3)


def pipeline(province: str, count: int) -> tuple[float, dict[str, int]]:
    start = time.perf_counter()
    synth = subprocess.Popen([CLI, "synth", "--province", province, "--count", str(count)],
                             stdout=subprocess.PIPE)
    check = subprocess.run([CLI, "validate", "--today", TODAY, "--summary", "-"],
                           stdin=synth.stdout, capture_output=True, timeout=1200, check=False)
    assert synth.stdout is not None
    synth.stdout.close()
    synth.wait(timeout=60)
    seconds = round(time.perf_counter() - start, 3)
    if synth.returncode != 0 or check.returncode != 0:
        raise SystemExit(f"pipeline failed: synth {synth.returncode}, validate "
                         f"{check.returncode}: {check.stderr.decode()[-500:]}")
    summary: dict[str, int] = json.loads(check.stdout)
    return seconds, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--province", default="JS")
    parser.add_argument("--no-pipeline", action="store_true")
    args = parser.parse_args()
    result: dict[str, object] = {"records": args.count, "province": args.province}
    result.update(in_process(args.province, args.count))
    result["cli_synth_seconds"] = cli_alone(args.province, args.count)
    if not args.no_pipeline:
        seconds, summary = pipeline(args.province, args.count)
        result["synth_pipe_validate_seconds"] = seconds
        result["validate_summary"] = summary
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    result["cpus"] = os.cpu_count()
    result["python"] = platform.python_version()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
