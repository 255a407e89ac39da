"""``--consortium DIR`` on the client commands (submit, query, grant, verify-answer), run
in-process against the four running nodes of the exchange fixture, described by a
consortium.json written here the way ``consortium up`` writes one.

An AH platform submits a serious-dishonesty entry; the agency accredited in SH finds it
at the SH node (replicated from AH) and the answer verifies against the ledger; a grant
signed by the agency accredited in ZJ is taken by the ZJ node, one signed in SH is not,
and SH's agency certificate is a stranger to the ZJ node. Missing flags are named.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from consent_helpers import EVIDENCE
from exchange_helpers import Consortium, public_dishonesty, records_of, wait_for

from ledger.devchain import DEV_CHAIN_ID
from node.cli.main import main
from node.devnet.layout import ConsortiumDoc, IdentityEntry, LedgerEntry, ProvinceEntry

pytestmark = pytest.mark.anvil

RECORD_NO = "AH-CLI-000001"


def consortium_json(consortium: Consortium, root: Path) -> Path:
    """A consortium.json naming the fixture's nodes and per-province identities."""
    identities: dict[str, IdentityEntry] = {}
    provinces: dict[str, ProvinceEntry] = {}
    for province, member in consortium.members.items():
        layout = member.layout
        provinces[province] = ProvinceEntry(
            grpc=f"localhost:{member.port}", pid=None, data_dir=str(member.root),
            config=str(member.config), account="0x" + "00" * 20, log="")
        for label in ("platform", "agency"):
            identities[f"{label}.{province}"] = IdentityEntry(
                str(layout.identity_cert(label)), str(layout.identity_key(label)),
                str(layout.ca_cert), "example-agency" if label == "agency" else label,
                province)
    doc = ConsortiumDoc(
        ledger=LedgerEntry(rpc_url=consortium.rpc_url, chain_id=DEV_CHAIN_ID, pid=None,
                           state_file="", contracts=dict(consortium.deployment.addresses)),
        provinces=provinces, identities=identities)
    root.mkdir(parents=True, exist_ok=True)
    doc.save(root / "consortium.json")
    return root


@pytest.fixture(scope="module")
def directory(consortium: Consortium, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return consortium_json(consortium, tmp_path_factory.mktemp("cli") / "consortium")


@pytest.fixture(scope="module")
def entry() -> dict[str, Any]:
    record = dict(public_dishonesty(records_of("AH", 60, seed=9), datetime.now(UTC).date()))
    record["record_no"] = RECORD_NO
    return record


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def submitted(directory: Path, entry: dict[str, Any],
              tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str]:
    """``credit-node submit --consortium DIR --province ah FILE`` of the AH entry."""
    lines = tmp_path_factory.mktemp("submit") / "ah.jsonl"
    lines.write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["submit", "--consortium", str(directory), "--province", "ah", str(lines)])
    return code, out.getvalue(), err.getvalue()


def test_submit_with_consortium_and_province(submitted: tuple[int, str, str]) -> None:
    code, out, err = submitted
    assert code == 0, err
    assert json.loads(out) == {"accepted": 1, "rejected": 0, "errors": []}


