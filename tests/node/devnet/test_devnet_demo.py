"""`credit-node demo` end to end on a small run: every step passes, figures are read back,
no full identifier is printed, and the consortium is left running for exploring."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from devnet_helpers import processes_under, teardown

from node.cli.main import main
from node.devnet.demo_steps import STEPS
from node.devnet.layout import ConsortiumLayout
from node.devnet.lifecycle import load_doc
from node.devnet.status import consortium_status

pytestmark = pytest.mark.anvil

RECORDS = 200


@pytest.fixture
def demo_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "consortium"
    try:
        yield directory
    finally:
        teardown(directory)


def test_demo_runs_every_step_and_leaves_the_consortium_running(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--records-per-province", "30", "--dir", str(demo_dir)]) == 0
    earlier = processes_under(demo_dir)
    assert len(earlier) == 5  # anvil and four nodes
    capsys.readouterr()
    # A second run stops and wipes the first one's consortium before starting afresh.
    code = main(["demo", "--records-per-province", str(RECORDS), "--dir", str(demo_dir)])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, out + captured.err
    assert "stopped what an earlier run left" in out and "wiped" in out
    assert not set(earlier) & set(processes_under(demo_dir))
    steps = str(len(STEPS))
    assert re.findall(r"^\[(\d+)/(\d+)\]", out, re.MULTILINE)[-1] == (steps, steps)
    assert "FAILED" not in out
    table = {m.group(1): m.groups()[1:] for m in re.finditer(
        r"^  (SH|JS|ZJ|AH) +([\d,]+) +([\d,]+) +([\d,]+) +(\d+) +(\d+)", out, re.MULTILINE)}
    assert set(table) == {"SH", "JS", "ZJ", "AH"}
    for province, (records, log_size, anchored, backlog, anchors) in table.items():
        # JS: the exchange step's fresh entry and the lifecycle step's two penalties.
        held = RECORDS + 3 * (province == "JS")
        assert records == log_size == anchored == f"{held:,}"
        assert backlog == "0" and int(anchors) >= 1
    assert "answered records verified" in out
    assert len(re.findall(r"^  (SH|JS|ZJ|AH): ok — [\d,]+ entries checked", out,
                          re.MULTILINE)) == 4  # audit verify of every node
    assert "answered at SH, ZJ, AH by each province's own agency" in out
    assert len(re.findall(r"^    (SH|ZJ|AH): [\d,]+ ms .* every proof verified", out,
                          re.MULTILINE)) == 3  # the exchange step
    assert f"credit-node consortium down --dir {demo_dir}" in out
    # The lifecycle step: the repair and the objection seen at all four nodes.
    for said in ("no longer answered at:", "flag seen in answers at:", "flag cleared at:"):
        line = next(x for x in out.splitlines() if said in x)
        assert all(f"{p} " in line.split(said)[1] for p in ("SH", "JS", "ZJ", "AH")), line
    assert re.search(r"^    JS RecordStatus JS-LIFECYCLE-000001: status repaired, data key "
                     r"held False", out, re.MULTILINE)

    layout = ConsortiumLayout(demo_dir)
    subject = (layout.demo_dir / "example-subject.txt").read_text().strip()
    assert len(subject) == 18 and subject not in out and subject not in captured.err
    status = consortium_status(load_doc(demo_dir))
    assert {p: n["records"] for p, n in status["provinces"].items() if n["healthy"]} == {
        "SH": RECORDS, "JS": RECORDS + 3, "ZJ": RECORDS, "AH": RECORDS}
    exchanged = (layout.demo_dir / "exchange-subject.txt").read_text().strip()
    assert exchanged not in out
    assert processes_under(demo_dir)


def test_demo_refuses_to_wipe_a_foreign_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "precious"
    directory.mkdir()
    (directory / "notes.txt").write_text("keep me")
    assert main(["demo", "--records-per-province", "10", "--dir", str(directory)]) == 1
    assert "refusing to wipe" in capsys.readouterr().out
    assert (directory / "notes.txt").read_text() == "keep me"


def test_demo_refuses_a_zero_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--records-per-province", "0", "--dir", str(tmp_path / "d")]) == 2
    assert "--records-per-province must be at least 1" in capsys.readouterr().err
