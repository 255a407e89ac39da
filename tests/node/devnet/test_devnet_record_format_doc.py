"""The committed docs/record-format.md is exactly what the renderer produces."""

from __future__ import annotations

from pathlib import Path

from node.devnet.record_format_doc import conditions, main, render
from node.domain.fields import BY_KIND

DOC = Path(__file__).parents[3] / "docs" / "record-format.md"


def test_committed_doc_equals_render() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/record-format.md is out of date: run "
        "python -m node.devnet.record_format_doc --output docs/record-format.md")


def test_every_conditional_field_has_its_rule() -> None:
    conds = conditions()
    for specs in BY_KIND.values():
        for spec in specs:
            if spec.required == "conditional":
                assert spec.code in conds, spec.code


def test_doc_lists_every_field_and_code() -> None:
    text = render()
    for specs in BY_KIND.values():
        for spec in specs:
            assert f"| `{spec.code}` | {spec.name} |" in text
    assert "| `USCC_CHECK` | error |" in text
    assert "| `PUBLICATION_LATE` | warning |" in text


def test_check_mode(tmp_path: Path) -> None:
    stale = tmp_path / "doc.md"
    stale.write_text("old\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert main(["--output", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
