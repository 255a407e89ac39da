"""`credit-node catalog` offline commands: show, hash, check-mapping (the ledger ones run
against anvil in tests/ledger/test_catalog_adoption.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from node.cli.main import COMMANDS
from node.cli.main import main as credit_node
from node.domain.catalog import catalog_dir

REPO = Path(__file__).resolve().parents[4]
V1 = "0x6bc734375b5f2891cb241a1408fa13c0d200bb5f760278867704d0f258b0e07c"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = credit_node(["catalog", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_registered() -> None:
    assert COMMANDS["catalog"] == "node.cli.catalog_cmd"


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "show", "--version", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == ["长三角失信行为标准互认目录 v1 (effective 2026-01-01)", f"sha256 {V1}",
                         "22 categories, 23 measures"]
    assert "YRD-SX-FY-001  dishonesty serious  0-24 months  列入失信被执行人名单" in lines
    code, out, _ = _run(capsys, "show", "--json")
    shown = json.loads(out)
    assert (shown["version"], len(shown["categories"]), len(shown["measures"])) == (3, 23, 24)


def test_offline_commands_do_not_load_the_ledger() -> None:
    script = ("import sys; from node.cli.main import main; "
              "main(['catalog', 'check-mapping', '--version', '1']); "
              "print(sorted(m for m in ('web3', 'ledger') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_hash(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "hash", str(catalog_dir() / "catalog-v1.json"))
    assert (code, out.strip()) == (0, V1)
    code, out, _ = _run(capsys, "hash", "--json", str(tmp_path / "none.json"))
    assert code == 2
    assert json.loads(out)["error"] == "CatalogFileError"


def test_check_mapping(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "check-mapping", "--version", "2")
    assert code == 0
    assert out.splitlines()[1].startswith("JS v2: 22 local codes mapped, kinds and severities "
                                          "consistent, sha256 0xc5f24e5b")
    folder = tmp_path / "catalog"
    shutil.copytree(catalog_dir(), folder)
    path = folder / "mappings" / "AH-v1.json"
    doc = json.loads(path.read_text("utf-8"))
    del doc["mappings"]["AH-CN-3-01"]
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = _run(capsys, "check-mapping", "--version", "1", "--province", "AH",
                        "--catalog-dir", str(folder), "--json")
    assert code == 1
    answer = json.loads(out)
    assert (answer["ok"], answer["error"]) == (False, "InconsistentMapping")
    assert answer["problems"] == [
        "AH v1: local code 'AH-CN-3-01' (commitment, serious) is not mapped"]
    code, _, err = _run(capsys, "check-mapping", "--version", "9")
    assert code == 2 and "catalog-v9.json unreadable" in err
