"""Real answers from a running node, tampered as a compromised node or holder would:
``verify-answer`` must fail naming the record and the step; withholding must not.

One JS node on the shared anvil; 80 synthetic records submitted over mTLS and anchored;
two company subjects and one natural person queried for ``credit_report`` (ID numbers
masked) with grants, through the same calls ``credit-node query`` makes.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from consent_helpers import EVIDENCE
from service_helpers import NodeDir, make_node_dir, synth_lines, wait_for

from crypto.canonical import canonical_bytes
from crypto.commitment import commit_canonical
from crypto.disclosure import SCHEME_V1, field_digest
from ledger.devchain import DevChain
from node.cli.main import main
from node.config import load_config
from node.domain.fields import NATURAL_PERSON, SUBJECT_FIELDS
from node.domain.records import parse_record, subject_identifier, to_json
from node.grpc.calls import TlsTarget, query, submit_records
from node.runtime.node import RunningNode, start_node
from node.service.ingest import prepare
from node.service.status import read_backlog

PURPOSE = "credit_report"


@dataclasses.dataclass
class Answers:
    node: NodeDir
    by_subject: dict[str, dict[str, Any]]
    companies: tuple[str, str]
    person: str
    running: RunningNode | None = None


def answers_node(answers: Answers) -> RunningNode:
    assert answers.running is not None
    return answers.running


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory, anvil: DevChain) -> Iterator[Answers]:
    root = tmp_path_factory.mktemp("tamper")
    node_dir = make_node_dir(root / "js", anvil.rpc_url)
    cfg = load_config(node_dir.config)
    running: RunningNode = start_node(cfg, workers=4)
    try:
        yield _answers(node_dir, running, root)
    finally:
        running.stop(grace=1.0)


def _answers(node_dir: NodeDir, running: RunningNode, root: Path) -> Answers:
    layout = node_dir.layout
    lines = synth_lines(80, seed=11)
    endpoint = f"localhost:{running.port}"
    platform = TlsTarget(endpoint, layout.identity_cert("platform"),
                         layout.identity_key("platform"), layout.ca_cert)
    assert submit_records(platform, lines, "test", timeout=30).accepted == 80
    wait_for(lambda: read_backlog(running.app.store).backlog == 0, timeout=60)
    records = [parse_record(json.loads(line)) for line in lines]
    counts = Counter(subject_identifier(r) for r in records)
    people = [s for s in counts if any(r.subject_kind == NATURAL_PERSON
                                       and subject_identifier(r) == s for r in records)]
    companies = [s for s in counts if s not in people]
    assert len(companies) >= 2 and people
    agency = TlsTarget(endpoint, layout.identity_cert("agency"), layout.identity_key("agency"),
                       layout.ca_cert)
    by_subject = {}
    for subject in (*companies[:2], people[0]):
        grant = root / f"grant-{len(by_subject)}.json"
        evidence = root / "consent.pdf"
        evidence.write_bytes(EVIDENCE)
        assert main(["grant", "--subject", subject, "--agency", "example-agency",
                     "--purpose", PURPOSE, "--scope", "penalty,dishonesty,commitment",
                     "--days", "1", "--key", str(layout.identity_key("agency")),
                     "--evidence", str(evidence), "--out", str(grant)]) == 0
        by_subject[subject] = query(agency, PURPOSE, subject, grant=grant.read_bytes().strip(),
                                    evidence=EVIDENCE, timeout=30)
        assert by_subject[subject]["records"], subject
    return Answers(node_dir, by_subject, (companies[0], companies[1]), people[0], running)


def verify(answers: Answers, answer: dict[str, Any], tmp_path: Path,
           capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(answer, ensure_ascii=False))
    contracts = ",".join(f"{k}={v}" for k, v in answers.node.deployment.addresses.items())
    capsys.readouterr()
    code = main(["verify-answer", str(path), "--rpc-url", str(answers.node.deployment.rpc_url),
                 "--contracts", contracts])
    return code, json.loads(capsys.readouterr().out)


def failed_at(answers: Answers, answer: dict[str, Any], tmp_path: Path,
              capsys: pytest.CaptureFixture[str]) -> list[tuple[str, int]]:
    code, report = verify(answers, answer, tmp_path, capsys)
    assert code == 1 and report["ok"] is False, report
    for failed in report["failed"]:
        assert f"record {failed['province']} {failed['record_no']}:" in failed["problems"][0]
        assert f"step ({failed['step']})" in failed["problems"][0]
    return [(f["record_no"], f["step"]) for f in report["failed"]]


def company(answers: Answers, which: int = 0) -> dict[str, Any]:
    return copy.deepcopy(answers.by_subject[answers.companies[which]])


def test_real_answers_verify_with_every_field_bound(
        answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for answer in answers.by_subject.values():
        code, report = verify(answers, answer, tmp_path, capsys)
        assert (code, report["ok"], report["failed"]) == (0, True, [])
        assert report["fields_bound"] == report["records"] == len(answer["records"])
        assert report["receipt"]["ok"] and report["receipt"]["province"] == "JS"
        assert all(r["scheme"] == 2 for r in answer["records"])


def test_a_receipt_moved_to_another_answer_fails(
        answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = company(answers, 0)
    answer["receipt"] = company(answers, 1)["receipt"] | {
        "request_id": answer["receipt"]["request_id"]}
    code, report = verify(answers, answer, tmp_path, capsys)
    assert (code, report["ok"], report["failed"]) == (1, False, [])
    assert "another request" in report["receipt"]["problems"][0]
    answer = company(answers, 0)
    answer["receipt"]["audit_entry"] = company(answers, 1)["receipt"]["audit_entry"]
    code, report = verify(answers, answer, tmp_path, capsys)
    assert (code, report["ok"]) == (1, False)
    assert "does not hash to the receipt's leaf" in report["receipt"]["problems"][0]


def test_a_masked_id_is_shown_masked_and_its_salt_never_leaves_the_node(
        answers: Answers) -> None:
    for record in answers.by_subject[answers.person]["records"]:
        id_code = SUBJECT_FIELDS[record["kind"]][3]
        fields = record["disclosure"]["fields"]
        assert id_code not in fields and id_code + "#masked" in fields
        assert "*" in record["payload"][id_code]
        assert record["payload"][id_code] == fields[id_code + "#masked"]["value"]
        assert answers.person not in json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize("where, step", [("payload", 1), ("disclosure", 1), ("both", 4)])
def test_changing_a_shown_field_fails(answers: Answers, where: str, step: int, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    for field in ("name", "decision", "masked_id"):
        answer = copy.deepcopy(answers.by_subject[
            answers.person if field == "masked_id" else answers.companies[0]])
        record = answer["records"][-1]
        _, _, _, id_code, name_code = SUBJECT_FIELDS[record["kind"]]
        code = {"name": name_code, "masked_id": id_code}.get(field) or next(
            c for c in sorted(record["payload"]) if c not in SUBJECT_FIELDS[record["kind"]]
            and isinstance(record["payload"][c], str))
        disclosed = code + "#masked" if field == "masked_id" else code
        changed = "33**************99" if field == "masked_id" else "改过的值"
        if where in ("payload", "both"):
            record["payload"][code] = changed
        if where in ("disclosure", "both"):
            record["disclosure"]["fields"][disclosed]["value"] = changed
        # A masked display changed consistently no longer shows the subject: step 1.
        want = 1 if field == "masked_id" else step
        assert failed_at(answers, answer, tmp_path, capsys) == [(record["record_no"], want)]


def test_changing_the_envelope_fails(answers: Answers, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    answer = company(answers)
    record = answer["records"][0]
    severity = "minor" if record["disclosure"]["envelope"]["severity"] != "minor" else "serious"
    record["disclosure"]["envelope"]["severity"] = record["payload"]["severity"] = severity
    assert failed_at(answers, answer, tmp_path, capsys) == [(record["record_no"], 4)]
    answer = company(answers)
    answer["records"][0]["record_no"] = "JS-9999-999999"
    assert failed_at(answers, answer, tmp_path, capsys) == [("JS-9999-999999", 1)]


def test_swapping_a_record_between_subjects_fails(
        answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer, other = company(answers, 0), company(answers, 1)
    moved = other["records"][0]
    answer["records"].append(moved)
    assert failed_at(answers, answer, tmp_path, capsys) == [(moved["record_no"], 1)]
    # Relabelled as the asked subject, the disclosure no longer opens the commitment.
    uscc = SUBJECT_FIELDS[moved["kind"]][1]
    moved["payload"][uscc] = answers.companies[0]
    moved["disclosure"]["fields"][uscc]["value"] = answers.companies[0]
    assert failed_at(answers, answer, tmp_path, capsys) == [(moved["record_no"], 4)]


def test_moving_a_proof_onto_another_record_fails(
        answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = company(answers, 1)["records"][0]
    answer = company(answers, 0)
    target = answer["records"][0]
    target["proof"] = source["proof"]
    assert failed_at(answers, answer, tmp_path, capsys) == [(target["record_no"], 4)]
    target["commitment"] = source["commitment"]
    assert failed_at(answers, answer, tmp_path, capsys) == [(target["record_no"], 4)]


def test_passing_a_v2_record_off_as_v1_fails(
        answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = company(answers)
    record = answer["records"][0]
    record["scheme"] = 1
    del record["disclosure"]
    record["payload"] = {"CF_XDR_MC": "改过的名称"}
    assert failed_at(answers, answer, tmp_path, capsys) == [(record["record_no"], 4)]


def test_withholding_a_further_field_still_verifies(
        answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = company(answers)
    for record in answer["records"]:
        fields = record["disclosure"]["fields"]
        for name in [n for n in sorted(fields) if n not in SUBJECT_FIELDS[record["kind"]]][:3]:
            item = fields.pop(name)
            digest = field_digest(bytes.fromhex(item["salt"]), name, item["value"])
            record["disclosure"]["withheld"].append(digest.hex())
            record["payload"].pop(name, None)
            record["withheld_fields"].append(name)
    code, report = verify(answers, answer, tmp_path, capsys)
    assert (code, report["ok"]) == (0, True), report


def test_records_committed_under_v1_before_the_change_still_verify(
        answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rows stored as the previous version stored them (v1 commitment, 32-byte leaf) are
    anchored and answered beside v2 ones; their proofs verify, with no field bound."""
    running = answers_node(answers)
    store, keys = running.app.store, running.app.keys
    records = [dataclasses.replace(parse_record(json.loads(line)), record_no=f"JS-V1-{i:06d}")
               for i, line in enumerate(synth_lines(6, seed=99))]
    rows = []
    for record in records:
        row = prepare(record, keys)
        payload = canonical_bytes(to_json(record))
        rows.append(dataclasses.replace(row, commitment=commit_canonical(payload, row.salt),
                                        scheme=SCHEME_V1))
    refs = store.add_records(rows)
    assert all(ref.created for ref in refs)
    wait_for(lambda: read_backlog(store).backlog == 0, timeout=60)
    subject = subject_identifier(records[0])
    layout = answers.node.layout
    agency = TlsTarget(f"localhost:{running.port}", layout.identity_cert("agency"),
                       layout.identity_key("agency"), layout.ca_cert)
    grant = tmp_path / "grant.json"
    (tmp_path / "consent.pdf").write_bytes(EVIDENCE)
    assert main(["grant", "--subject", subject, "--agency", "example-agency", "--purpose",
                 PURPOSE, "--scope", "penalty,dishonesty,commitment", "--days", "1", "--key",
                 str(layout.identity_key("agency")), "--evidence", str(tmp_path / "consent.pdf"),
                 "--out", str(grant)]) == 0
    answer = query(agency, PURPOSE, subject, grant=grant.read_bytes().strip(),
                   evidence=EVIDENCE, timeout=30)
    old = [r for r in answer["records"] if r["record_no"] in {ref.record_no for ref in refs}]
    assert old and all(r["scheme"] == 1 and "disclosure" not in r for r in old)
    code, report = verify(answers, answer, tmp_path, capsys)
    assert (code, report["ok"]) == (0, True), report
    assert report["fields_bound"] == len(answer["records"]) - len(old)


def test_an_answer_checked_for_another_subject_fails_at_step_1(
        answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = company(answers, 0)
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(answer, ensure_ascii=False))
    contracts = ",".join(f"{k}={v}" for k, v in answers.node.deployment.addresses.items())
    capsys.readouterr()
    assert main(["verify-answer", str(path), "--rpc-url", str(answers.node.deployment.rpc_url),
                 "--contracts", contracts, "--subject", answers.companies[1]]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {(f["record_no"], f["step"]) for f in report["failed"]} == {
        (r["record_no"], 1) for r in answer["records"]}
    assert "is not the answer's subject" in report["failed"][0]["problems"][0]
