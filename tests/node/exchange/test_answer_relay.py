"""A relaying node cannot alter a foreign record in its answer.

SH answers an agency about a JS company with JS's records (replicated at SH). With SH's
in-process federation patched to alter what it relays — a field changed in the shown
payload and its disclosure alike, or the shown payload only — the agency's verification
(``node.exchange.answers``, what ``verify-answer`` runs) fails on that record, against
JS's own signed header and anchor; unpatched, the same answer verifies.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from consent_helpers import EVIDENCE, signatures
from exchange_helpers import Consortium, public_dishonesty, records_of
from multinode_net import wait_for

from node._proto.credit.v1 import common_pb2, query_pb2
from node.authz.grants import make_grant
from node.exchange import federate
from node.exchange.answers import AnswerVerifier, check_record
from node.grpc.calls import answered_record_json
from node.grpc.stubs import query_stub
from node.identity.files import load_tls_private_key
from node.service.query import AnsweredRecord

ALTERED = "某某被改写的公司"


def ask_sh(consortium: Consortium, subject: str) -> dict[str, Any]:
    key = load_tls_private_key(consortium["SH"].layout.identity_key("agency"))
    grant = make_grant(subject=subject, agency="example-agency", purpose="lending_review",
                       scope=("penalty", "dishonesty", "commitment"), consent_evidence=EVIDENCE,
                       private_key=key, now=datetime.now(UTC), valid_for=timedelta(days=1))
    request_id = uuid.uuid4().hex
    request = query_pb2.QueryRequest(
        purpose="lending_review", include_foreign=True, request_id=request_id,
        consent_evidence=EVIDENCE,
        subject=common_pb2.SubjectRef(id_type=common_pb2.SUBJECT_ID_TYPE_USCC, id=subject))
    request.forward_signatures.extend(signatures(
        key, request_id=request_id, purpose="lending_review", subject=subject))
    request.grant.canonical_grant = grant.to_json().encode()
    with consortium.channel("SH", "agency", "SH") as ch:
        answer = query_stub(ch).Query(request, timeout=15)
    return {"subject": subject, "records": [answered_record_json(r) for r in answer.records]}


def verdicts(consortium: Consortium, answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ledger = consortium.ledger()
    verifier = AnswerVerifier(ledger, chain_id=ledger.chain_id(),
                              contracts=consortium.deployment.addresses)
    return {r["record_no"]: check_record(r, verifier, answer["subject"])
            for r in answer["records"]}


@pytest.fixture(scope="module")
def js_company(consortium: Consortium) -> tuple[str, str]:
    """A JS company's public dishonesty entry, replicated at SH: (USCC, record_no)."""
    entry = public_dishonesty(records_of("JS", 60, seed=5), datetime.now(UTC).date())
    store = consortium["SH"].node.app.store
    wait_for(lambda: store.get_record("JS", str(entry["record_no"])) is not None)
    return str(entry["SX_SHXYM"]), str(entry["record_no"])


def alter_relayed(change_disclosure: bool) -> Any:
    original = federate.answer_record

    def altered(*args: Any, **kwargs: Any) -> AnsweredRecord:
        item = original(*args, **kwargs)
        if item.record.origin != "foreign" or item.disclosure is None:
            return item
        payload = dict(item.payload, SX_ZTMC=ALTERED)
        disclosure = item.disclosure
        if change_disclosure:
            salt, _ = disclosure.shown["SX_ZTMC"]
            disclosure = dataclasses.replace(
                disclosure, shown={**disclosure.shown, "SX_ZTMC": (salt, ALTERED)})
        return dataclasses.replace(item, payload=payload, disclosure=disclosure)

    return altered


def test_an_honest_relay_answer_verifies_against_the_origin(
        consortium: Consortium, js_company: tuple[str, str]) -> None:
    subject, record_no = js_company
    answer = ask_sh(consortium, subject)
    by_no = verdicts(consortium, answer)
    assert record_no in by_no
    record = next(r for r in answer["records"] if r["record_no"] == record_no)
    assert record["foreign"] and record["province"] == "JS" and record["scheme"] == 2
    assert by_no[record_no]["problems"] == [] and by_no[record_no]["fields_bound"]


@pytest.mark.parametrize("change_disclosure, step", [(True, 4), (False, 1)])
def test_a_relay_altering_a_foreign_record_is_caught(
        consortium: Consortium, js_company: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
        change_disclosure: bool, step: int) -> None:
    subject, record_no = js_company
    monkeypatch.setattr(federate, "answer_record", alter_relayed(change_disclosure))
    answer = ask_sh(consortium, subject)
    record = next(r for r in answer["records"] if r["record_no"] == record_no)
    assert record["payload"]["SX_ZTMC"] == ALTERED  # the relay did alter it
    verdict = verdicts(consortium, answer)[record_no]
    assert verdict["step"] == step, verdict
    assert verdict["problems"][0].startswith(f"record JS {record_no}: verification step ({step})")
