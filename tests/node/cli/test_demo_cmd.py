"""`credit-node demo --local` runs the single-province pipeline and reports figures read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from node.cli.main import main


def test_demo_small_run_succeeds_and_reports_stored_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--local", "--province", "ZJ", "--count", "300",
                 "--dir", str(tmp_path / "d")])
    out = capsys.readouterr().out
    assert code == 0, out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["province"] == "ZJ"
    assert summary["records"] == 300
    assert summary["log_size"] == 300
    assert summary["invalid"] == 0 and summary["rejected"] == 0
    assert len(bytes.fromhex(summary["root"])) == 32
    assert "verified against the signed root" in out


def test_demo_refuses_a_zero_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--local", "--count", "0", "--dir", str(tmp_path / "d")]) == 2
    assert "--count must be at least 1" in capsys.readouterr().err
