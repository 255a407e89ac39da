"""Consent you can audit, against a real node over mutual TLS (issue 11, items 2, 3, 6, 9).

Each finding of the issue, reproduced and refused: a grant over an empty or stand-in
evidence file, or lasting longer than the purpose's policy; evidence read by anyone but
an auditor; a withdrawn grant; an agency using a grant-free purpose (supervision); an ID
number as request id; an agency querying without limit. And the query's audit entry names
the agency, purpose, grant and evidence.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from consent_helpers import EVIDENCE, EVIDENCE_SHA256
from cryptography.hazmat.primitives.serialization import Encoding
from service_helpers import NodeDir, channel

from node._proto.credit.v1 import common_pb2, query_pb2
from node.audit import Action, Decision, decode_entry
from node.authz.grants import Grant, make_grant
from node.cli.main import main as cli
from node.config import load_config
from node.grpc.stubs import query_stub
from node.identity.certs import LeafSpec, issue_leaf, new_tls_key
from node.identity.files import (
    load_certificate,
    load_tls_private_key,
    write_certificate,
    write_tls_private_key,
)
from node.runtime.node import RunningNode, start_node

SUBJECT = "91320000MA1XXXXX0K"
ID_NUMBER = "11010519491231002X"  # a valid citizen ID (checksum X), of nobody here
DENIED = grpc.StatusCode.PERMISSION_DENIED
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def _grant(node_dir: NodeDir, *, evidence: bytes = EVIDENCE, days: float = 30,
           purpose: str = "lending_review") -> Grant:
    return make_grant(subject=SUBJECT, agency="example-agency", purpose=purpose,
                      scope=("penalty", "dishonesty", "commitment"), consent_evidence=evidence,
                      private_key=load_tls_private_key(node_dir.layout.identity_key("agency")),
                      now=datetime.now(UTC), valid_for=timedelta(days=days))


def _query(node_dir: NodeDir, port: int, grant: Grant | None, *, evidence: bytes = EVIDENCE,
           label: str = "agency", purpose: str = "lending_review", request_id: str = "") -> Any:
    request = query_pb2.QueryRequest(purpose=purpose, request_id=request_id,
                                     subject=common_pb2.SubjectRef(id=SUBJECT),
                                     consent_evidence=evidence)
    if grant is not None:
        request.grant.canonical_grant = grant.to_json().encode()
    with channel(node_dir, port, label) as ch:
        return query_stub(ch).Query(request, timeout=30)


def _refused(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value.code(), info.value.details() or ""


def test_a_grant_over_empty_or_stand_in_evidence_is_refused(
        node_dir: NodeDir, running: RunningNode) -> None:
    port = running.port
    empty = _grant(node_dir, evidence=b"")
    # Empty evidence cannot be sent, and none with its hash was ever deposited.
    code, details = _refused(lambda: _query(node_dir, port, empty, evidence=b""))
    assert (code, "neither sent with the query nor deposited" in details) == (DENIED, True)
    cases = {
        b"scan": "consent evidence is 4 bytes; want at least 1024",
        b"x" * 4096: "must be a PDF, PNG or JPEG file",
        EVIDENCE + b" ": "does not hash to the grant's consent_evidence_sha256",
    }
    for evidence, message in cases.items():
        grant = _grant(node_dir, evidence=evidence if evidence != EVIDENCE + b" " else EVIDENCE)
        code, details = _refused(lambda g=grant, e=evidence: _query(node_dir, port, g,
                                                                    evidence=e))
        assert code is INVALID and details.startswith("consent_evidence: ")
        assert message in details
    # `credit-node grant` refuses to sign over an empty file in the first place.
    empty_file = node_dir.root / "empty.pdf"
    empty_file.write_bytes(b"")
    assert cli(["grant", "--subject", SUBJECT, "--agency", "example-agency", "--purpose",
                "lending_review", "--key", str(node_dir.layout.identity_key("agency")),
                "--evidence", str(empty_file), "--out", str(node_dir.root / "g.json")]) == 1
    assert not (node_dir.root / "g.json").exists()


def test_a_grant_longer_than_policy_is_refused(node_dir: NodeDir, running: RunningNode) -> None:
    for days in (366, 100 * 365):
        code, details = _refused(lambda d=days: _query(node_dir, running.port,
                                                       _grant(node_dir, days=d)))
        assert code is DENIED and "this purpose allows at most 365" in details
    assert _query(node_dir, running.port, _grant(node_dir, days=365)).receipt.request_id


def test_evidence_is_read_by_an_auditor_and_nobody_else(
        node_dir: NodeDir, running: RunningNode) -> None:
    answer = _query(node_dir, running.port, _grant(node_dir))
    entry = decode_entry(running.app.access_log.log.entry(
        answer.receipt.audit_leaf_index).entry)
    request = query_pb2.GetConsentEvidenceRequest(evidence_sha256=entry.evidence)
    with channel(node_dir, running.port, "auditor") as ch:
        got = query_stub(ch).GetConsentEvidence(request, timeout=10)
    assert (got.evidence, got.kind) == (EVIDENCE, "pdf")
    for label in ("agency", "platform", "admin"):
        with channel(node_dir, running.port, label) as ch:
            code, details = _refused(lambda c=ch: query_stub(c).GetConsentEvidence(
                request, timeout=10))
        assert code is DENIED and "want auditor" in details, label
    with channel(node_dir, running.port, "auditor") as ch:
        code, _ = _refused(lambda: query_stub(ch).GetConsentEvidence(
            query_pb2.GetConsentEvidenceRequest(evidence_sha256="ab" * 32), timeout=10))
    assert code is grpc.StatusCode.NOT_FOUND
    # At rest: sealed (the plaintext is not in the file) and readable by the owner only.
    [stored] = list((running.app.data_dir / "evidence").iterdir())
    assert stored.name == f"{EVIDENCE_SHA256}.sealed" and EVIDENCE[:64] not in stored.read_bytes()
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600


def test_the_query_entry_names_agency_purpose_grant_and_evidence(
        node_dir: NodeDir, running: RunningNode) -> None:
    grant = _grant(node_dir)
    answer = _query(node_dir, running.port, grant)
    entry = decode_entry(running.app.access_log.log.entry(
        answer.receipt.audit_leaf_index).entry)
    agency = hashlib.sha256(load_certificate(node_dir.layout.identity_cert("agency"))
                            .public_bytes(Encoding.DER)).hexdigest()
    assert (entry.action, entry.agency, entry.purpose, entry.grant, entry.evidence) == (
        Action.QUERY, agency, "lending_review", grant.nonce, EVIDENCE_SHA256)


def test_a_grant_the_subject_withdrew_is_refused(node_dir: NodeDir, running: RunningNode,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    grant = _grant(node_dir)
    grant_file = node_dir.root / "grant.json"
    grant_file.write_text(grant.to_json(), encoding="utf-8")
    layout = node_dir.layout
    withdraw = ["grant", "withdraw", "--grant", str(grant_file), "--endpoint",
                f"localhost:{running.port}", "--cert", str(layout.identity_cert("platform")),
                "--key", str(layout.identity_key("platform")), "--ca", str(layout.ca_cert)]
    assert cli(withdraw) == 0
    assert capsys.readouterr().out.strip() == '{"withdrawn": true}'
    assert cli(withdraw) == 0
    assert capsys.readouterr().out.strip() == '{"withdrawn": false}'
    code, details = _refused(lambda: _query(node_dir, running.port, grant))
    assert (code, details) == (DENIED, "grant refused: the subject withdrew it")
    # Named first, as before the withdrawal moved into the nonce claim: whatever else is
    # wrong with the grant (here its evidence), the refusal says it was withdrawn.
    code, details = _refused(lambda: _query(node_dir, running.port, grant,
                                            evidence=b"not the evidence the grant names"))
    assert (code, details) == (DENIED, "grant refused: the subject withdrew it")
    # Only the provincial platform withdraws: an agency cannot.
    with channel(node_dir, running.port, "agency") as ch:
        code, _ = _refused(lambda: query_stub(ch).WithdrawGrant(
            query_pb2.WithdrawGrantRequest(agency="example-agency", nonce=grant.nonce),
            timeout=10))
    assert code is DENIED


def _issue(node_dir: NodeDir, label: str, name: str, purposes: tuple[str, ...]) -> None:
    """Issue identities/<name> from the node's own CA (as the province can)."""
    layout = node_dir.layout
    key = new_tls_key()
    cert = issue_leaf(load_tls_private_key(layout.ca_key), load_certificate(layout.ca_cert),
                      key.public_key(), LeafSpec(province="JS", label=label, name=name,
                                                 organisation="JS", purposes=purposes),
                      datetime.now(UTC))
    write_certificate(layout.identity_cert(name), cert)
    write_tls_private_key(layout.identity_key(name), key)


