"""Share only what the catalog's policy says: a natural person's non-public penalty
submitted at JS never reaches SH's, ZJ's or AH's database, while a legal person's penalty
submitted right after it does (so replication has run past it); and a natural person's
non-public credit commitment (a category exchanged on request) is not handed out on
request either, while the same person's public one is."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from consent_helpers import EVIDENCE, signatures
from cryptography.hazmat.primitives.serialization import Encoding
from exchange_helpers import (
    Consortium,
    anchored,
    federated_query,
    numbers,
    records_of,
    submit,
    wait_for,
)
from lifecycle_helpers import held_rows

from node._proto.credit.v1 import common_pb2, exchange_pb2
from node.authz.grants import make_grant
from node.domain.records import is_public, parse_record
from node.grpc.stubs import exchange_stub
from node.identity.files import load_certificate, load_tls_private_key

PEERS = ("SH", "ZJ", "AH")


def _held(database_url: str, record_no: str) -> bool:
    """Whether the node's own database holds a row for the JS record (read directly)."""
    return held_rows(database_url, "SELECT count(*) FROM records WHERE province = 'JS' AND "
                     "record_no = :no", no=record_no) > 0


def test_natural_persons_non_public_penalty_never_leaves_js(consortium: Consortium) -> None:
    synthetic = records_of("JS", 400, seed=12)
    person = next(dict(r) for r in synthetic
                  if r["kind"] == "penalty" and r["CF_XDR_LB"] == "自然人")
    company = next(dict(r) for r in synthetic
                   if r["kind"] == "penalty" and r["CF_XDR_LB"] == "法人及非法人组织")
    assert not is_public(parse_record(person)) and is_public(parse_record(company))
    person["record_no"], company["record_no"] = "JS-NP-000001", "JS-LP-000001"
    assert len(submit(consortium, "JS", [person]).accepted) == 1
    assert len(submit(consortium, "JS", [company]).accepted) == 1

    for province in PEERS:
        url = consortium[province].database_url
        wait_for(lambda u=url: _held(u, "JS-LP-000001"), timeout=60)  # type: ignore[misc]
        assert not _held(url, "JS-NP-000001"), province
    assert _held(consortium["JS"].database_url, "JS-NP-000001")
    stored = consortium["JS"].node.app.store.get_record("JS", "JS-NP-000001")
    assert stored is not None and stored.subject_type == "natural_person"


def _fetch_as_sh_node(consortium: Consortium, subject: str, category: str) -> list[str]:
    """What JS hands SH's node for one FetchOnRequest, made the way a hostile member can
    make it without its own node's code: its accredited agency's real grant (scope
    commitment) and signature for JS, sent with SH's node certificate."""
    agency_key = load_tls_private_key(consortium["SH"].layout.identity_key("agency"))
    agency = load_certificate(consortium["SH"].layout.identity_cert("agency"))
    grant = make_grant(subject=subject, agency="example-agency", purpose="lending_review",
                       scope=("penalty", "dishonesty", "commitment"),
                       consent_evidence=EVIDENCE, private_key=agency_key,
                       now=datetime.now(UTC), valid_for=timedelta(days=1))
    request_id = uuid.uuid4().hex
    [forward] = signatures(agency_key, request_id=request_id, purpose="lending_review",
                           subject=subject, provinces=("JS",))
    request = exchange_pb2.FetchOnRequestRequest(
        category=category, purpose="lending_review", request_id=request_id,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_CITIZEN_ID,
                                      id=subject),
        grant=common_pb2.Grant(canonical_grant=grant.to_json().encode(),
                               agency_certificate=agency.public_bytes(Encoding.DER),
                               agency_signature=forward.signature,
                               signed_at=forward.signed_at))
    with consortium.channel("SH", "node", "JS") as ch:
        answer = exchange_stub(ch).FetchOnRequest(request, timeout=15)
    return [r.envelope.record_no for r in answer.records]


def test_an_on_request_fetch_never_returns_what_the_policy_keeps_at_js(
        consortium: Consortium) -> None:
    """A natural person's two credit commitments at JS (a category exchanged on request):
    the public one is handed to SH under the person's grant, the non-public one — kept at
    the origin by the policy, whatever the grant — is not, even to a member calling
    FetchOnRequest itself."""
    synthetic = records_of("JS", 400, seed=12)
    hidden = next(dict(r) for r in synthetic if r["kind"] == "commitment"
                  and r["CN_CNRLB"] == "自然人" and r["CN_GKFW"] == "不公开")
    shown = dict(hidden, CN_GKFW="公开")
    hidden["record_no"], shown["record_no"] = "JS-NPC-000001", "JS-NPC-000002"
    ack = submit(consortium, "JS", [hidden, shown])
    assert len(ack.accepted) == 2, ack
    anchored(consortium, "JS", max(a.leaf_index for a in ack.accepted) + 1)
    store = consortium["JS"].node.app.store
    kept, handed = store.get_record("JS", "JS-NPC-000001"), store.get_record("JS",
                                                                             "JS-NPC-000002")
    assert kept is not None and handed is not None
    assert (kept.subject_type, kept.is_public) == ("natural_person", False)
    category = handed.shared_category
    assert category is not None and kept.shared_category == category

    person = str(hidden["CN_ZJHM"])
    assert _fetch_as_sh_node(consortium, person, category) == ["JS-NPC-000002"]
    # The same through SH's own node (an agency's federated query), and at JS itself,
    # where the origin-only record is still answered.
    at_sh = numbers(federated_query(consortium, "SH", person))
    assert "JS-NPC-000002" in at_sh and "JS-NPC-000001" not in at_sh
    assert numbers(federated_query(consortium, "JS", person)) >= {"JS-NPC-000001",
                                                                   "JS-NPC-000002"}
