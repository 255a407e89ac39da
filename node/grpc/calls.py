"""The transport's client-side calls, for the CLI and the dev network: plain data in, plain out.

Everything outside the transport that talks to a node (``credit-node submit``/``query``/
``audit``, the local dev network's workload, status and demo) calls these functions, so
gRPC, its health service and the generated messages stay inside :mod:`node.grpc`. A call
the node refuses or that cannot reach it raises :class:`CallFailed` with the status
code's name and the node's detail; an unreadable certificate or key raises ``OSError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from node._proto.credit.v1 import common_pb2, ingest_pb2, matching_pb2, node_pb2, query_pb2
from node.authz.forwarding import sign_forward
from node.authz.request_ids import new_request_id
from node.domain.fields import PROVINCES
from node.domain.lines import LineChunk
from node.grpc.client import tls_channel
from node.grpc.stubs import ingest_stub, matching_stub, node_stub, query_stub
from node.identity.files import load_tls_private_key

if TYPE_CHECKING:
    # Loads the store (SQLAlchemy, Alembic): imported where used, so that `credit-node
    # query`/`submit` start without them.
    from node.service.matching_requester import EvaluatedBatch

__all__ = ["STATUS_FIELDS", "CallFailed", "MatchingCalls", "Rejected", "SubmitResult",
           "TlsTarget",
           "answered_record_json", "call_failures", "channel", "consent_evidence",
           "forward_signatures", "is_serving", "node_status", "query", "submit_records",
           "submit_stream", "withdraw_grant"]

STATUS_FIELDS = ("records", "log_size", "anchored_size", "backlog", "audit_size",
                 "peers_reachable", "peers_configured", "foreign_records", "catalog_version",
                 "quarantined")
"""The figures NodeService.GetStatus reports, by name."""

_KIND = {v: k for k, v in common_pb2.RecordKind.items()}


class CallFailed(Exception):
    """A call the node refused or that failed on the way: ``code`` is the gRPC status name."""

    def __init__(self, code: str, details: str) -> None:
        super().__init__(f"{code}: {details}")
        self.code = code
        self.details = details


@dataclass(frozen=True)
class TlsTarget:
    """Where to call and as whom: ``host:port``, client certificate and key, the node's CA."""

    endpoint: str
    cert: Path
    key: Path
    ca: Path


@dataclass(frozen=True)
class Rejected:
    """One record a node refused: where it was, and its defects as (code, field, message)."""

    line: int
    record_no: str
    errors: list[tuple[str, str, str]]


