"""docs/threat-model.md stays true: every row names a test, and every test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "threat-model.md"
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[[^\]]*\])?`")


def _rows() -> list[str]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    return [line for line in lines
            if line.startswith("| ") and not set(line) <= set("|- ") and "---" not in line]


def _defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_cited_test_exists() -> None:
    cited = TEST_ID.findall(DOC.read_text(encoding="utf-8"))
    assert len(cited) >= 40
    missing = [f"{path}::{name}" for path, name in cited
               if not (ROOT / path).is_file() or name not in _defined_tests(ROOT / path)]
    assert missing == []


def test_every_protection_row_names_a_test() -> None:
    rows = [row for row in _rows()
            if row.count("|") >= 7 and not row.startswith("| asset | threat |")]
    assert len(rows) >= 30
    untested = [row[:80] for row in rows if not TEST_ID.search(row)]
    assert untested == []
    assert "pending" not in DOC.read_text(encoding="utf-8").lower()