def test_query_at_another_node_then_verify_answer(
        consortium: Consortium, directory: Path, entry: dict[str, Any], tmp_path: Path,
        submitted: tuple[int, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    subject = str(entry["SX_SHXYM"])
    answers: list[dict[str, Any]] = []

    def answered() -> bool:
        code, out, err = run(capsys, "query", "--consortium", str(directory), "--node", "SH",
                             "--purpose", "credit_report", "--subject", subject,
                             "--include-foreign", "--json")
        assert code == 0, err
        answers.append(json.loads(out))
        return any(r["record_no"] == RECORD_NO for r in answers[-1]["records"])

    wait_for(answered, step=0.1)
    record = next(r for r in answers[-1]["records"] if r["record_no"] == RECORD_NO)
    assert record["province"] == "AH" and record["kind"] == "dishonesty"
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(answers[-1], ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "verify-answer", str(answer), "--consortium", str(directory))
    assert code == 0, err
    assert json.loads(out)["ok"] is True and json.loads(out)["records"] >= 1
    for peer in ("SH", "JS", "ZJ"):  # leave the fixture quiet for the tests after this one
        store = consortium[peer].node.app.store
        wait_for(lambda store=store: store.get_record("AH", RECORD_NO) is not None)


def test_grant_signed_by_the_nodes_own_agency_is_taken(
        consortium: Consortium, directory: Path, entry: dict[str, Any], tmp_path: Path,
        submitted: tuple[int, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    subject = str(entry["SX_SHXYM"])
    zj = consortium["ZJ"].node.app.store
    wait_for(lambda: zj.get_record("AH", RECORD_NO) is not None)
    evidence = tmp_path / "consent.pdf"
    evidence.write_bytes(EVIDENCE)
    grants = {}
    for node in ("ZJ", "SH"):
        grants[node] = tmp_path / f"grant-{node}.json"
        code, _, err = run(capsys, "grant", "--consortium", str(directory), "--node", node,
                           "--subject", subject, "--purpose", "lending_review",
                           "--evidence", str(evidence), "--out", str(grants[node]))
        assert code == 0, err
        assert json.loads(grants[node].read_text())["agency"] == "example-agency"
    query = ("query", "--consortium", str(directory), "--node", "ZJ", "--purpose",
             "lending_review", "--subject", subject, "--include-foreign", "--evidence",
             str(evidence))
    code, out, err = run(capsys, *query, "--grant", str(grants["ZJ"]))
    assert code == 0, err
    assert RECORD_NO in {r["record_no"] for r in json.loads(out)["records"]}
    code, _, err = run(capsys, *query, "--grant", str(grants["SH"]))
    assert code == 1 and "PERMISSION_DENIED" in err and "grant refused" in err
    # An explicit flag wins over the consortium's: SH's agency certificate at the ZJ node.
    sh = consortium["SH"].layout
    code, _, err = run(capsys, *query, "--cert", str(sh.identity_cert("agency")),
                       "--key", str(sh.identity_key("agency")))
    assert code == 1 and ("UNAUTHENTICATED" in err or "PERMISSION_DENIED" in err), err


@pytest.mark.parametrize(("argv", "message"), [
    (["submit", "-"], "--endpoint is required (or give --consortium DIR --province P)"),
    (["submit", "--province", "JS", "-"], "--province applies only with --consortium DIR"),
    (["query", "--consortium", "{dir}", "--purpose", "credit_report", "--subject", "X"],
     f"--node is required with --consortium (one of {', '.join(['SH', 'JS', 'ZJ', 'AH'])})"),
    (["query", "--consortium", "{dir}", "--node", "GD", "--purpose", "p", "--subject", "X"],
     "--node GD: the consortium in"),
    (["query", "--endpoint", "localhost:1", "--cert", "c", "--key", "k", "--purpose", "p",
      "--subject", "X"], "--ca is required"),
    (["query", "--consortium", "{missing}", "--node", "SH", "--purpose", "p", "--subject",
      "X"], "no consortium.json there"),
    (["grant", "--subject", "X", "--purpose", "p", "--evidence", "e", "--out", "o"],
     "--agency is required (or give --consortium DIR --node P)"),
    (["grant", "--agency", "a", "--subject", "X", "--purpose", "p", "--evidence", "e",
      "--out", "o"], "--key is required"),
    (["verify-answer", "a.json"], "--rpc-url is required (or give --consortium DIR)"),
    (["verify-answer", "a.json", "--rpc-url", "http://127.0.0.1:1"],
     "--deployment or --contracts is required"),
])
def test_a_missing_flag_is_named(directory: Path, tmp_path: Path, argv: list[str],
                                 message: str, capsys: pytest.CaptureFixture[str]) -> None:
    filled = [a.format(dir=directory, missing=tmp_path / "none") for a in argv]
    code, out, err = run(capsys, *filled)
    assert code == 2 and out == ""
    assert message in err and err.startswith(f"credit-node {argv[0]}: error: ")