@dataclass
class SubmitResult:
    """A node's answer to one submission (or one chunk of a stream)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)


@contextmanager
def call_failures() -> Iterator[None]:
    """Inside: a failed gRPC call surfaces as :class:`CallFailed` (for callers that hold a
    :func:`channel` and call through a client such as :class:`node.auditor.AuditClient`)."""
    try:
        yield
    except grpc.RpcError as exc:
        raise CallFailed(exc.code().name, str(exc.details())) from exc


def channel(target: TlsTarget) -> Any:
    """A mutual-TLS channel to ``target`` (a context manager), for a client built on it."""
    return tls_channel(target.endpoint, cert=target.cert, key=target.key, ca=target.ca)


def _submit_result(answer: Any) -> SubmitResult:
    return SubmitResult(
        accepted=len(answer.accepted),
        duplicates=sum(1 for a in answer.accepted if a.duplicate),
        rejected=[Rejected(int(r.line), str(r.record_no),
                           [(e.code, e.field, e.message) for e in r.errors])
                  for r in answer.rejected])


def submit_stream(target: TlsTarget, chunks: Iterable[LineChunk], source: str, *,
                  timeout: float) -> Iterator[SubmitResult]:
    """Stream ``chunks`` of JSON lines over one SubmitStream call; the node's answer to
    each chunk, in order, as it arrives (``chunks`` is read lazily)."""
    requests = (ingest_pb2.SubmitStreamRequest(batch=ingest_pb2.SubmitRecordsRequest(
        records=c.records, source=source, first_line=c.first_line)) for c in chunks)
    with call_failures(), channel(target) as open_channel:
        for answer in ingest_stub(open_channel).SubmitStream(requests, timeout=timeout):
            yield _submit_result(answer.result)


def submit_records(target: TlsTarget, records: list[bytes], source: str, *,
                   timeout: float) -> SubmitResult:
    """Submit ``records`` (JSON lines) in one SubmitRecords call."""
    request = ingest_pb2.SubmitRecordsRequest(records=records, source=source)
    with call_failures(), channel(target) as open_channel:
        return _submit_result(ingest_stub(open_channel).SubmitRecords(request,
                                                                      timeout=timeout))


def _signed_receipt_json(receipt: Any) -> dict[str, Any]:
    """The node's signed receipt, the entry's inclusion proof and the entry (hex), when
    the node sent them."""
    if not receipt.signed_receipt:
        return {}
    return {"signed_receipt": json.loads(receipt.signed_receipt),
            "audit_inclusion_proof": [h.hex() for h in receipt.audit_inclusion_proof],
            "audit_entry": receipt.audit_entry.decode("utf-8")}


def _disclosure_json(record: Any) -> dict[str, Any]:
    """Scheme v2: the disclosure as JSON (salts and digests in hex, values as JSON)."""
    if record.commitment_scheme != 2:
        return {}
    return {"disclosure": {
        "envelope": json.loads(record.disclosed_envelope),
        "fields": {f.name: {"salt": f.salt.hex(), "value": json.loads(f.canonical_value)}
                   for f in record.disclosed_fields},
        "withheld": [d.hex() for d in record.withheld_digests],
    }}


def answered_record_json(record: Any) -> dict[str, Any]:
    """One AnsweredRecord as JSON: bytes as hex, the header as its JSON text (the form
    ``credit-node query`` prints and ``verify-answer`` reads)."""
    env = record.envelope
    return {
        "province": env.province,
        "kind": _KIND.get(env.kind, "").removeprefix("RECORD_KIND_").lower(),
        "record_no": env.record_no,
        "commitment": record.commitment.hex(),
        "shared_category": env.shared_category,
        "local_category": env.local_category,
        "payload": json.loads(record.minimized_payload or b"{}"),
        "withheld_fields": list(record.withheld_fields),
        "objection_flagged": record.objection_flagged,
        "foreign": record.foreign,
        "scheme": record.commitment_scheme or 1,
        **_disclosure_json(record),
        "proof": {
            "leaf_index": record.leaf_index,
            "tree_size": record.tree_size,
            "inclusion_proof": [h.hex() for h in record.inclusion_proof],
            "batch_header": record.batch_header.decode("ascii"),
            "header_signature": record.header_signature.hex(),
            "anchor": {
                "chain_id": record.anchor.chain_id,
                "contract": "0x" + record.anchor.contract.hex(),
                "tx_hash": "0x" + record.anchor.tx_hash.hex(),
                "block_number": record.anchor.block_number,
                "seq": record.anchor.seq,
            },
        },
    }


def forward_signatures(key_file: Path, *, request_id: str, purpose: str, subject: str,
                       now: datetime) -> list[query_pb2.ForwardSignature]:
    """The agency's signature of a forwarded query for every province, made with the key of
    its TLS certificate (``node.authz.forwarding``): the origin refuses a forwarded query
    the agency did not sign itself."""
    key = load_tls_private_key(key_file)
    signed_at = int(now.timestamp())
    return [query_pb2.ForwardSignature(
        province=province, signed_at=signed_at,
        signature=sign_forward(key, request_id=request_id, purpose=purpose, subject=subject,
                               origin=province, signed_at=signed_at))
        for province in sorted(PROVINCES)]


def query(target: TlsTarget, purpose: str, subject: str, *, grant: bytes | None = None,
          evidence: bytes | None = None, include_foreign: bool = False,
          request_id: str = "", timeout: float) -> dict[str, Any]:
    """Ask the node about ``subject`` for ``purpose``, with ``grant`` (None: none) and the
    consent ``evidence`` its hash names (deposited at the node, sealed).

    With ``include_foreign`` the query carries the agency's signature for each origin
    province, signed with ``target.key`` over a fresh request id (unless one is given).
    Returns ``{"subject", "records": [...], "receipt": {"request_id", "audit_leaf_index",
    "audit_leaf_hash", "answered_at"}, "provinces_unavailable", "records_not_anchored"}``,
    ``subject`` as asked (``verify-answer`` binds every record to it), each record as
    :func:`answered_record_json` makes it; the last two say how the answer is partial.
    """
    if include_foreign and not request_id:
        request_id = new_request_id()
    request = query_pb2.QueryRequest(purpose=purpose, subject=common_pb2.SubjectRef(
        id_type=common_pb2.SUBJECT_ID_TYPE_UNSPECIFIED, id=subject),
        include_foreign=include_foreign, request_id=request_id,
        consent_evidence=evidence or b"")
    if include_foreign:
        request.forward_signatures.extend(forward_signatures(
            target.key, request_id=request_id, purpose=purpose, subject=subject,
            now=datetime.now(UTC)))
    if grant is not None:
        request.grant.canonical_grant = grant
    with call_failures(), channel(target) as open_channel:
        answer = query_stub(open_channel).Query(request, timeout=timeout)
    receipt = answer.receipt
    return {
        "subject": subject,
        "records": [answered_record_json(r) for r in answer.records],
        "receipt": {"request_id": receipt.request_id,
                    "audit_leaf_index": receipt.audit_leaf_index,
                    "audit_leaf_hash": receipt.audit_leaf_hash.hex(),
                    **_signed_receipt_json(receipt),
                    "answered_at": receipt.answered_at.ToJsonString()},
        "provinces_unavailable": list(answer.provinces_unavailable),
        "records_not_anchored": list(answer.records_not_anchored),
    }


def consent_evidence(target: TlsTarget, evidence_sha256: str, *, timeout: float
                     ) -> tuple[bytes, str]:
    """The consent evidence with that hash deposited at the node, and its kind (auditors)."""
    request = query_pb2.GetConsentEvidenceRequest(evidence_sha256=evidence_sha256)
    with call_failures(), channel(target) as open_channel:
        answer = query_stub(open_channel).GetConsentEvidence(request, timeout=timeout)
    return bytes(answer.evidence), answer.kind


def withdraw_grant(target: TlsTarget, *, agency: str, nonce: str, timeout: float) -> bool:
    """Withdraw a grant at the node as its provincial platform; False if withdrawn before."""
    request = query_pb2.WithdrawGrantRequest(agency=agency, nonce=nonce)
    with call_failures(), channel(target) as open_channel:
        answer = query_stub(open_channel).WithdrawGrant(request, timeout=timeout)
    return bool(answer.withdrawn)


def node_status(target: TlsTarget, *, timeout: float) -> dict[str, int]:
    """The node's own figures (NodeService.GetStatus), by the names in STATUS_FIELDS."""
    with call_failures(), channel(target) as open_channel:
        answer = node_stub(open_channel).GetStatus(node_pb2.GetStatusRequest(),
                                                   timeout=timeout)
    return {name: int(getattr(answer, name)) for name in STATUS_FIELDS}


