"""`credit-node synth`: N lines of JSON on stdout or in a file, deterministic, piped into
`credit-node validate` without errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from node.cli.main import main
from node.cli.synth_cmd import run

REPO = Path(__file__).parents[3]


def _stdout(province: str, count: int, seed: int) -> bytes:
    out, err = io.BytesIO(), io.StringIO()
    assert run(province, count, seed, None, stdout=out, stderr=err) == 0
    assert err.getvalue() == ""
    return out.getvalue()


def test_writes_n_json_lines() -> None:
    data = _stdout("JS", 250, 1)
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 250
    records = [json.loads(line) for line in lines]
    assert all(r["province"] == "JS" for r in records)
    # UTF-8 text, not \u escapes; compact separators.
    assert "法人及非法人组织".encode() in data and b"\\u" not in data
    assert all(line.startswith('{"kind":"') for line in lines)


def test_zero_count_writes_nothing() -> None:
    assert _stdout("SH", 0, 1) == b""


def test_deterministic_for_a_seed() -> None:
    assert _stdout("ZJ", 100, 9) == _stdout("ZJ", 100, 9)
    assert _stdout("ZJ", 100, 9) != _stdout("ZJ", 100, 10)


def test_out_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "ah.jsonl"
    code = main(["synth", "--province", "AH", "--count", "40", "--seed", "2",
                 "--out", str(target)])
    assert code == 0
    assert capsys.readouterr().out == ""
    assert target.read_bytes() == _stdout("AH", 40, 2)


def test_unwritable_out_file_exits_2(tmp_path: Path) -> None:
    err = io.StringIO()
    code = run("AH", 5, 1, tmp_path / "missing" / "x.jsonl", stdout=io.BytesIO(), stderr=err)
    assert code == 2
    assert "cannot write" in err.getvalue() and "x.jsonl" in err.getvalue()


@pytest.mark.parametrize("args", [
    ["--province", "GD", "--count", "1"],
    ["--province", "JS", "--count", "-3"],
    ["--province", "JS", "--count", "many"],
    ["--province", "JS"],
])
def test_bad_arguments_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["synth", *args])
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_pipe_into_validate_has_no_invalid_line() -> None:
    cli = [sys.executable, "-m", "node.cli.main"]
    synth = subprocess.run([*cli, "synth", "--province", "SH", "--count", "300", "--seed", "4"],
                           capture_output=True, check=True, cwd=REPO, timeout=120)
    assert synth.stdout.count(b"\n") == 300
    checked = subprocess.run([*cli, "validate", "--today", "2026-11-28", "--summary", "-"],
                             input=synth.stdout, capture_output=True, cwd=REPO, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout) == {"lines": 300, "valid": 300, "invalid": 0}
