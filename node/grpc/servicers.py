"""IngestService, QueryService and NodeService: unpack, call a handler; every call is
audited and its errors mapped by ``node.grpc.audited``.

QueryService also serves the two ends of consent: an auditor reads the evidence behind
an audit entry (``GetConsentEvidence``, auditors only), and a subject withdraws a grant
through its provincial platform (``WithdrawGrant``, platform only)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial

import grpc

from node._proto.credit.v1 import (
    ingest_pb2,
    ingest_pb2_grpc,
    node_pb2,
    node_pb2_grpc,
    query_pb2,
    query_pb2_grpc,
)
from node.audit import Action, AuditNotFound
from node.audit.receipts import encode_receipt, make_receipt
from node.authz.evidence import EvidenceError, evidence_kind
from node.exchange.parts import Exchange
from node.grpc.audited import Answer, Attempt, audited
from node.grpc.convert import query_response, submit_response
from node.grpc.identity import caller_public_key, peer_certificate
from node.identity import Identity, Role
from node.service.access_log import Logged, record_refs
from node.service.app import NodeApp
from node.service.catalog_state import CatalogState
from node.service.errors import BadRequest
from node.service.query import ForwardSignature, QueryDeps, QueryInput, answer_query
from node.service.status import catalog_version, quarantined, read_backlog
from node.service.submit import Submitter

MAX_RECORDS_PER_REQUEST = 20_000
_MAX_LINE = 2**32 - 1
_NONCE = re.compile(r"[0-9a-f]{16,64}")
_AGENCY_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,128}")


def _read_action(caller: Identity) -> Action:
    """An auditor's read is an audit read; a platform's or an admin's an admin action."""
    return Action.AUDIT_READ if caller.role is Role.AUDITOR else Action.ADMIN


class IngestServicer(ingest_pb2_grpc.IngestServiceServicer):
    def __init__(self, app: NodeApp, submitter: Submitter) -> None:
        self._app = app
        self._submitter = submitter

    def _submit(self, request: ingest_pb2.SubmitRecordsRequest,
                context: grpc.ServicerContext) -> ingest_pb2.SubmitRecordsResponse:
        def run(caller: Identity,
                attempt: Attempt) -> Answer[ingest_pb2.SubmitRecordsResponse]:
            if len(request.records) > MAX_RECORDS_PER_REQUEST:
                raise BadRequest(f"request holds {len(request.records)} records; "
                                 f"send at most {MAX_RECORDS_PER_REQUEST} per request")
            if request.first_line + len(request.records) > _MAX_LINE:
                # A rejected record's line (first_line + position) is a uint32 too.
                raise BadRequest(f"first_line: first_line + the number of records must be "
                                 f"at most {_MAX_LINE}")
            outcome = self._submitter.submit(list(request.records),
                                             today=datetime.now(UTC).date(),
                                             request_id=attempt.request_id)
            # One entry per request, never per record: the count of records taken.
            return Answer(submit_response(outcome, request.first_line, attempt.request_id),
                          Action.INGEST, records=len(outcome.accepted))
        return audited(self._app, context, (Role.PLATFORM,), run)

    def SubmitRecords(self, request: ingest_pb2.SubmitRecordsRequest,
                      context: grpc.ServicerContext) -> ingest_pb2.SubmitRecordsResponse:
        return self._submit(request, context)

    def SubmitStream(self, request_iterator: Iterator[ingest_pb2.SubmitStreamRequest],
                     context: grpc.ServicerContext
                     ) -> Iterator[ingest_pb2.SubmitStreamResponse]:
        for message in request_iterator:
            result = self._submit(message.batch, context)
            yield ingest_pb2.SubmitStreamResponse(result=result)

    def GetBacklog(self, request: ingest_pb2.GetBacklogRequest,
                   context: grpc.ServicerContext) -> ingest_pb2.GetBacklogResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[ingest_pb2.GetBacklogResponse]:
            b = read_backlog(self._app.store)
            return Answer(ingest_pb2.GetBacklogResponse(
                log_size=b.log_size, anchored_size=b.anchored_size, backlog=b.backlog,
                last_anchored_seq=b.last_anchored_seq), _read_action(caller))
        return audited(self._app, context, (Role.PLATFORM, Role.ADMIN, Role.AUDITOR), run)


def _receipt(app: NodeApp, response: query_pb2.QueryResponse, logged: Logged) -> None:
    """Put the query's audit entry (index, leaf hash) in its receipt, with the node's
    signed receipt over a checkpoint holding it and the entry's inclusion proof there."""
    response.receipt.audit_leaf_index = logged.index
    response.receipt.audit_leaf_hash = logged.leaf_hash
    log = app.access_log.log
    if logged.head is not None and logged.entry:  # written here: no need to read it back
        head, request_id, entry = log.signed_head(logged.head), logged.request_id, logged.entry
    else:
        stored = log.entry(logged.index)
        head, request_id, entry = log.latest_checkpoint(), stored.request_id, stored.entry
    signed = make_receipt(request_id, logged.index, logged.leaf_hash, head.note,
                          app.signing_key)
    response.receipt.signed_receipt = encode_receipt(signed)
    response.receipt.audit_inclusion_proof.extend(
        log.inclusion_proof(logged.index, head.checkpoint.size))
    response.receipt.audit_entry = entry


