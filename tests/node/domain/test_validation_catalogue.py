"""The issue catalogue: stable UPPER_SNAKE codes, each one used somewhere."""

from __future__ import annotations

import re
from pathlib import Path

from node.domain.validation.issues import CATALOGUE, Collector
from node.domain.validation.subject import _ID_MESSAGES

ROOT = Path(__file__).parents[3]
SOURCES = [*(ROOT / "node/domain/validation").glob("*.py"), ROOT / "node/cli/validate_cmd.py",
           ROOT / "node/service/ingest.py", ROOT / "node/service/catalog_state.py",
           ROOT / "node/domain/catalog/recognize.py"]


def test_codes_are_upper_snake_with_docs() -> None:
    for code, doc in CATALOGUE.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*", code), code
        assert doc.level in ("error", "warning")
        assert doc.doc.endswith(".")


def test_every_code_is_emitted_by_some_module() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in SOURCES
                   if p.name != "issues.py")
    for code in CATALOGUE:
        assert f'"{code}"' in text, f"{code} is catalogued but never emitted"


def test_every_emitted_code_is_catalogued() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in SOURCES if p.name != "issues.py")
    emitted = set(re.findall(r'out\.add\(\s*"([A-Z_]+)"', text))
    emitted |= {code for code, _ in _ID_MESSAGES.values()}
    assert {"USCC_CHECK", "ID_CHECK", "PUBLICATION_LATE"} <= emitted
    assert emitted <= set(CATALOGUE)


def test_collector_sorts_by_level() -> None:
    out = Collector()
    out.add("USCC_CHECK", "f", "m")
    out.add("USCC_CHECK_ALLOWED", "f", "m")
    assert [i.code for i in out.errors] == ["USCC_CHECK"]
    assert [i.code for i in out.warnings] == ["USCC_CHECK_ALLOWED"]
