"""Agency queries over real gRPC: authorization, minimization, proofs against the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from consent_helpers import EVIDENCE
from cryptography.hazmat.primitives.asymmetric import ec
from service_helpers import NodeDir, channel, synth_lines, wait_for

from crypto.batch_header import BatchHeader, verify_header
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.merkle import hash_leaf, verify_inclusion
from crypto.signing import NodePublicKey
from node._proto.credit.v1 import common_pb2, ingest_pb2, query_pb2
from node.authz.grants import Grant, make_grant
from node.domain.records import parse_record, subject_identifier
from node.grpc.stubs import ingest_stub, query_stub
from node.identity.files import load_tls_private_key
from node.runtime.node import RunningNode
from node.service.status import read_backlog

OTHER_SUBJECT = "91320000MA1XXXXX0K"


@pytest.fixture
def loaded(node_dir: NodeDir, running: RunningNode) -> Iterator[dict[str, list[dict[str, object]]]]:
    """Submit 200 synthetic records, wait until anchored; records by subject id."""
    lines = synth_lines(200, seed=11)
    with channel(node_dir, running.port, "platform") as ch:
        response = ingest_stub(ch).SubmitRecords(
            ingest_pb2.SubmitRecordsRequest(records=lines), timeout=30)
    assert len(response.accepted) == 200
    wait_for(lambda: read_backlog(running.app.store).backlog == 0
             and read_backlog(running.app.store).log_size == 200)
    by_subject: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        obj = json.loads(line)
        by_subject.setdefault(subject_identifier(parse_record(obj)), []).append(obj)
    yield by_subject


def _grant(node_dir: NodeDir, subject: str, purpose: str = "lending_review", *,
           days: float = 30, now: datetime | None = None,
           key: ec.EllipticCurvePrivateKey | None = None) -> Grant:
    return make_grant(subject=subject, agency="example-agency", purpose=purpose,
                      scope=("penalty", "dishonesty", "commitment"), consent_evidence=EVIDENCE,
                      private_key=key or load_tls_private_key(node_dir.layout.identity_key(
                          "agency")),
                      now=now or datetime.now(UTC), valid_for=timedelta(days=days))


def _query(node_dir: NodeDir, port: int, purpose: str, subject: str,
           grant: Grant | bytes | None = None, label: str = "agency") -> Any:
    request = query_pb2.QueryRequest(purpose=purpose, subject=common_pb2.SubjectRef(
        id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject))
    if grant is not None:
        raw = grant if isinstance(grant, bytes) else grant.to_json().encode()
        request.grant.canonical_grant = raw
        request.consent_evidence = EVIDENCE
    with channel(node_dir, port, label) as ch:
        return query_stub(ch).Query(request, timeout=30)


def _refusal(node_dir: NodeDir, port: int, *args: object, **kw: object) -> tuple[object, str]:
    with pytest.raises(grpc.RpcError) as info:
        _query(node_dir, port, *args, **kw)  # type: ignore[arg-type]
    return info.value.code(), info.value.details()


def _busiest(loaded: dict[str, list[dict[str, object]]]) -> str:
    return max(loaded, key=lambda s: len(loaded[s]))


def test_grant_answers_every_record_with_proofs_that_verify(
        node_dir: NodeDir, running: RunningNode,
        loaded: dict[str, list[dict[str, object]]]) -> None:
    subject = _busiest(loaded)
    answer = _query(node_dir, running.port, "lending_review", subject, _grant(node_dir, subject))
    assert sorted(r.envelope.record_no for r in answer.records) == sorted(
        str(o["record_no"]) for o in loaded[subject])
    ledger = node_dir.ledger()
    node_key = NodePublicKey(ledger.member("JS").node_key)
    for record in answer.records:
        header = BatchHeader.from_json(record.batch_header)
        leaf = hash_leaf(leaf_data(SCHEME_V2, record.commitment))
        verify_inclusion(record.leaf_index, header.tree_size, leaf,
                         list(record.inclusion_proof), header.root)
        verify_header(header, record.header_signature, node_key)
        assert ledger.is_anchored("JS", header.seq, header.root)
        assert record.anchor.seq == header.seq and len(record.anchor.tx_hash) == 32
    assert answer.receipt.request_id


def test_purpose_fields_are_minimized_and_ids_masked(
        node_dir: NodeDir, running: RunningNode,
        loaded: dict[str, list[dict[str, object]]]) -> None:
    people = [s for s, objs in loaded.items() if any(
        k.endswith("ZJHM") for o in objs for k in o)]
    if not people:
        pytest.skip("no natural person among the synthetic subjects")
    subject = people[0]
    clear = _query(node_dir, running.port, "lending_review", subject, _grant(node_dir, subject))
    masked = _query(node_dir, running.port, "credit_report", subject,
                    _grant(node_dir, subject, "credit_report"))
    assert clear.records and masked.records
    payload = json.loads(masked.records[0].minimized_payload)
    ids = [k for k in payload if k.endswith("ZJHM")]
    assert ids and all("*" in payload[k] for k in ids)
    assert set(ids) <= set(masked.records[0].withheld_fields)
    assert subject in json.loads(clear.records[0].minimized_payload).values()


def test_without_grant_only_public_records(node_dir: NodeDir, running: RunningNode,
                                           loaded: dict[str, list[dict[str, object]]]) -> None:
    store = running.app.store
    for subject in list(loaded)[:20]:
        answer = _query(node_dir, running.port, "credit_report", subject)
        for record in answer.records:
            assert store.get_record("JS", record.envelope.record_no).is_public  # type: ignore[union-attr]


def test_refusals_have_the_right_codes_and_do_not_depend_on_the_subject(
        node_dir: NodeDir, running: RunningNode,
        loaded: dict[str, list[dict[str, object]]]) -> None:
    port = running.port
    subject = _busiest(loaded)
    assert OTHER_SUBJECT not in loaded
    denied = grpc.StatusCode.PERMISSION_DENIED
    past = datetime.now(UTC) - timedelta(days=40)
    forger = ec.generate_private_key(ec.SECP256R1())
    outcomes = {}
    for who in (subject, OTHER_SUBJECT):
        outcomes[who] = [
            _refusal(node_dir, port, "supervision", who),  # purpose not in the certificate
            _refusal(node_dir, port, "credit_report", who, label="platform"),  # wrong role
            _refusal(node_dir, port, "lending_review", who, _grant(node_dir, who, now=past)),
            _refusal(node_dir, port, "lending_review", who, _grant(node_dir, who, key=forger)),
            _refusal(node_dir, port, "lending_review", who, _grant(node_dir, OTHER_SUBJECT
                     if who == subject else subject)),
            _refusal(node_dir, port, "credit_report", who, label="node"),  # no role at all
            _refusal(node_dir, port, "lending_review", who, b"{not a grant"),
        ]
    codes = [code for code, _ in outcomes[subject]]
    assert codes == [denied, denied, denied, denied, denied,
                     grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.INVALID_ARGUMENT]
    assert outcomes[subject] == outcomes[OTHER_SUBJECT]


def test_a_grant_is_used_once(node_dir: NodeDir, running: RunningNode,
                              loaded: dict[str, list[dict[str, object]]]) -> None:
    subject = _busiest(loaded)
    grant = _grant(node_dir, subject)
    assert _query(node_dir, running.port, "lending_review", subject, grant).records
    code, details = _refusal(node_dir, running.port, "lending_review", subject, grant)
    assert code is grpc.StatusCode.PERMISSION_DENIED and "replay" in details
