"""Run every benchmark in bench/ and print one JSON object per benchmark, keyed by script name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=1800, check=False
        )
        if proc.returncode != 0:
            failed += 1
            print(json.dumps({"bench": script.stem, "ok": False, "stderr": proc.stderr[-2000:]}))
            continue
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        for line in lines:
            print(json.dumps({"bench": script.stem, "ok": True, "result": json.loads(line)}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
