"""`credit-node validate`: output lines, exit codes 0/1/2, options."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from domain_samples import SAMPLES, sample

from node.cli.main import main
from node.cli.validate_cmd import run

REPO = Path(__file__).parents[3]
PILOT = "91350100M0001TGQXM"
TODAY = dt.date(2025, 6, 30)


def _jsonl(*objs: object) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs)


def _run(data: bytes, *, allow: Path | None = None, summary: bool = False) -> tuple[int, str, str]:
    out, err = io.BytesIO(), io.StringIO()
    code = run("-", allow_uscc=allow, today=TODAY, summary=summary,
               stdin=io.BytesIO(data), stdout=out, stderr=err)
    return code, out.getvalue().decode("utf-8"), err.getvalue()


def _results(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_all_valid_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(SAMPLES / "penalty.jsonl"), "--today", "2025-06-30"])
    out = capsys.readouterr().out
    assert code == 0
    results = _results(out)
    assert [r["line"] for r in results] == [1, 2, 3]
    assert all(r["ok"] and r["errors"] == [] and r["warnings"] == [] for r in results)


def test_some_invalid_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = sample("penalty")
    del bad["CF_NR_FK"]
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(sample("penalty"), bad) + "not json\n", encoding="utf-8")
    code = main(["validate", str(path), "--today", "2025-06-30"])
    out = capsys.readouterr().out
    assert code == 1
    first, second, third = _results(out)
    assert first["ok"] is True
    assert second == {"line": 2, "ok": False, "warnings": [], "errors": [{
        "code": "FINE_AMOUNT_REQUIRED", "field": "CF_NR_FK",
        "message": "CF_NR_FK (罚款金额（万元）): required when CF_CFLB includes 罚款; "
                   "got no value"}]}
    assert third["ok"] is False
    assert third["errors"] == [{"code": "NOT_JSON", "field": None,
                                "message": "line 3 is not valid JSON"}]
    assert "罚款金额" in out  # not ASCII-escaped


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(tmp_path / "absent.jsonl")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "cannot open" in captured.err and "absent.jsonl" in captured.err


def test_csv_or_binary_exits_2_with_nothing_on_stdout() -> None:
    code, out, err = _run(b"name,uscc\nfoo,91320505137123458B\n")
    assert (code, out) == (2, "")
    assert "no line of the input parses as JSON" in err
    code, out, err = _run(bytes(range(128, 256)) + b"\n")
    assert (code, out) == (2, "")
    assert "line 1: not UTF-8" in err


def test_not_utf8_midway_exits_2_after_earlier_lines() -> None:
    data = _jsonl(sample("penalty")).encode() + "罚款".encode("gb18030") + b"\n"
    code, out, err = _run(data)
    assert code == 2
    assert len(_results(out)) == 1
    assert "line 2: not UTF-8" in err


def test_non_object_json_line_is_invalid_not_unusable() -> None:
    code, out, _ = _run(_jsonl(sample("commitment"), [1, 2]).encode())
    assert code == 1
    assert _results(out)[1]["errors"][0]["code"] == "NOT_OBJECT"


def test_blank_lines_skipped_and_line_numbers_physical() -> None:
    data = ("\n" + _jsonl(sample("dishonesty")) + "   \n\r\n" + _jsonl(sample("dishonesty", 1)))
    code, out, _ = _run(("\ufeff" + data).encode("utf-8"))
    assert code == 0
    assert [r["line"] for r in _results(out)] == [2, 5]


def test_empty_input_is_valid() -> None:
    assert _run(b"") == (0, "", "")
    assert _run(b"", summary=True)[1] == '{"lines": 0, "valid": 0, "invalid": 0}\n'


def test_summary_only() -> None:
    bad = sample("penalty")
    bad["CF_XDR_SHXYM"] = PILOT
    code, out, _ = _run(_jsonl(sample("penalty"), bad, sample("commitment")).encode(), summary=True)
    assert code == 1
    assert json.loads(out) == {"lines": 3, "valid": 2, "invalid": 1}


def test_allow_list(tmp_path: Path) -> None:
    rec = sample("penalty")
    rec["CF_XDR_SHXYM"] = PILOT
    allow = tmp_path / "allow.txt"
    allow.write_text(f"# pilot codes\n\n{PILOT}\n", encoding="utf-8")
    code, out, _ = _run(_jsonl(rec).encode(), allow=allow)
    assert code == 0
    (result,) = _results(out)
    assert [w["code"] for w in result["warnings"]] == ["USCC_CHECK_ALLOWED"]
    assert PILOT not in out
    allow.write_text("not a code\n", encoding="utf-8")
    code, _, err = _run(_jsonl(rec).encode(), allow=allow)
    assert code == 2 and "allow-list line 1" in err


def test_bad_today_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "-", "--today", "2025-02-30"])
    assert exc.value.code == 2
    assert "want a real date" in capsys.readouterr().err


def test_console_script_reads_stdin() -> None:
    data = _jsonl(*[sample(k) for k in ("penalty", "dishonesty", "commitment")]).encode()
    proc = subprocess.run(
        [sys.executable, "-m", "node.cli.main", "validate", "-", "--today", "2025-06-30",
         "--summary"], input=data, capture_output=True, cwd=REPO, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"lines": 3, "valid": 3, "invalid": 0}
