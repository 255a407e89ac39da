"""`make bench` smoke test: run_all with its cheapest module (bench_cli) in QUICK mode writes a
result file of the documented shape and prints the table. No timing is asserted: the
figures are measurements for bench/results, never pass/fail criteria."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_cli_module_writes_the_documented_json(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run_all.py"), "--quick",
                           "--only", "bench_cli", "--out", str(out)],
                          capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
                          env={**os.environ, "BENCH_CLI_TRIES": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["quick"] is True
    assert {"cores", "cpu_model", "memory_gib"} <= set(result["machine"])
    assert {"python", "grpcio", "sqlalchemy", "web3", "anvil"} <= set(result["versions"])
    assert result["versions"]["python"].startswith("3.")
    cli = result["cli"]
    for key in ("help_s", "query_help_s", "python_startup_s"):
        assert isinstance(cli[key], float) and cli[key] > 0
    assert "| cli | query_help_s |" in done.stdout
    assert "| query | qps | not measured |" in done.stdout
