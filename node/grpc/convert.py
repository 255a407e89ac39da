"""Plain handler results to protobuf messages (and nothing else)."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp  # type: ignore[import-untyped]

from node._proto.credit.v1 import common_pb2, ingest_pb2, query_pb2
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


def submit_response(outcome: IngestOutcome, first_line: int, request_id: str) -> Any:
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


def _answered(item: AnsweredRecord) -> Any:
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
    )


def _json_bytes(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


def query_response(answer: QueryAnswer) -> Any:
    """A QueryResponse with every answered record and the receipt."""
    stamp = Timestamp()
    stamp.FromDatetime(answer.answered_at)
    return query_pb2.QueryResponse(
        records=[_answered(item) for item in answer.records],
        receipt=query_pb2.QueryReceipt(request_id=answer.request_id, answered_at=stamp),
    )