def test_a_grant_free_purpose_is_an_authoritys_never_an_agencys(
        node_dir: NodeDir, running: RunningNode) -> None:
    _issue(node_dir, "agency", "minted", ("supervision",))
    _issue(node_dir, "authority", "regulator", ("supervision",))
    code, details = _refused(lambda: _query(node_dir, running.port, None, label="minted",
                                            purpose="supervision"))
    assert code is DENIED and "reserved to authorities" in details
    assert _query(node_dir, running.port, None, label="regulator",
                  purpose="supervision").receipt.request_id


def test_an_id_number_as_request_id_is_refused_and_never_logged(
        node_dir: NodeDir, running: RunningNode) -> None:
    for bad in (ID_NUMBER, f"q-{ID_NUMBER}", "q.1", "a" * 65):
        code, details = _refused(lambda b=bad: _query(node_dir, running.port, None,
                                                      purpose="credit_report", request_id=b))
        assert code is INVALID and details.startswith("request_id must be"), bad
    log = running.app.access_log.log
    entries = [decode_entry(e) for _, e in log.iter_entries()]
    assert sum(e.reason == "BAD_REQUEST" for e in entries) == 4
    assert all(ID_NUMBER not in e.request_id for e in entries)
    assert _query(node_dir, running.port, None, purpose="credit_report",
                  request_id="01JDQ8ZK4W3C5YF2M7N9P0RST6").receipt.request_id


@pytest.fixture
def strict_node(node_dir: NodeDir) -> Iterator[RunningNode]:
    """The JS node with a rate of one query a minute after a burst of three."""
    cfg = load_config(node_dir.config)
    policy = dataclasses.replace(cfg.policy, agency_queries_per_minute=1.0, agency_burst=3)
    node = start_node(dataclasses.replace(cfg, policy=policy), workers=4)
    try:
        yield node
    finally:
        node.stop(grace=1.0)


def test_an_agency_over_its_rate_is_refused_and_audited(
        node_dir: NodeDir, strict_node: RunningNode) -> None:
    port = strict_node.port
    for _ in range(3):
        _query(node_dir, port, None, purpose="credit_report")
    code, _ = _refused(lambda: _query(node_dir, port, None, purpose="credit_report",
                                      request_id="over-rate-1"))
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
    log = strict_node.app.access_log.log
    [entry] = [decode_entry(log.entry(i).entry) for i in log.indexes_of("over-rate-1")]
    assert (entry.decision, entry.reason) == (Decision.DENY, "RATE_LIMITED")