def is_serving(target: TlsTarget, *, timeout: float) -> bool:
    """One standard gRPC health check: True when the node answers SERVING in ``timeout``."""
    try:
        with channel(target) as open_channel:
            stub = health_pb2_grpc.HealthStub(open_channel)
            answer = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
    except grpc.RpcError:
        return False
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


class MatchingCalls:
    """A responder's MatchingService over one mutual-TLS channel (``node.service.
    matching_requester.MatchingPeer``); use as a context manager. ``timeout`` bounds each
    call (the whole evaluation stream, each token-set page)."""

    def __init__(self, target: TlsTarget, *, timeout: float, page: int = 10_000) -> None:
        self._target = target
        self._timeout = timeout
        self._page = page
        self._channel: Any = None

    def __enter__(self) -> MatchingCalls:
        self._channel = channel(self._target).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._channel.__exit__(*exc)

    def evaluate(self, batches: Iterable[Sequence[bytes]], *, purpose: str,
                 request_id: str) -> Iterator[EvaluatedBatch]:
        from node.service.matching_requester import EvaluatedBatch

        requests = (matching_pb2.EvaluateRequest(blinded_elements=list(b), purpose=purpose,
                                                 request_id=request_id) for b in batches)
        with call_failures():
            for answer in matching_stub(self._channel).Evaluate(requests,
                                                                timeout=self._timeout):
                yield EvaluatedBatch(tuple(answer.evaluated_elements), bytes(answer.dleq_proof),
                                     bytes(answer.public_key))

    def token_set(self, *, purpose: str, request_id: str
                  ) -> Iterator[tuple[bytes, str, bytes]]:
        cursor = ""
        with call_failures():
            while True:
                answer = matching_stub(self._channel).GetTokenSet(
                    matching_pb2.GetTokenSetRequest(cursor=cursor, limit=self._page,
                                                    purpose=purpose, request_id=request_id),
                    timeout=self._timeout)
                key = bytes(answer.public_key)
                for entry in answer.entries:
                    yield bytes(entry.token), str(entry.shared_category), key
                if not answer.next_cursor:
                    return
                cursor = answer.next_cursor


