"""A query at SH covers JS: replicated records from SH's store, on-request ones from JS.

JS (the origin) checks the forwarded grant again: a forged grant, a certificate that is
not an agency's, a replayed grant and a category not exchanged on request are refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from exchange_helpers import Consortium, anchored, public_dishonesty, records_of, submit

from crypto.batch_header import BatchHeader, verify_header
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.merkle import hash_leaf, verify_inclusion
from crypto.signing import NodePublicKey
from node._proto.credit.v1 import common_pb2, exchange_pb2, query_pb2
from node.authz.grants import Grant, make_grant
from node.domain.catalog import packaged_mappings
from node.grpc.stubs import exchange_stub, query_stub
from node.identity.files import load_certificate, load_tls_private_key

COMMITMENT_NO = "JS-FED-000001"
JS_MAPPING = packaged_mappings()[("JS", 1)]


def grant_for(consortium: Consortium, subject: str, *, key: ec.EllipticCurvePrivateKey | None
              = None) -> Grant:
    agency_key = load_tls_private_key(consortium["SH"].layout.identity_key("agency"))
    return make_grant(subject=subject, agency="example-agency", purpose="lending_review",
                      scope=("penalty", "dishonesty", "commitment"), consent_evidence=b"scan",
                      private_key=key or agency_key, now=datetime.now(UTC),
                      valid_for=timedelta(days=1))


def der(consortium: Consortium, label: str) -> bytes:
    cert = load_certificate(consortium["SH"].layout.identity_cert(label))
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def subject(consortium: Consortium) -> tuple[str, dict[str, object]]:
    """A JS subject with a (replicated) dishonesty entry and an (on-request) commitment."""
    seeded = records_of("JS", 60, seed=5)
    entry = public_dishonesty(seeded, datetime.now(UTC).date())
    commitment = dict(next(r for r in seeded if r["kind"] == "commitment"
                           and r.get("CN_GKFW") == "公开"))
    commitment.update(record_no=COMMITMENT_NO, CN_SHXYM=entry["SX_SHXYM"],
                      CN_CNRMC=entry["SX_ZTMC"], CN_CNRLB="法人及非法人组织")
    ack: Any = submit(consortium, "JS", [commitment])
    assert len(ack.accepted) == 1, ack
    anchored(consortium, "JS", ack.accepted[0].leaf_index + 1)
    return str(entry["SX_SHXYM"]), entry


def query_sh(consortium: Consortium, subject: str, grant: Grant | None,
             include_foreign: bool = True) -> Any:
    request = query_pb2.QueryRequest(
        purpose="lending_review", include_foreign=include_foreign,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject))
    if grant is not None:
        request.grant.canonical_grant = grant.to_json().encode()
    with consortium.channel("SH", "agency", "SH") as ch:
        return query_stub(ch).Query(request, timeout=15)


def test_a_federated_query_answers_replicated_and_on_request_records_with_proofs(
        consortium: Consortium, subject: tuple[str, dict[str, object]]) -> None:
    subject_id, entry = subject
    answer = query_sh(consortium, subject_id, grant_for(consortium, subject_id))
    by_no = {r.envelope.record_no: r for r in answer.records}
    assert entry["record_no"] in by_no and COMMITMENT_NO in by_no
    assert by_no[COMMITMENT_NO].envelope.kind == common_pb2.RECORD_KIND_COMMITMENT
    sh_store = consortium["SH"].node.app.store
    assert sh_store.get_record("JS", str(entry["record_no"])) is not None  # replicated
    assert sh_store.get_record("JS", COMMITMENT_NO) is None  # fetched, never stored
    ledger = consortium.ledger()
    js_key = NodePublicKey(ledger.member("JS").node_key)
    for record in (by_no[str(entry["record_no"])], by_no[COMMITMENT_NO]):
        assert record.foreign and record.envelope.province == "JS"
        header = BatchHeader.from_json(record.batch_header)
        leaf = hash_leaf(leaf_data(SCHEME_V2, record.commitment))
        verify_inclusion(record.leaf_index, header.tree_size, leaf,
                         list(record.inclusion_proof), header.root)
        verify_header(header, record.header_signature, js_key)
        assert ledger.is_anchored("JS", header.seq, header.root)
    # Without include_foreign only SH's own records are answered (none for a JS subject).
    local_only = query_sh(consortium, subject_id, grant_for(consortium, subject_id),
                          include_foreign=False)
    assert not [r for r in local_only.records if r.envelope.province == "JS"]


def fetch_at_js(consortium: Consortium, subject: str, grant: Grant | None, certificate: bytes,
                category: str = "") -> Any:
    request = exchange_pb2.FetchOnRequestRequest(
        category=category or JS_MAPPING.shared_code("JSXY0301") or "",
        purpose="lending_review",
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject),
        grant=common_pb2.Grant(
            canonical_grant=grant.to_json().encode() if grant else b"",
            agency_certificate=certificate))
    with consortium.channel("SH", "node", "JS") as ch:
        return exchange_stub(ch).FetchOnRequest(request, timeout=10)


def refusal(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value.code(), info.value.details() or ""


def test_the_origin_checks_the_forwarded_grant_again(
        consortium: Consortium, subject: tuple[str, dict[str, object]]) -> None:
    subject_id, _ = subject
    agency = der(consortium, "agency")
    good = grant_for(consortium, subject_id)
    found = fetch_at_js(consortium, subject_id, good, agency)
    assert [r.envelope.record_no for r in found.records] == [COMMITMENT_NO]
    forged = grant_for(consortium, subject_id, key=ec.generate_private_key(ec.SECP256R1()))
    denied = grpc.StatusCode.PERMISSION_DENIED
    code, details = refusal(lambda: fetch_at_js(consortium, subject_id, forged, agency))
    assert (code, "grant signature does not verify" in details) == (denied, True)
    code, details = refusal(lambda: fetch_at_js(consortium, subject_id, good, agency))
    assert (code, "replay" in details) == (denied, True)
    code, details = refusal(lambda: fetch_at_js(
        consortium, subject_id, grant_for(consortium, subject_id), der(consortium, "platform")))
    assert (code, "forwarded" in details) == (denied, True)
    code, _ = refusal(lambda: fetch_at_js(consortium, subject_id,
                                          grant_for(consortium, subject_id), agency,
                                          category="YRD-SX-SC-003"))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
