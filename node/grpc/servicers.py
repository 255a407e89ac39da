"""IngestService, QueryService and NodeService: unpack, call a handler, map errors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import grpc

from node._proto.credit.v1 import (
    ingest_pb2,
    ingest_pb2_grpc,
    node_pb2,
    node_pb2_grpc,
    query_pb2_grpc,
)
from node.grpc.convert import query_response, submit_response
from node.grpc.errors import abort
from node.grpc.identity import caller_identity, caller_public_key, peer_certificate
from node.identity import Role
from node.service.app import NodeApp
from node.service.errors import BadRequest, Refused, ServiceError
from node.service.query import QueryDeps, QueryInput, answer_query
from node.service.status import read_backlog
from node.service.submit import Submitter
from node.store.errors import StoreError

T = TypeVar("T")
MAX_RECORDS_PER_REQUEST = 20_000


def _guard(app: NodeApp, context: grpc.ServicerContext, call: Callable[[], T]) -> T:
    """Run ``call``; a domain or store error ends the RPC with its mapped status."""
    try:
        return call()
    except Refused as exc:
        app.metrics.refusals.labels(reason=exc.reason).inc()
        abort(context, exc)
    except (ServiceError, StoreError) as exc:
        abort(context, exc)


class IngestServicer(ingest_pb2_grpc.IngestServiceServicer):
    def __init__(self, app: NodeApp, submitter: Submitter) -> None:
        self._app = app
        self._submitter = submitter

    def _submit(self, request: Any, context: grpc.ServicerContext) -> Any:
        caller_identity(context, self._app.identities, (Role.PLATFORM,))
        if len(request.records) > MAX_RECORDS_PER_REQUEST:
            raise BadRequest(f"request holds {len(request.records)} records; "
                             f"send at most {MAX_RECORDS_PER_REQUEST} per request")
        request_id = uuid.uuid4().hex
        outcome = self._submitter.submit(list(request.records),
                                         today=datetime.now(UTC).date(), request_id=request_id)
        return submit_response(outcome, request.first_line, request_id)

    def SubmitRecords(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _guard(self._app, context, lambda: self._submit(request, context))

    def SubmitStream(self, request_iterator: Iterator[Any],
                     context: grpc.ServicerContext) -> Iterator[Any]:
        _guard(self._app, context,
               lambda: caller_identity(context, self._app.identities, (Role.PLATFORM,)))
        for message in request_iterator:
            result = _guard(self._app, context, partial(self._submit, message.batch, context))
            yield ingest_pb2.SubmitStreamResponse(result=result)

    def GetBacklog(self, request: Any, context: grpc.ServicerContext) -> Any:
        def run() -> Any:
            caller_identity(context, self._app.identities,
                            (Role.PLATFORM, Role.ADMIN, Role.AUDITOR))
            b = read_backlog(self._app.store)
            return ingest_pb2.GetBacklogResponse(
                log_size=b.log_size, anchored_size=b.anchored_size, backlog=b.backlog,
                last_anchored_seq=b.last_anchored_seq)
        return _guard(self._app, context, run)


class QueryServicer(query_pb2_grpc.QueryServiceServicer):
    def __init__(self, app: NodeApp) -> None:
        self._app = app
        contracts = app.config.ledger.contracts
        self._deps = QueryDeps(
            store=app.store, keys=app.keys, purposes=app.config.policy.purposes,
            nonces=app.nonces, chain_id=app.config.ledger.chain_id,
            anchor_contract=contracts.get("RecordAnchors", "0x" + "00" * 20),
            federation=app.exchange.federation if app.exchange is not None else None)

    def Query(self, request: Any, context: grpc.ServicerContext) -> Any:
        started = time.monotonic()

        def run() -> Any:
            caller = caller_identity(context, self._app.identities, (Role.AGENCY,))
            has_grant = request.HasField("grant")
            query = QueryInput(
                purpose=request.purpose, subject_id=request.subject.id,
                grant_json=bytes(request.grant.canonical_grant) if has_grant else None,
                grant_signature=bytes(request.grant.signature) if has_grant else b"",
                request_id=request.request_id[:64], include_foreign=request.include_foreign,
                caller_certificate=peer_certificate(context))
            answer = answer_query(query, caller, caller_public_key(context), self._deps,
                                  datetime.now(UTC))
            return query_response(answer)
        try:
            return _guard(self._app, context, run)
        finally:
            self._app.metrics.query_seconds.observe(time.monotonic() - started)


class NodeServicer(node_pb2_grpc.NodeServiceServicer):
    def __init__(self, app: NodeApp) -> None:
        self._app = app

    def GetStatus(self, request: Any, context: grpc.ServicerContext) -> Any:
        def run() -> Any:
            caller_identity(context, self._app.identities, (Role.ADMIN, Role.AUDITOR))
            b = read_backlog(self._app.store)
            return node_pb2.GetStatusResponse(
                province=self._app.province,
                records=self._app.store.count_records("local"),
                log_size=b.log_size, anchored_size=b.anchored_size, backlog=b.backlog,
                audit_size=0, peers_reachable=0,
                peers_configured=len(self._app.config.peers),
                foreign_records=self._app.store.count_records("foreign"))
        return _guard(self._app, context, run)
