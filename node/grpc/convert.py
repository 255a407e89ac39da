"""Every conversion between plain data and ``credit.v1`` protobuf messages.

Ingest and query answers go out; proven records (``ProvenRecord``) and audit heads
(``SignedTreeHead``) go both ways. A head received is only bytes to verify: the client
rebuilds the signed note with the node's registered key and verifies it before believing
any field (``head_note``), so the convenience copies (``tree_size``, ``root_hash``) are
never trusted on their own.
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp  # type: ignore[import-untyped]

from crypto.canonical import canonical_bytes
from crypto.disclosure import SCHEME_V1, SCHEME_V2, value_bytes
from crypto.signed_note import NoteVerifier
from node._proto.credit.v1 import audit_pb2, common_pb2, ingest_pb2, query_pb2
from node.audit import SignedHead
from node.audit.heads import ServedHead, served_note
from node.exchange.revocations import ProvenNotice
from node.exchange.transit import AnchorRef, Proven
from node.service.audit_checkpoints import HeadAnchor
from node.service.disclosure import Disclosure
from node.service.ingest import IngestOutcome
from node.service.query import AnsweredRecord, QueryAnswer

KIND_TO_PROTO = {
    "penalty": common_pb2.RECORD_KIND_PENALTY,
    "dishonesty": common_pb2.RECORD_KIND_DISHONESTY,
    "commitment": common_pb2.RECORD_KIND_COMMITMENT,
}
SEVERITY_TO_PROTO = {
    "minor": common_pb2.SEVERITY_MINOR,
    "general": common_pb2.SEVERITY_GENERAL,
    "serious": common_pb2.SEVERITY_SERIOUS,
}
_KIND_FROM_PROTO = {number: name for name, number in KIND_TO_PROTO.items()}
_SEVERITY_FROM_PROTO = {number: name for name, number in SEVERITY_TO_PROTO.items()}


def submit_response(outcome: IngestOutcome, first_line: int,
                    request_id: str) -> ingest_pb2.SubmitRecordsResponse:
    """A SubmitRecordsResponse listing every accepted and rejected position."""
    return ingest_pb2.SubmitRecordsResponse(
        accepted=[
            ingest_pb2.AcceptedRecord(record_no=a.record_no, position=a.position,
                                      commitment=a.commitment, leaf_index=a.leaf_index,
                                      duplicate=a.duplicate)
            for a in outcome.accepted
        ],
        rejected=[
            ingest_pb2.RejectedRecord(
                record_no=r.record_no, position=r.position,
                line=first_line + r.position if first_line else 0,
                errors=[common_pb2.FieldError(code=e.code, field=e.field or "",
                                              message=e.message) for e in r.errors])
            for r in outcome.rejected
        ],
        request_id=request_id,
    )


def _answered(item: AnsweredRecord) -> query_pb2.AnsweredRecord:
    rec, proof = item.record, item.proof
    payload_date = item.payload.get("publish_date")
    return query_pb2.AnsweredRecord(
        envelope=common_pb2.RecordEnvelope(
            kind=KIND_TO_PROTO.get(rec.kind, common_pb2.RECORD_KIND_UNSPECIFIED),
            province=rec.province, record_no=rec.record_no,
            local_category=rec.local_category, shared_category=rec.shared_category or "",
            severity=SEVERITY_TO_PROTO.get(rec.severity, common_pb2.SEVERITY_UNSPECIFIED),
            rule_version=rec.rule_version,
            publish_date=payload_date if isinstance(payload_date, str) else ""),
        minimized_payload=_json_bytes(item.payload),
        withheld_fields=list(item.withheld),
        commitment=rec.commitment,
        leaf_index=rec.leaf_index,
        inclusion_proof=proof.inclusion_proof,
        batch_header=proof.batch_header.encode("ascii"),
        header_signature=proof.header_signature,
        anchor=common_pb2.AnchorRef(
            chain_id=proof.anchor.chain_id,
            contract=bytes.fromhex(proof.anchor.contract.removeprefix("0x")),
            tx_hash=proof.anchor.tx_hash, block_number=proof.anchor.block_number,
            seq=proof.anchor.seq),
        objection_flagged=rec.status == "objection",
        foreign=rec.origin == "foreign",
        tree_size=proof.tree_size,
        **_disclosure(item.disclosure),
    )


def _disclosure(disclosure: Disclosure | None) -> dict[str, Any]:
    """The v2 disclosure fields of an AnsweredRecord (scheme 1 and nothing else for v1)."""
    if disclosure is None:
        return {"commitment_scheme": SCHEME_V1}
    return {
        "commitment_scheme": SCHEME_V2,
        "disclosed_envelope": canonical_bytes(disclosure.envelope),
        "disclosed_fields": [
            query_pb2.DisclosedField(name=name, salt=salt, canonical_value=value_bytes(value))
            for name, (salt, value) in sorted(disclosure.shown.items())],
        "withheld_digests": list(disclosure.withheld),
    }


def _json_bytes(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


def query_response(answer: QueryAnswer) -> query_pb2.QueryResponse:
    """A QueryResponse with every answered record and the receipt, naming the peer
    provinces left out and the records held back until anchored."""
    stamp = Timestamp()
    stamp.FromDatetime(answer.answered_at)
    return query_pb2.QueryResponse(
        records=[_answered(item) for item in answer.records],
        receipt=query_pb2.QueryReceipt(request_id=answer.request_id, answered_at=stamp),
        provinces_unavailable=list(answer.provinces_unavailable),
        records_not_anchored=list(answer.not_anchored),
    )


def proven_from_proto(message: common_pb2.ProvenRecord) -> Proven:
    """The plain form of a ``ProvenRecord``; ``raw`` is its deterministic encoding."""
    env, anchor = message.envelope, message.anchor
    return Proven(
        province=env.province, record_no=env.record_no,
        kind=_KIND_FROM_PROTO.get(env.kind, ""), local_category=env.local_category,
        shared_category=env.shared_category,
        severity=_SEVERITY_FROM_PROTO.get(env.severity, ""), rule_version=env.rule_version,
        publish_date=env.publish_date, payload=bytes(message.canonical_payload),
        salt=bytes(message.salt), leaf_index=message.leaf_index,
        inclusion_proof=tuple(bytes(h) for h in message.inclusion_proof),
        batch_header=bytes(message.batch_header),
        header_signature=bytes(message.header_signature),
        anchor=AnchorRef(chain_id=anchor.chain_id, contract=bytes(anchor.contract),
                         tx_hash=bytes(anchor.tx_hash), block_number=anchor.block_number,
                         seq=anchor.seq),
        objection_flagged=message.objection_flagged,
        raw=message.SerializeToString(deterministic=True),
        scheme=message.commitment_scheme or 1,
    )


def proven_to_proto(item: Proven) -> common_pb2.ProvenRecord:
    """The ``ProvenRecord`` message of ``item`` (``raw`` is not sent)."""
    return common_pb2.ProvenRecord(
        envelope=common_pb2.RecordEnvelope(
            kind=KIND_TO_PROTO.get(item.kind, common_pb2.RECORD_KIND_UNSPECIFIED),
            province=item.province, record_no=item.record_no,
            local_category=item.local_category, shared_category=item.shared_category,
            severity=SEVERITY_TO_PROTO.get(item.severity, common_pb2.SEVERITY_UNSPECIFIED),
            rule_version=item.rule_version, publish_date=item.publish_date),
        canonical_payload=item.payload, salt=item.salt, leaf_index=item.leaf_index,
        inclusion_proof=list(item.inclusion_proof), batch_header=item.batch_header,
        header_signature=item.header_signature,
        anchor=common_pb2.AnchorRef(
            chain_id=item.anchor.chain_id, contract=item.anchor.contract,
            tx_hash=item.anchor.tx_hash, block_number=item.anchor.block_number,
            seq=item.anchor.seq),
        objection_flagged=item.objection_flagged,
        commitment_scheme=item.scheme,
    )


def head_to_proto(head: SignedHead, province: str, *, chain_id: int = 0,
                  contract: bytes = b"", anchor: HeadAnchor | None = None
                  ) -> audit_pb2.SignedTreeHead:
    """The SignedTreeHead of ``head``; ``anchor`` when it is the head anchored there."""
    checkpoint = head.checkpoint
    message = audit_pb2.SignedTreeHead(
        canonical_head=checkpoint.body().encode(), signature=head.signature,
        province=province, tree_size=checkpoint.size, root_hash=checkpoint.root)
    if anchor is not None and anchor.size == checkpoint.size:
        message.anchor.CopyFrom(common_pb2.AnchorRef(
            chain_id=chain_id, contract=contract, tx_hash=anchor.tx_hash,
            block_number=anchor.block_number))
    return message


def served_head(message: audit_pb2.SignedTreeHead) -> ServedHead:
    """The bytes of a received ``SignedTreeHead`` that can be verified."""
    return ServedHead(bytes(message.canonical_head), bytes(message.signature))


def head_note(message: audit_pb2.SignedTreeHead, log_key: NoteVerifier) -> str:
    """The signed note a ``SignedTreeHead`` stands for, under ``log_key`` (unverified:
    pass it to ``verify_checkpoint``). Raises ``MalformedNote`` when it cannot be one."""
    return served_note(served_head(message), log_key)


# -- lifecycle (issue 12): proven revocation notices both ways ---------------------------


def notice_to_proto(item: ProvenNotice) -> common_pb2.ProvenRevocation:
    """The ``ProvenRevocation`` message of a served notice."""
    return common_pb2.ProvenRevocation(
        canonical_notice=item.notice, leaf_index=item.leaf_index,
        inclusion_proof=list(item.inclusion_proof), batch_header=item.batch_header,
        header_signature=item.header_signature,
        anchor=common_pb2.AnchorRef(
            chain_id=item.anchor.chain_id, contract=item.anchor.contract,
            tx_hash=item.anchor.tx_hash, block_number=item.anchor.block_number,
            seq=item.anchor.seq))


def notice_from_proto(message: common_pb2.ProvenRevocation) -> ProvenNotice:
    """The plain form of a received ``ProvenRevocation`` (verified before it is believed)."""
    anchor = message.anchor
    return ProvenNotice(
        notice=bytes(message.canonical_notice), leaf_index=message.leaf_index,
        inclusion_proof=tuple(bytes(h) for h in message.inclusion_proof),
        batch_header=bytes(message.batch_header),
        header_signature=bytes(message.header_signature),
        anchor=AnchorRef(chain_id=anchor.chain_id, contract=bytes(anchor.contract),
                         tx_hash=bytes(anchor.tx_hash), block_number=anchor.block_number,
                         seq=anchor.seq))
