"""submit → grant → query → verify-answer through the `credit-node` CLI."""

from __future__ import annotations

import dataclasses
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from consent_helpers import EVIDENCE
from service_helpers import NodeDir, synth_lines, wait_for

from crypto.batch_header import BatchHeader, sign_header
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.keys import load_signing_key
from crypto.merkle import MerkleError, hash_leaf, verify_inclusion
from node.cli.main import main
from node.domain.records import parse_record, subject_identifier
from node.runtime.node import RunningNode
from node.service.status import read_backlog


def test_cli_flow(node_dir: NodeDir, running: RunningNode, tmp_path: Path,
                  capsys: pytest.CaptureFixture[str]) -> None:
    lines = synth_lines(50, seed=5)
    data = tmp_path / "records.jsonl"
    data.write_bytes(b"\n".join(lines) + b"\n{broken\n")
    layout = node_dir.layout
    tls = ["--endpoint", f"localhost:{running.port}", "--ca", str(layout.ca_cert)]
    platform = ["--cert", str(layout.identity_cert("platform")),
                "--key", str(layout.identity_key("platform"))]
    assert main(["submit", *tls, *platform, "--chunk", "20", str(data)]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["accepted"], summary["rejected"]) == (50, 1)
    assert summary["errors"][0]["line"] == 51
    wait_for(lambda: read_backlog(running.app.store).backlog == 0)

    subject = subject_identifier(parse_record(json.loads(lines[0])))
    evidence = tmp_path / "consent.pdf"
    evidence.write_bytes(EVIDENCE)
    grant = tmp_path / "grant.json"
    assert main(["grant", "--subject", subject, "--agency", "example-agency",
                 "--purpose", "lending_review", "--scope", "penalty,dishonesty,commitment",
                 "--days", "30", "--key", str(layout.identity_key("agency")),
                 "--evidence", str(evidence), "--out", str(grant)]) == 0
    assert stat.S_IMODE(grant.stat().st_mode) == 0o600  # the grant names the subject
    agency = ["--cert", str(layout.identity_cert("agency")),
              "--key", str(layout.identity_key("agency"))]
    capsys.readouterr()
    assert main(["query", *tls, *agency, "--purpose", "lending_review", "--subject", subject,
                 "--grant", str(grant), "--evidence", str(evidence), "--json"]) == 0
    answer_text = capsys.readouterr().out
    answer = json.loads(answer_text)
    assert answer["records"] and answer["records"][0]["proof"]["inclusion_proof"] is not None
    answer_file = tmp_path / "answer.json"
    answer_file.write_text(answer_text)
    contracts = ",".join(f"{k}={v}" for k, v in node_dir.deployment.addresses.items())
    rpc = str(node_dir.deployment.rpc_url)
    assert main(["verify-answer", str(answer_file), "--rpc-url", rpc,
                 "--contracts", contracts]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True

    answer["records"][0]["commitment"] = "00" * 32
    answer_file.write_text(json.dumps(answer))
    assert main(["verify-answer", str(answer_file), "--rpc-url", rpc,
                 "--contracts", contracts]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [(r["record_no"], r["step"]) for r in report["failed"]] == [
        (answer["records"][0]["record_no"], 4)]

    # The node's own key signs a header claiming another tree size for the anchored root,
    # one at which the record's inclusion proof still leads to that root: only binding the
    # anchored size catches it.
    resized = json.loads(answer_text)
    record, size = claim_another_size(resized["records"])
    key = load_signing_key(layout.signing_key)
    header = BatchHeader.from_json(record["proof"]["batch_header"])
    header = dataclasses.replace(header, tree_size=size)
    record["proof"]["batch_header"] = header.to_json()
    record["proof"]["header_signature"] = sign_header(header, key).hex()
    answer_file.write_text(json.dumps(resized))
    assert main(["verify-answer", str(answer_file), "--rpc-url", rpc,
                 "--contracts", contracts]) == 1
    [failed] = json.loads(capsys.readouterr().out)["failed"]
    assert (failed["record_no"], failed["step"]) == (record["record_no"], 5)
    assert f"size {size} by the" in failed["problems"][0]


def claim_another_size(records: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """A record and a tree size other than its header's at which its proof still verifies."""
    for record in records:
        proof = record["proof"]
        header = BatchHeader.from_json(proof["batch_header"])
        path = [bytes.fromhex(h) for h in proof["inclusion_proof"]]
        leaf = hash_leaf(leaf_data(SCHEME_V2, bytes.fromhex(record["commitment"])))
        for size in range(header.tree_size + 1, 2 * header.tree_size + 2):
            try:
                verify_inclusion(proof["leaf_index"], size, leaf, path, header.root)
            except MerkleError:
                continue
            return record, size
    raise AssertionError("no record's proof verifies at another tree size")