# -- lifecycle (issue 12): repair, objections, record status as the platform ---------------


def file_repair(target: TlsTarget, *, record_no: str, basis: str, commitment_json: bytes,
                decision_ref: str, evidence_sha256: bytes = b"",
                timeout: float) -> dict[str, Any]:
    """FileRepair at the platform's own node; the accepted repair as plain JSON."""
    from node._proto.credit.v1 import lifecycle_pb2
    from node.grpc.stubs import lifecycle_stub

    request = lifecycle_pb2.FileRepairRequest(
        record_no=record_no, basis=basis, commitment_json=commitment_json,
        decision_ref=decision_ref, evidence_sha256=evidence_sha256)
    with call_failures(), channel(target) as open_channel:
        answer = lifecycle_stub(open_channel).FileRepair(request, timeout=timeout)
    return {"record_no": answer.record_no, "request_id": answer.request_id,
            "revocation_index": answer.revocation_index, "repair_from": answer.repair_from}


def file_objection(target: TlsTarget, *, record_no: str, applicant: str, reason: str,
                   received_on: str, evidence_sha256: bytes = b"",
                   timeout: float) -> dict[str, Any]:
    """FileObjection at the platform's own node."""
    from node._proto.credit.v1 import lifecycle_pb2
    from node.grpc.stubs import lifecycle_stub

    request = lifecycle_pb2.FileObjectionRequest(
        record_no=record_no, applicant=applicant, reason=reason, received_on=received_on,
        evidence_sha256=evidence_sha256)
    with call_failures(), channel(target) as open_channel:
        answer = lifecycle_stub(open_channel).FileObjection(request, timeout=timeout)
    return {"record_no": answer.record_no, "request_id": answer.request_id,
            "verify_deadline": answer.verify_deadline}


def resolve_objection(target: TlsTarget, *, record_no: str, result: str,
                      corrected_json: bytes = b"", timeout: float) -> dict[str, Any]:
    """ResolveObjection at the platform's own node."""
    from node._proto.credit.v1 import lifecycle_pb2
    from node.grpc.stubs import lifecycle_stub

    request = lifecycle_pb2.ResolveObjectionRequest(record_no=record_no, result=result,
                                                    corrected_json=corrected_json)
    with call_failures(), channel(target) as open_channel:
        answer = lifecycle_stub(open_channel).ResolveObjection(request, timeout=timeout)
    return {"record_no": answer.record_no, "result": answer.result,
            "request_id": answer.request_id,
            "corrected_record_no": answer.corrected_record_no or None}


def record_status(target: TlsTarget, *, record_no: str, timeout: float) -> dict[str, Any]:
    """RecordStatus at the platform's own node (dates, status, flags, key held)."""
    from node._proto.credit.v1 import lifecycle_pb2
    from node.grpc.stubs import lifecycle_stub

    request = lifecycle_pb2.RecordStatusRequest(record_no=record_no)
    with call_failures(), channel(target) as open_channel:
        answer = lifecycle_stub(open_channel).RecordStatus(request, timeout=timeout)
    status: dict[str, Any] = json.loads(answer.status_json)
    return status
