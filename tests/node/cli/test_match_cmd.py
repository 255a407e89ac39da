"""``credit-node match``: the subjects file and the refusals before any call."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.cli.main import main
from node.cli.match_cmd import read_subjects


def test_subjects_file_normalized_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "review.txt"
    path.write_text("# review list\n91350100m000100y43\n\n １１０１０５１９４９１２３１００２ｘ\n",
                    encoding="utf-8")
    assert read_subjects(path) == [(2, "91350100M000100Y43"), (4, "11010519491231002X")]


def test_bad_line_is_named_and_masked(tmp_path: Path) -> None:
    path = tmp_path / "review.txt"
    path.write_text("91350100M000100Y43\n1101051949123100\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2 \(11\*+00\): want an 18-character") as info:
        read_subjects(path)
    assert "1101051949123100" not in str(info.value)


def test_unusable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subjects = tmp_path / "review.txt"
    subjects.write_text("91350100M000100Y43\n", encoding="utf-8")
    code = main(["match", "--consortium", str(tmp_path), "--from", "SH", "--against", "JS",
                 "--subjects", str(subjects)])
    assert code == 2
    assert "consortium.json" in capsys.readouterr().err
