"""A query at SH covers JS: replicated records from SH's store, on-request ones from JS.

JS (the origin) checks the forwarded grant again: a forged grant, a certificate that is
not an agency's, a replayed grant and a category not exchanged on request are refused;
so is a query the agency did not sign for JS itself, and any query of an agency SH minted
with its own CA key for a grant-free purpose (supervision). Both ends' audit entries name
the agency, purpose, grant and evidence.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from consent_helpers import EVIDENCE, EVIDENCE_SHA256, signatures
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from exchange_helpers import Consortium, subject_with_on_request_record

from crypto.batch_header import BatchHeader, verify_header
from crypto.disclosure import SCHEME_V2, leaf_data
from crypto.merkle import hash_leaf, verify_inclusion
from crypto.signing import NodePublicKey
from node._proto.credit.v1 import common_pb2, exchange_pb2, query_pb2
from node.audit import Action, AuditEvent, decode_entry
from node.authz.grants import Grant, make_grant
from node.domain.catalog import packaged_mappings
from node.grpc.stubs import exchange_stub, query_stub
from node.identity.certs import LeafSpec, issue_leaf, new_tls_key
from node.identity.files import load_certificate, load_tls_private_key

COMMITMENT_NO = "JS-FED-000001"
JS_MAPPING = packaged_mappings()[("JS", 1)]


def grant_for(consortium: Consortium, subject: str, *, key: ec.EllipticCurvePrivateKey | None
              = None) -> Grant:
    agency_key = load_tls_private_key(consortium["SH"].layout.identity_key("agency"))
    return make_grant(subject=subject, agency="example-agency", purpose="lending_review",
                      scope=("penalty", "dishonesty", "commitment"), consent_evidence=EVIDENCE,
                      private_key=key or agency_key, now=datetime.now(UTC),
                      valid_for=timedelta(days=1))


def der(consortium: Consortium, label: str) -> bytes:
    cert = load_certificate(consortium["SH"].layout.identity_cert(label))
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def subject(consortium: Consortium) -> tuple[str, dict[str, object]]:
    """A JS subject with a (replicated) dishonesty entry and an (on-request) commitment."""
    entry = subject_with_on_request_record(consortium, COMMITMENT_NO, count=60, seed=5)
    return str(entry["SX_SHXYM"]), entry


def sh_agency_key(consortium: Consortium) -> ec.EllipticCurvePrivateKey:
    return load_tls_private_key(consortium["SH"].layout.identity_key("agency"))


def query_sh(consortium: Consortium, subject: str, grant: Grant | None,
             include_foreign: bool = True, request_id: str = "") -> Any:
    request_id = request_id or uuid.uuid4().hex
    request = query_pb2.QueryRequest(
        purpose="lending_review", include_foreign=include_foreign, request_id=request_id,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject),
        consent_evidence=EVIDENCE, forward_signatures=signatures(
            sh_agency_key(consortium), request_id=request_id, purpose="lending_review",
            subject=subject))
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
                category: str = "", *, purpose: str = "lending_review", origin: str = "JS",
                signer: ec.EllipticCurvePrivateKey | None = None, signed: bool = True,
                request_id: str = "") -> Any:
    """FetchOnRequest at JS as SH's node, forwarding ``grant`` and ``certificate`` with the
    agency's signature for ``origin`` (made with ``signer``, default SH's agency key)."""
    request_id = request_id or uuid.uuid4().hex
    [forward] = signatures(signer or sh_agency_key(consortium), request_id=request_id,
                           purpose=purpose, subject=subject, provinces=(origin,))
    request = exchange_pb2.FetchOnRequestRequest(
        category=category or JS_MAPPING.shared_code("JSXY0301") or "",
        purpose=purpose, request_id=request_id,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject),
        grant=common_pb2.Grant(
            canonical_grant=grant.to_json().encode() if grant else b"",
            agency_certificate=certificate,
            agency_signature=forward.signature if signed else b"",
            signed_at=forward.signed_at))
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


def test_a_forwarded_query_the_agency_did_not_sign_is_refused(
        consortium: Consortium, subject: tuple[str, dict[str, object]]) -> None:
    """The asked node (SH) forwards a real agency's certificate and grant, but no signature
    of the agency, or one made for another origin, by another key, or an hour ago."""
    subject_id, _ = subject
    agency = der(consortium, "agency")
    denied = grpc.StatusCode.PERMISSION_DENIED
    attempts = {
        "unsigned": lambda: fetch_at_js(consortium, subject_id,
                                        grant_for(consortium, subject_id), agency, signed=False),
        "for ZJ": lambda: fetch_at_js(consortium, subject_id, grant_for(consortium, subject_id),
                                      agency, origin="ZJ"),
        "by the node": lambda: fetch_at_js(
            consortium, subject_id, grant_for(consortium, subject_id), agency,
            signer=load_tls_private_key(consortium["SH"].layout.node_key)),
    }
    details = {}
    for name, call in attempts.items():
        code, details[name] = refusal(call)
        assert code is denied, name
    assert "carries no signature of the agency" in details["unsigned"]
    assert all("does not verify" in details[n] for n in ("for ZJ", "by the node"))
    stale = datetime.now(UTC) - timedelta(hours=1)
    request_id = uuid.uuid4().hex
    [old] = signatures(sh_agency_key(consortium), request_id=request_id,
                       purpose="lending_review", subject=subject_id, provinces=("JS",),
                       now=stale)
    request = exchange_pb2.FetchOnRequestRequest(
        category=JS_MAPPING.shared_code("JSXY0301") or "", purpose="lending_review",
        request_id=request_id, subject=common_pb2.SubjectRef(id=subject_id),
        grant=common_pb2.Grant(canonical_grant=grant_for(consortium, subject_id).to_json()
                               .encode(), agency_certificate=agency,
                               agency_signature=old.signature, signed_at=old.signed_at))
    with consortium.channel("SH", "node", "JS") as ch:
        code, detail = refusal(lambda: exchange_stub(ch).FetchOnRequest(request, timeout=10))
    assert code is denied and "s old" in detail


def _minted_agency(consortium: Consortium, purposes: tuple[str, ...]
                   ) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
    """What a province holding its own CA key (SH) can do: mint any agency it likes."""
    layout = consortium["SH"].layout
    key = new_tls_key()
    cert = issue_leaf(load_tls_private_key(layout.ca_key), load_certificate(layout.ca_cert),
                      key.public_key(), LeafSpec(province="SH", label="agency",
                                                 name="minted-agency", organisation="SH",
                                                 purposes=purposes), datetime.now(UTC))
    return cert.public_bytes(serialization.Encoding.DER), key


def test_a_province_minted_supervision_agency_is_refused_at_the_origin(
        consortium: Consortium, subject: tuple[str, dict[str, object]]) -> None:
    subject_id, _ = subject
    certificate, key = _minted_agency(consortium, ("supervision", "lending_review"))
    supervision_grant = make_grant(
        subject=subject_id, agency="minted-agency", purpose="supervision",
        scope=("penalty", "dishonesty", "commitment"), consent_evidence=EVIDENCE,
        private_key=key, now=datetime.now(UTC), valid_for=timedelta(days=1))
    for grant in (None, supervision_grant):
        code, details = refusal(lambda grant=grant: fetch_at_js(
            consortium, subject_id, grant, certificate, purpose="supervision", signer=key))
        assert code is grpc.StatusCode.PERMISSION_DENIED
        assert "not accepted here from agencies of SH" in details
    # Properly signed, for a purpose JS takes from SH, but no grant: still nothing.
    code, details = refusal(lambda: fetch_at_js(consortium, subject_id, None, certificate,
                                                signer=key))
    assert (code, details) == (grpc.StatusCode.PERMISSION_DENIED,
                               "a forwarded query needs the subject's grant")


def _entries(consortium: Consortium, province: str, request_id: str) -> list[AuditEvent]:
    log = consortium[province].node.app.access_log.log
    return [decode_entry(log.entry(i).entry) for i in log.indexes_of(request_id)]


def test_both_audit_entries_name_the_agency_purpose_grant_and_evidence(
        consortium: Consortium, subject: tuple[str, dict[str, object]]) -> None:
    subject_id, _ = subject
    grant = grant_for(consortium, subject_id)
    request_id = uuid.uuid4().hex
    answer = query_sh(consortium, subject_id, grant, request_id=request_id)
    assert COMMITMENT_NO in {r.envelope.record_no for r in answer.records}
    agency = hashlib.sha256(der(consortium, "agency")).hexdigest()
    [asked] = [e for e in _entries(consortium, "SH", request_id) if e.action is Action.QUERY]
    # One FetchOnRequest, so one entry at the origin, per category exchanged on request.
    origin = [e for e in _entries(consortium, "JS", request_id)
              if e.action is Action.EXCHANGE_OUT]
    assert origin and sum(e.records_returned for e in origin) >= 1
    for entry in (asked, *origin):
        assert (entry.agency, entry.purpose, entry.grant, entry.evidence) == (
            agency, "lending_review", grant.nonce, EVIDENCE_SHA256)
    assert asked.actor == agency
    assert all(e.actor != agency and e.peer == "SH" for e in origin)
