"""`credit-node ledger ...` end to end against a real anvil."""

from __future__ import annotations

import importlib
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ledger_helpers import KEYS, MEMBERS, OUTSIDER_KEY

from ledger.child_process import die_with_parent
from ledger.devchain import DevChain
from ledger.files import member_to_json
from node.cli.ledger_cmd import main
from node.domain.catalog import document_hash

REPO = Path(__file__).resolve().parents[2]


def _key_file(tmp_path: Path, name: str, key: str, mode: int = 0o600) -> Path:
    path = tmp_path / f"{name}.key"
    path.write_text(key + "\n")
    path.chmod(mode)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def deployed(anvil: DevChain, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    members = tmp_path / "members.json"
    members.write_text(json.dumps([member_to_json(m) for m in MEMBERS]))
    out = tmp_path / "deployment.json"
    code, stdout, _ = _run(capsys, "deploy", "--rpc-url", anvil.rpc_url, "--dev",
                           "--members", str(members), "--out", str(out), "--json")
    assert code == 0
    assert json.loads(stdout)["addresses"] == json.loads(out.read_text())["addresses"]
    return out


def test_reachable_through_credit_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli_main = importlib.import_module("node.cli.main")
    assert cli_main.COMMANDS["ledger"] == "node.cli.ledger_cmd"
    code = cli_main.main(["ledger", "status", "--deployment", str(tmp_path / "none.json")])
    assert code == 2
    assert "none.json unreadable" in capsys.readouterr().err


def test_status_and_members(deployed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = _run(capsys, "status", "--deployment", str(deployed), "--json")
    assert code == 0
    status = json.loads(stdout)
    assert (status["members"], status["threshold"], status["catalog_version"]) == (4, 3, 0)
    assert status["latest_batches"][1] == {"province": "JS", "seq": 0, "root": "0x" + "00" * 32,
                                           "size": 0}
    code, stdout, _ = _run(capsys, "members", "--deployment", str(deployed))
    assert code == 0
    assert stdout.splitlines()[0].startswith(f"SH {MEMBERS[0].account} active node_key=0x")


def test_propose_and_approve_until_executed(
    deployed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = {p: _key_file(tmp_path, p, KEYS[p]) for p in ("SH", "JS", "ZJ")}
    document = tmp_path / "catalog.json"
    document.write_text('{ "version" :  1 }\n')
    base = ["--deployment", str(deployed)]
    code, stdout, _ = _run(capsys, "propose", *base, "--key-file", str(keys["SH"]), "--json",
                           "adopt-catalog", "--version", "1", "--document", str(document))
    assert code == 0
    proposal = json.loads(stdout)
    assert (proposal["id"], proposal["kind"], proposal["approvals"]) == (1, "ADOPT_CATALOG", 1)
    # The adopted hash is that of the canonical form, whatever the file's formatting.
    assert proposal["params"]["document_hash"] == "0x" + document_hash({"version": 1}).hex()
    code, stdout, _ = _run(capsys, "approve", *base, "--key-file", str(keys["JS"]), "1")
    assert (code, stdout.strip()) == (0, "proposal 1: 2 approval(s), not executed yet")
    code, stdout, _ = _run(capsys, "approve", *base, "--key-file", str(keys["ZJ"]), "1")
    assert (code, stdout.strip()) == (0, "proposal 1: 3 approval(s), executed")
    code, stdout, _ = _run(capsys, "status", *base, "--json")
    assert json.loads(stdout)["catalog_version"] == 1


def test_refusals_exit_1(
    deployed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outsider = _key_file(tmp_path, "outsider", OUTSIDER_KEY)
    code, stdout, _ = _run(capsys, "propose", "--deployment", str(deployed), "--key-file",
                           str(outsider), "--json", "change-threshold", "2")
    assert code == 1
    answer = json.loads(stdout)
    assert (answer["ok"], answer["error"], answer["revert"]) == (False, "ContractRevert",
                                                                  "NotMember")
    sh = _key_file(tmp_path, "sh", KEYS["SH"])
    code, _, stderr = _run(capsys, "approve", "--deployment", str(deployed), "--key-file",
                           str(sh), "7")
    assert code == 1
    assert "Governance reverted ProposalNotFound(id=7)" in stderr


def test_bad_usage_and_unreachable_exit_2(
    deployed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = _key_file(tmp_path, "loose", KEYS["SH"], mode=0o644)
    code, _, stderr = _run(capsys, "approve", "--deployment", str(deployed), "--key-file",
                           str(loose), "1")
    assert code == 2 and "chmod 600" in stderr
    code, _, stderr = _run(capsys, "status", "--deployment", str(deployed), "--rpc-url",
                           "http://127.0.0.1:9", "--timeout", "2")
    assert code == 2 and "unavailable" in stderr
    code, _, stderr = _run(capsys, "status", "--deployment", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json unreadable: No such file" in stderr
    with pytest.raises(SystemExit) as usage:
        main(["propose", "--deployment", str(deployed)])
    assert usage.value.code == 2


@pytest.mark.anvil  # its own anvil, started by the command under test
def test_devchain_runs_until_interrupted(tmp_path: Path) -> None:
    state = tmp_path / "chain.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "node.cli.ledger_cmd", "devchain", "--state", str(state), "--json"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=die_with_parent(),
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info["rpc_url"].startswith("http://127.0.0.1:") and info["chain_id"] == 31337
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert state.exists()