class QueryServicer(query_pb2_grpc.QueryServiceServicer):
    def __init__(self, app: NodeApp, deps: QueryDeps) -> None:
        self._app = app
        self._deps = deps

    def Query(self, request: query_pb2.QueryRequest,
              context: grpc.ServicerContext) -> query_pb2.QueryResponse:
        started = time.monotonic()

        def run(caller: Identity, attempt: Attempt) -> Answer[query_pb2.QueryResponse]:
            attempt.agency = caller.fingerprint
            attempt.subject_token = self._app.access_log.token(request.subject.id)
            request_id = attempt.use_request_id(request.request_id)
            has_grant = request.HasField("grant")
            query = QueryInput(
                purpose=request.purpose, subject_id=request.subject.id,
                grant_json=bytes(request.grant.canonical_grant) if has_grant else None,
                grant_signature=bytes(request.grant.signature) if has_grant else b"",
                request_id=request_id, include_foreign=request.include_foreign,
                caller_certificate=peer_certificate(context),
                consent_evidence=bytes(request.consent_evidence),
                forward_signatures=tuple(
                    ForwardSignature(s.province, s.signed_at, bytes(s.signature))
                    for s in request.forward_signatures))
            answer = answer_query(query, caller, caller_public_key(context), self._deps,
                                  datetime.now(UTC))
            if answer.grant is not None:
                attempt.use_grant(answer.grant.nonce, answer.grant.consent_evidence_sha256,
                                  caller.fingerprint)
            refs = record_refs((a.record.province, a.record.record_no) for a in answer.records)
            return Answer(query_response(answer), Action.QUERY, records=len(answer.records),
                          refs=refs, finish=partial(_receipt, self._app))
        try:
            return audited(self._app, context, (Role.AGENCY, Role.AUTHORITY), run,
                           request_id=request.request_id, purpose=request.purpose)
        finally:
            self._app.metrics.query_seconds.observe(time.monotonic() - started)

    def GetConsentEvidence(self, request: query_pb2.GetConsentEvidenceRequest,
                           context: grpc.ServicerContext
                           ) -> query_pb2.GetConsentEvidenceResponse:
        def run(caller: Identity,
                attempt: Attempt) -> Answer[query_pb2.GetConsentEvidenceResponse]:
            attempt.use_request_id(request.request_id)
            vault = self._deps.evidence
            try:
                data = None if vault is None else vault.read(request.evidence_sha256)
            except EvidenceError as exc:
                raise BadRequest(f"evidence_sha256: {exc}") from exc
            if data is None:
                raise AuditNotFound("no consent evidence with that hash is deposited here")
            attempt.evidence = request.evidence_sha256
            return Answer(query_pb2.GetConsentEvidenceResponse(
                evidence=data, kind=evidence_kind(data) or ""), Action.AUDIT_READ)
        return audited(self._app, context, (Role.AUDITOR,), run,
                       request_id=request.request_id)

    def WithdrawGrant(self, request: query_pb2.WithdrawGrantRequest,
                      context: grpc.ServicerContext) -> query_pb2.WithdrawGrantResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[query_pb2.WithdrawGrantResponse]:
            attempt.use_request_id(request.request_id)
            if not _NONCE.fullmatch(request.nonce):
                raise BadRequest("nonce: must be the grant's nonce, 16-64 lower-case hex")
            if not _AGENCY_NAME.fullmatch(request.agency):
                raise BadRequest("agency: must be the grant's agency name, 1-128 printable "
                                 "characters")
            attempt.grant = request.nonce
            withdrawn = self._app.nonces.withdraw(request.agency, request.nonce,
                                                  datetime.now(UTC))
            return Answer(query_pb2.WithdrawGrantResponse(withdrawn=withdrawn), Action.ADMIN)
        return audited(self._app, context, (Role.PLATFORM,), run,
                       request_id=request.request_id)


class NodeServicer(node_pb2_grpc.NodeServiceServicer):
    """``GetStatus``: the node's own counts, the catalog version in force, the quarantine's
    size and how many configured peers answer their health check while the ledger lists
    them as members (``peers_reachable``, measured off the call path)."""

    def __init__(self, app: NodeApp, *, catalog: CatalogState | None,
                 exchange: Exchange | None, peers_reachable: Callable[[], int]) -> None:
        self._app = app
        self._catalog = catalog
        self._exchange = exchange
        self._peers_reachable = peers_reachable

    def GetStatus(self, request: node_pb2.GetStatusRequest,
                  context: grpc.ServicerContext) -> node_pb2.GetStatusResponse:
        def run(caller: Identity, attempt: Attempt) -> Answer[node_pb2.GetStatusResponse]:
            b = read_backlog(self._app.store)
            return Answer(node_pb2.GetStatusResponse(
                province=self._app.province,
                records=self._app.store.count_records("local"),
                log_size=b.log_size, anchored_size=b.anchored_size, backlog=b.backlog,
                audit_size=self._app.access_log.log.size(),
                peers_reachable=self._peers_reachable(),
                peers_configured=len(self._app.config.peers),
                foreign_records=self._app.store.count_records("foreign"),
                catalog_version=catalog_version(self._catalog),
                quarantined=quarantined(None if self._exchange is None
                                        else self._exchange.receiver.quarantine)),
                _read_action(caller))
        return audited(self._app, context, (Role.ADMIN, Role.AUDITOR), run)
